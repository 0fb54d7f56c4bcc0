// COMMENT ON (PostgreSQL): a description on a table, view, materialized
// view, index, sequence, column, schema, constraint, database or role,
// stored on the catalog object (`comment`), so it is transactional like other
// DDL; on a built-in function or aggregate, stored by its OID on the current
// database's object (`functionComments`). `IS NULL` and `IS ''` remove it. pg_description / pg_shdescription,
// obj_description, col_description and shobj_description read it
// (catalog/pg_catalog.ts).

import type * as A from '../../../sql-dialects/index.ts';
import type { CatalogObj, DatabaseObj, RelationObj } from '../catalog/objects.ts';
import { SqlState } from '../sb_error.ts';
import { errAt, fold } from './context.ts';
import type { DdlEnv } from './ddl_env.ts';
import { foldQName, lookupRelation, qnameText, resolveType } from './names.ts';
import type { BindEnv } from './context.ts';
import { registry, typeKey } from '../functions/registry.ts';
import { formatType } from '../types/type_names.ts';
import type { SqlType } from '../types/types.ts';

/** The relation kinds COMMENT ON <word> accepts, and the word PostgreSQL's 42809 uses. */
const RELATION_WORDS: Record<string, { kinds: string[]; what: string }> = {
  TABLE: { kinds: ['table'], what: 'a table' },
  VIEW: { kinds: ['view'], what: 'a view' },
  'MATERIALIZED VIEW': { kinds: ['matview'], what: 'a materialized view' },
  INDEX: { kinds: ['index'], what: 'an index' },
  SEQUENCE: { kinds: ['sequence'], what: 'a sequence' },
};

function relKind(r: RelationObj): string {
  return r.kind === 'table' && (r as { matview?: unknown }).matview ? 'matview' : r.kind;
}

export function commentOn(env: DdlEnv, stmt: A.CommentOn): void {
  const bind = env.bindEnv();
  const text = stmt.comment.kind === 'string' && stmt.comment.value !== '' ? stmt.comment.value : undefined;
  const put = (o: CatalogObj): void => {
    const next = { ...o } as CatalogObj & { comment?: string };
    if (text === undefined) delete next.comment;
    else next.comment = text;
    env.cat.put(env.txn, next);
  };
  const type = stmt.objectType;
  const rel = RELATION_WORDS[type];
  if (rel) {
    const r = lookupRelation(bind, stmt.name);
    if (!r) throw errAt(bind, SqlState.undefined_table, `relation "${qnameText(bind, stmt.name)}" does not exist`, stmt.name[0]?.loc);
    if (!rel.kinds.includes(relKind(r))) throw errAt(bind, SqlState.wrong_object_type, `"${r.name}" is not ${rel.what}`, stmt.name[0]?.loc);
    put(r);
    return;
  }
  switch (type) {
    case 'COLUMN': {
      if (stmt.name.length < 2) throw errAt(bind, SqlState.syntax_error, 'column name must be qualified', stmt.name[0]?.loc);
      const relName = stmt.name.slice(0, -1);
      const r = lookupRelation(bind, relName);
      if (!r) throw errAt(bind, SqlState.undefined_table, `relation "${qnameText(bind, relName)}" does not exist`, stmt.name[0]?.loc);
      const col = fold(bind, stmt.name[stmt.name.length - 1]!);
      if (r.kind === 'table' || r.kind === 'view') {
        const columns = r.kind === 'table' ? r.columns.filter((c) => !c.dropped) : r.columns;
        const i = columns.findIndex((c) => c.name === col);
        if (i >= 0) {
          const next = r.kind === 'table'
            ? { ...r, columns: r.columns.map((c) => (c === columns[i] ? withComment(c, text) : c)) }
            : { ...r, columns: r.columns.map((c, j) => (j === i ? withComment(c, text) : c)) };
          env.cat.put(env.txn, next);
          return;
        }
      }
      if (r.kind === 'index' || r.kind === 'sequence') {
        throw errAt(bind, SqlState.wrong_object_type, `"${r.name}" is not a table, view, materialized view, composite type, or foreign table`, stmt.name[0]?.loc);
      }
      throw errAt(bind, SqlState.undefined_column, `column "${col}" of relation "${r.name}" does not exist`, stmt.name[stmt.name.length - 1]!.loc);
    }
    case 'SCHEMA': {
      const name = fold(bind, stmt.name[0]!);
      const s = bind.catalog.schema(bind.dbOid, name);
      if (!s) throw errAt(bind, SqlState.invalid_schema_name, `schema "${name}" does not exist`, stmt.name[0]?.loc);
      put(s);
      return;
    }
    case 'DATABASE': {
      const name = fold(bind, stmt.name[0]!);
      const d = bind.catalog.database(name);
      if (!d) throw errAt(bind, SqlState.invalid_catalog_name, `database "${name}" does not exist`, stmt.name[0]?.loc);
      put(d);
      return;
    }
    case 'ROLE': {
      const name = fold(bind, stmt.name[0]!);
      const role = bind.catalog.role(name);
      if (!role) throw errAt(bind, SqlState.undefined_object, `role "${name}" does not exist`, stmt.name[0]?.loc);
      put(role);
      return;
    }
    case 'CONSTRAINT': {
      const t = lookupRelation(bind, stmt.onTable!);
      if (!t) throw errAt(bind, SqlState.undefined_table, `relation "${qnameText(bind, stmt.onTable!)}" does not exist`, stmt.onTable![0]?.loc);
      const name = fold(bind, stmt.name[stmt.name.length - 1]!);
      const c = bind.catalog.constraint(t.oid, name);
      if (!c) throw errAt(bind, SqlState.undefined_object, `constraint "${name}" for table "${t.name}" does not exist`, stmt.name[0]?.loc);
      put(c);
      return;
    }
    case 'FUNCTION':
    case 'PROCEDURE':
    case 'AGGREGATE': {
      const fn = resolveFunction(bind, stmt, type);
      const db = bind.catalog.get(bind.dbOid);
      if (db?.kind !== 'database') throw errAt(bind, SqlState.internal_error, 'the current database is missing from the catalog');
      const comments = { ...(db.functionComments ?? {}) };
      if (text === undefined) delete comments[fn];
      else comments[fn] = text;
      const next: DatabaseObj = { ...db, functionComments: comments };
      if (Object.keys(comments).length === 0) delete next.functionComments;
      env.cat.put(env.txn, next);
      return;
    }
    default:
      throw errAt(bind, SqlState.feature_not_supported, `COMMENT ON ${type} is not supported yet`, stmt.loc);
  }
}

