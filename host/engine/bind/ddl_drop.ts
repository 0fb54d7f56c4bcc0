// DROP TABLE / INDEX / SEQUENCE / VIEW / SCHEMA with IF EXISTS, RESTRICT
// and CASCADE. Catalog objects go in the transaction; their key spaces are
// dropped once it commits.

import type * as A from '../../../sql-dialects/index.ts';
import type { IndexObj, Oid, SchemaObj, SequenceObj, TableObj, ViewObj } from '../catalog/objects.ts';
import { SqlState } from '../sb_error.ts';
import { errAt } from './context.ts';
import { foldQName, lookupRelation, parseQualifiedText } from './names.ts';
import { parseExprText } from './dml_common.ts';
import { parse, postgres, print } from '../../../sql-dialects/index.ts';
import type { DdlEnv } from './ddl_env.ts';

const DEPENDENT = '2BP01';

const KIND_WORD: Record<string, string> = { table: 'table', index: 'index', sequence: 'sequence', view: 'view', matview: 'materialized view' };

/** A relation's kind for DROP: materialized views are tables with `matview`. */
function dropKind(rel: { kind: string; matview?: unknown }): string {
  return rel.kind === 'table' && rel.matview ? 'matview' : rel.kind;
}

/** How PostgreSQL names a dependent object in DETAIL and NOTICE lines. */
function depName(o: ViewObj | TableObj): string {
  return `${o.kind === 'view' ? 'view' : 'materialized view'} ${o.name}`;
}

export async function dropStatement(env: DdlEnv, stmt: A.Drop): Promise<void> {
  const bind = env.bindEnv();
  const type = stmt.objectType.toUpperCase();
  const cascade = stmt.behavior === 'CASCADE';
  if (stmt.concurrently) throw errAt(bind, SqlState.feature_not_supported, 'DROP INDEX CONCURRENTLY is not supported yet', stmt.loc);
  if (type === 'SCHEMA') {
    for (const name of stmt.names) {
      const n = foldQName(bind, name).join('.');
      const s = bind.catalog.schema(bind.dbOid, n);
      if (!s) {
        if (stmt.ifExists) env.notice(`schema "${n}" does not exist, skipping`);
        else throw errAt(bind, SqlState.invalid_schema_name, `schema "${n}" does not exist`, name[0]?.loc);
        continue;
      }
      dropSchema(env, s, cascade, stmt.loc);
    }
    return;
  }
  const kind = { TABLE: 'table', INDEX: 'index', SEQUENCE: 'sequence', VIEW: 'view', 'MATERIALIZED VIEW': 'matview' }[type] as 'table' | 'index' | 'sequence' | 'view' | 'matview' | undefined;
  if (!kind) throw errAt(bind, SqlState.feature_not_supported, `DROP ${stmt.objectType} is not supported yet`, stmt.loc);
  const targets: Array<TableObj | IndexObj | SequenceObj | ViewObj> = [];
  for (const name of stmt.names) {
    const rel = lookupRelation(bind, name);
    const text = foldQName(bind, name).join('.');
    if (!rel) {
      if (stmt.ifExists) {
        env.notice(`${KIND_WORD[kind]} "${text}" does not exist, skipping`);
        continue;
      }
      const code = kind === 'index' ? SqlState.undefined_object : SqlState.undefined_table;
      throw errAt(bind, code, `${KIND_WORD[kind]} "${text}" does not exist`, name[0]?.loc);
    }
    const relKind = dropKind(rel);
    if (relKind !== kind) {
      const hint = relKind === 'matview' ? 'Use DROP MATERIALIZED VIEW to remove a materialized view.'
        : rel.kind === 'table' || rel.kind === 'index' || rel.kind === 'sequence' || rel.kind === 'view'
          ? `Use DROP ${rel.kind.toUpperCase()} to remove a ${rel.kind}.` : undefined;
      throw errAt(bind, SqlState.wrong_object_type, `"${rel.name}" is not a${kind === 'index' ? 'n' : ''} ${KIND_WORD[kind]}`, name[0]?.loc, hint ? { hint } : {});
    }
    targets.push(rel);
  }
  const dropping = new Set(targets.map((t) => t.oid));
  for (const t of targets) {
    switch (t.kind) {
      case 'table':
        if (dropping.has(t.oid) && !env.catalog().get(t.oid)) break; // dropped already by a CASCADE
        dropTable(env, t, cascade, dropping, stmt.loc);
        break;
      case 'index':
        dropIndex(env, t, stmt.loc);
        break;
      case 'sequence':
        dropSequence(env, t, cascade, dropping, stmt.loc);
        break;
      case 'view':
        if (!env.catalog().get(t.oid)) break; // dropped already by a CASCADE
        dropDependentViews(env, `view ${t.name}`, t.oid, cascade, dropping, stmt.loc);
        env.cat.remove(env.txn, t);
        break;
    }
  }
}