/** The OID of the built-in function COMMENT ON FUNCTION names (ScratchBird has no user-defined functions yet). */
function resolveFunction(bind: BindEnv, stmt: A.CommentOn, type: string): number {
  const parts = foldQName(bind, stmt.name);
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2]! : undefined;
  if (schema !== undefined && schema !== 'pg_catalog' && !bind.catalog.schema(bind.dbOid, schema)) {
    throw errAt(bind, SqlState.invalid_schema_name, `schema "${schema}" does not exist`, stmt.name[0]?.loc);
  }
  const inCatalog = schema === undefined || schema === 'pg_catalog';
  const kinds = type === 'PROCEDURE' ? [] : type === 'AGGREGATE' ? [registry.aggregates] : [registry.functions, registry.aggregates, registry.windows];
  const candidates: Array<{ oid: number; args: SqlType[] }> = [];
  if (inCatalog) for (const m of kinds) for (const f of (m as Map<string, Array<{ oid: number; args: SqlType[] }>>).get(name) ?? []) candidates.push(f);
  const what = type === 'PROCEDURE' ? 'procedure' : type === 'AGGREGATE' ? 'aggregate' : 'function';
  if (!stmt.argList) {
    const oids = [...new Set(candidates.map((c) => c.oid))];
    if (oids.length === 0) throw errAt(bind, SqlState.undefined_function, `could not find a ${what} named "${parts.join('.')}"`, stmt.name[0]?.loc);
    if (oids.length > 1) {
      throw errAt(bind, '42725', `${what} name "${parts.join('.')}" is not unique`, stmt.name[0]?.loc, {
        hint: `Specify the argument list to select the ${what} unambiguously.`,
      });
    }
    return oids[0]!;
  }
  const args = stmt.argList.filter((p) => p.mode !== 'OUT').map((p) => resolveType(bind, p.type).type);
  const found = candidates.find((c) => c.args.length === args.length && c.args.every((t, i) => typeKey(t) === typeKey(args[i]!)));
  if (!found) {
    throw errAt(bind, SqlState.undefined_function, `${what} ${parts.join('.')}(${args.map((t) => formatType(t)).join(', ')}) does not exist`, stmt.name[0]?.loc);
  }
  return found.oid;
}

function withComment<C extends { comment?: string }>(c: C, text: string | undefined): C {
  const next = { ...c };
  if (text === undefined) delete next.comment;
  else next.comment = text;
  return next;
}