/** Views and materialized views whose query reads the relation (found by name through the view's own text). */
function dependentViews(env: DdlEnv, oid: Oid, dropping: Set<Oid>): Array<ViewObj | TableObj> {
  const bind = env.bindEnv();
  const catalog = env.catalog();
  const candidates: Array<ViewObj | TableObj> = [...catalog.ofKind('view'), ...catalog.ofKind('table').filter((t) => t.matview)];
  return candidates.filter((v) => {
    if (dropping.has(v.oid)) return false;
    let found = false;
    const visit = (x: unknown): void => {
      if (found || x === null || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(visit);
      const node = x as { kind?: string; name?: A.QName };
      if (node.kind === 'table' && node.name) {
        try {
          if (lookupRelation(bind, node.name)?.oid === oid) found = true;
        } catch {
          // a name that no longer resolves depends on nothing here
        }
      }
      for (const val of Object.values(node)) visit(val);
    };
    visit(parse(v.kind === 'view' ? v.sql : v.matview!.sql, postgres));
    return found;
  });
}

/** Views over the table whose query names the column (or expands `*`): they block DROP COLUMN and ALTER COLUMN TYPE. */
export function columnDependentViews(env: DdlEnv, tableOid: Oid, column: string): ViewObj[] {
  return dependentViews(env, tableOid, new Set()).filter((v): v is ViewObj => v.kind === 'view').filter((v) => {
    let found = false;
    const visit = (x: unknown): void => {
      if (found || x === null || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(visit);
      const node = x as { kind?: string; name?: A.QName };
      if (node.kind === 'star') found = true;
      else if (node.kind === 'column' && node.name) {
        const last = node.name[node.name.length - 1];
        if (last && (last.quoted ? last.value : last.value.toLowerCase()) === column) found = true;
      }
      for (const val of Object.values(node)) visit(val);
    };
    visit(parse(v.sql, postgres));
    return found;
  });
}

/** DROP COLUMN: views using the column block it unless CASCADE, which drops them (and views over them). */
export function dropColumnDependentViews(env: DdlEnv, t: TableObj, column: string, cascade: boolean, loc?: A.Loc): void {
  const views = columnDependentViews(env, t.oid, column);
  if (views.length === 0) return;
  const what = `column ${column} of table ${t.name}`;
  if (!cascade) {
    throw errAt(env.bindEnv(), DEPENDENT, `cannot drop ${what} because other objects depend on it`, loc, {
      detail: views.map((v) => `view ${v.name} depends on ${what}`).join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  const dropping = new Set<Oid>([t.oid]);
  for (const v of views) {
    if (dropping.has(v.oid)) continue;
    env.notice(`drop cascades to view ${v.name}`);
    dropping.add(v.oid);
    dropDependentViews(env, `view ${v.name}`, v.oid, true, dropping, loc);
    env.cat.remove(env.txn, v);
  }
}

/**
 * ALTER TABLE/VIEW ... RENAME: views keep reading the renamed relation (PostgreSQL binds views by oid), so their
 * stored text is rewritten to name it by its new schema-qualified name. Call before the rename is put.
 */
export function renameInDependentViews(env: DdlEnv, oid: Oid, schemaName: string, newName: string): void {
  const bind = env.bindEnv();
  for (const v of dependentViews(env, oid, new Set())) {
    const stmts = parse(v.kind === 'view' ? v.sql : v.matview!.sql, postgres);
    const visit = (x: unknown): void => {
      if (x === null || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(visit);
      const node = x as { kind?: string; name?: A.QName; alias?: unknown };
      if (node.kind === 'table' && node.name) {
        let rel;
        try {
          rel = lookupRelation(bind, node.name);
        } catch {
          rel = undefined;
        }
        if (rel?.oid === oid) {
          // Column references qualified by the old name keep resolving through an alias.
          if (!node.alias) node.alias = { name: { value: rel.name, quoted: true } };
          node.name = [{ value: schemaName, quoted: true }, { value: newName, quoted: true }] as A.QName;
        }
      }
      for (const val of Object.values(node)) visit(val);
    };
    visit(stmts);
    if (v.kind === 'view') env.cat.put(env.txn, { ...v, sql: print(stmts[0]!, postgres) });
    else env.cat.put(env.txn, { ...v, matview: { ...v.matview!, sql: print(stmts[0]!, postgres) } });
  }
}

function dropDependentViews(env: DdlEnv, what: string, oid: Oid, cascade: boolean, dropping: Set<Oid>, loc?: A.Loc): void {
  const views = dependentViews(env, oid, dropping);
  if (views.length === 0) return;
  if (!cascade) {
    throw errAt(env.bindEnv(), DEPENDENT, `cannot drop ${what} because other objects depend on it`, loc, {
      detail: views.map((v) => `${depName(v)} depends on ${what}`).join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  for (const v of views) {
    if (dropping.has(v.oid)) continue;
    env.notice(`drop cascades to ${depName(v)}`);
    dropping.add(v.oid);
    if (v.kind === 'table') {
      dropTable(env, v, true, dropping, loc);
      continue;
    }
    dropDependentViews(env, depName(v), v.oid, true, dropping, loc);
    env.cat.remove(env.txn, v);
  }
}

/** Removes a table with its indexes, constraints and owned sequences (dependent foreign keys and views: CASCADE). */
export function dropTable(env: DdlEnv, t: TableObj, cascade: boolean, dropping: Set<Oid>, loc?: A.Loc): void {
  dropDependentViews(env, `${t.matview ? 'materialized view' : 'table'} ${t.name}`, t.oid, cascade, dropping, loc);
  const catalog = env.catalog();
  const dependents = catalog.referencing(t.oid).filter((c) => c.tableOid !== t.oid && !dropping.has(c.tableOid));
  if (dependents.length > 0) {
    const lines = dependents.map((c) => `constraint ${c.name} on table ${catalog.table(c.tableOid)?.name ?? c.tableOid} depends on table ${t.name}`);
    if (!cascade) {
      throw errAt(env.bindEnv(), DEPENDENT, `cannot drop table ${t.name} because other objects depend on it`, loc, {
        detail: lines.join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    for (const c of dependents) {
      env.notice(`drop cascades to constraint ${c.name} on table ${catalog.table(c.tableOid)?.name ?? c.tableOid}`);
      env.cat.remove(env.txn, c);
    }
  }
  for (const c of catalog.constraintsOf(t.oid)) env.cat.remove(env.txn, c);
  for (const ix of catalog.indexesOf(t.oid)) {
    env.cat.remove(env.txn, ix);
    if (!ix.primary) env.dropKeyspaceOnCommit(ix.keyspace);
  }
  for (const s of catalog.ofKind('sequence')) {
    if (s.ownedBy?.tableOid === t.oid) {
      env.cat.remove(env.txn, s);
      env.sequences.reset(s.oid);
    }
  }
  env.cat.remove(env.txn, t);
  env.dropKeyspaceOnCommit(t.keyspace);
}

function dropIndex(env: DdlEnv, ix: IndexObj, loc?: A.Loc): void {
  const catalog = env.catalog();
  const con = catalog.constraintsOf(ix.tableOid).find((c) => c.indexOid === ix.oid);
  if (con) {
    const table = catalog.table(ix.tableOid)?.name ?? String(ix.tableOid);
    throw errAt(env.bindEnv(), DEPENDENT, `cannot drop index ${ix.name} because constraint ${con.name} on table ${table} requires it`, loc, {
      hint: `You can drop constraint ${con.name} on table ${table} instead.`,
    });
  }
  env.cat.remove(env.txn, ix);
  env.dropKeyspaceOnCommit(ix.keyspace);
}

function dropSequence(env: DdlEnv, s: SequenceObj, cascade: boolean, dropping: Set<Oid>, loc?: A.Loc): void {
  const catalog = env.catalog();
  // Columns whose default or identity uses the sequence depend on it.
  for (const t of catalog.ofKind('table')) {
    if (dropping.has(t.oid)) continue;
    for (const c of t.columns) {
      if (c.dropped) continue;
      const uses = c.identitySeq === s.oid || (c.default !== undefined && defaultUses(env, c.default, s.oid));
      if (!uses) continue;
      if (!cascade || c.identitySeq === s.oid) {
        throw errAt(env.bindEnv(), DEPENDENT, `cannot drop sequence ${s.name} because other objects depend on it`, loc, {
          detail: `default value for column ${c.name} of table ${t.name} depends on sequence ${s.name}`,
          hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
        });
      }
      env.notice(`drop cascades to default value for column ${c.name} of table ${t.name}`);
      const cur = env.catalog().table(t.oid)!;
      env.cat.put(env.txn, { ...cur, columns: cur.columns.map((x) => (x.attnum === c.attnum ? { ...x, default: undefined } : x)) });
    }
  }
  env.cat.remove(env.txn, s);
  env.sequences.reset(s.oid);
}

/** Whether a column default calls nextval on the sequence. */
function defaultUses(env: DdlEnv, text: string, seqOid: Oid): boolean {
  const bind = env.bindEnv();
  let found = false;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const node = x as { kind?: string; name?: A.Ident[]; args?: A.Expr[] };
    if (node.kind === 'func' && node.name?.[node.name.length - 1]?.value.toLowerCase() === 'nextval') {
      let a = node.args?.[0];
      while (a && (a.kind === 'cast' || a.kind === 'nested')) a = a.expr;
      if (a?.kind === 'string') {
        if (/^\s*\d+\s*$/.test(a.value)) found = Number(a.value) === seqOid;
        else {
          try {
            found = lookupRelation(bind, parseQualifiedText(a.value))?.oid === seqOid;
          } catch {
            // unresolvable: not this sequence
          }
        }
      }
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(parseExprText(text));
  return found;
}

function dropSchema(env: DdlEnv, s: SchemaObj, cascade: boolean, loc?: A.Loc): void {
  const catalog = env.catalog();
  const rels = catalog.relationsIn(s.oid);
  if (rels.length > 0 && !cascade) {
    throw errAt(env.bindEnv(), DEPENDENT, `cannot drop schema ${s.name} because other objects depend on it`, loc, {
      detail: rels.filter((r) => r.kind !== 'index').map((r) => `${r.kind} ${s.name}.${r.name} depends on schema ${s.name}`).join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  const tables = rels.filter((r): r is TableObj => r.kind === 'table');
  const dropping = new Set(tables.map((t) => t.oid));
  for (const r of rels) if (r.kind !== 'index') env.notice(`drop cascades to ${r.kind} ${s.name}.${r.name}`);
  for (const t of tables) dropTable(env, t, true, dropping, loc);
  for (const r of env.catalog().relationsIn(s.oid)) {
    env.cat.remove(env.txn, r);
    if (r.kind === 'index' && !r.primary) env.dropKeyspaceOnCommit(r.keyspace);
    if (r.kind === 'sequence') env.sequences.reset(r.oid);
  }
  env.cat.remove(env.txn, s);
}
