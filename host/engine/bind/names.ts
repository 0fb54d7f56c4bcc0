// Names of catalog objects: schemas through search_path, relations, types.

import type { Ident, Loc, QName, TypeName } from '../../../sql-dialects/index.ts';
import type { RelationObj, SchemaObj, SequenceObj, TableObj } from '../catalog/objects.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { typeFromName } from '../types/type_names.ts';
import type { SqlType } from '../types/types.ts';
import { type BindEnv, errAt, fold } from './context.ts';

/** Parses a search_path value ('"$user", public') into schema names. */
export function parseSearchPath(value: string, userName: string): string[] {
  const out: string[] = [];
  for (const raw of splitList(value)) {
    const name = raw === '$user' ? userName : raw;
    if (name !== '') out.push(name);
  }
  return out;
}

/** Splits a comma list of possibly double-quoted identifiers (unquoted ones fold to lower case). */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /[\s,]/.test(value[i]!)) i++;
    if (i >= value.length) break;
    if (value[i] === '"') {
      let s = '';
      i++;
      while (i < value.length) {
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += value[i++];
      }
      out.push(s);
    } else {
      let s = '';
      while (i < value.length && value[i] !== ',') s += value[i++];
      out.push(s.trim().toLowerCase());
    }
  }
  return out;
}

export function foldQName(env: BindEnv, name: QName): string[] {
  return name.map((id) => fold(env, id));
}

/** The schemas of search_path that exist, in order. */
export function searchSchemas(env: BindEnv): SchemaObj[] {
  const out: SchemaObj[] = [];
  for (const n of env.searchPath) {
    const s = env.catalog.schema(env.dbOid, n);
    if (s) out.push(s);
  }
  return out;
}

/** The schema a qualified name names, or 3F000. */
export function requireSchema(env: BindEnv, name: string, loc?: Loc): SchemaObj {
  const s = env.catalog.schema(env.dbOid, name);
  if (!s) throw errAt(env, SqlState.invalid_schema_name, `schema "${name}" does not exist`, loc);
  return s;
}

/** Where CREATE puts an object: the given schema, or the first existing schema of search_path. */
export function creationSchema(env: BindEnv, name: QName): { schema: SchemaObj; name: string } {
  const parts = foldQName(env, name);
  const objName = parts[parts.length - 1]!;
  if (parts.length > 3) {
    throw errAt(env, SqlState.syntax_error, `improper qualified name (too many dotted names): ${parts.join('.')}`, name[0]?.loc);
  }
  if (parts.length >= 2) {
    checkDatabase(env, parts, 3, name[0]!.loc);
    return { schema: requireSchema(env, parts[parts.length - 2]!, name[parts.length - 2]!.loc), name: objName };
  }
  const first = searchSchemas(env)[0];
  if (!first) throw new SbError(SqlState.invalid_schema_name, 'no schema has been selected to create in');
  return { schema: first, name: objName };
}

function checkDatabase(env: BindEnv, parts: string[], fullLength: number, loc?: Loc): void {
  if (parts.length >= fullLength && parts[0] !== env.dbName) {
    throw errAt(env, SqlState.feature_not_supported, `cross-database references are not implemented: "${parts.join('.')}"`, loc);
  }
}

/** A relation (table, view, sequence, index) by possibly qualified name, through search_path. */
export function lookupRelation(env: BindEnv, name: QName): RelationObj | undefined {
  const parts = foldQName(env, name);
  if (parts.length > 3) {
    throw errAt(env, SqlState.syntax_error, `improper qualified name (too many dotted names): ${parts.join('.')}`, name[0]?.loc);
  }
  const rel = parts[parts.length - 1]!;
  if (parts.length >= 2) {
    checkDatabase(env, parts, 3, name[0]!.loc);
    const schema = env.catalog.schema(env.dbOid, parts[parts.length - 2]!);
    if (!schema) throw errAt(env, SqlState.invalid_schema_name, `schema "${parts[parts.length - 2]}" does not exist`, name[0]!.loc);
    return env.catalog.relation(schema.oid, rel);
  }
  for (const s of searchSchemas(env)) {
    const r = env.catalog.relation(s.oid, rel);
    if (r) return r;
  }
  return undefined;
}

export function qnameText(env: BindEnv, name: QName): string {
  return foldQName(env, name).join('.');
}

/** A table by name: 42P01 when missing, 42809 when the name is another kind of relation. */
export function requireTable(env: BindEnv, name: QName, loc?: Loc): TableObj {
  const r = lookupRelation(env, name);
  if (!r) throw errAt(env, SqlState.undefined_table, `relation "${qnameText(env, name)}" does not exist`, loc ?? name[0]?.loc);
  if (r.kind !== 'table') throw errAt(env, SqlState.wrong_object_type, `"${r.name}" is not a table`, loc ?? name[0]?.loc);
  return r;
}

export function requireSequence(env: BindEnv, name: QName, loc?: Loc): SequenceObj {
  const r = lookupRelation(env, name);
  if (!r) throw errAt(env, SqlState.undefined_table, `relation "${qnameText(env, name)}" does not exist`, loc ?? name[0]?.loc);
  if (r.kind !== 'sequence') throw errAt(env, SqlState.wrong_object_type, `"${r.name}" is not a sequence`, loc ?? name[0]?.loc);
  return r;
}

/** Splits 'schema.name' / '"Quoted".name' text (nextval('...')) into identifiers. */
export function parseQualifiedText(text: string): Ident[] {
  const out: Ident[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let s = '';
      i++;
      while (i < text.length) {
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += text[i++];
      }
      out.push({ value: s, quoted: true });
    } else {
      let s = '';
      while (i < text.length && text[i] !== '.') s += text[i++];
      out.push({ value: s.trim(), quoted: false });
    }
    if (text[i] === '.') i++;
    else break;
  }
  return out;
}

export type SerialKind = 'int2' | 'int4' | 'int8';

/** A column or cast type; `serial` reports SERIAL/BIGSERIAL/SMALLSERIAL (only CREATE TABLE accepts them). */
export function resolveType(env: BindEnv, t: TypeName): { type: SqlType; serial?: SerialKind } {
  const parts = foldQName(env, t.name);
  let name = parts[parts.length - 1]!;
  if (parts.length >= 2 && parts[parts.length - 2] !== 'pg_catalog') {
    // No user-defined types yet: a schema-qualified name must be pg_catalog's.
    throw errAt(env, SqlState.undefined_object, `type "${parts.join('.')}" does not exist`, t.loc ?? t.name[0]?.loc);
  }
  const quoted = t.name[t.name.length - 1]!.quoted;
  if (!quoted) {
    const serial: Record<string, SerialKind> = {
      serial: 'int4', serial4: 'int4', bigserial: 'int8', serial8: 'int8', smallserial: 'int2', serial2: 'int2',
    };
    const s = serial[name];
    if (s && !t.arrayBounds) return { type: typeFromName(s), serial: s };
  } else if (name === 'char') name = '"char"';
  else if (name !== name.toLowerCase()) {
    throw errAt(env, SqlState.undefined_object, `type "${name}" does not exist`, t.loc ?? t.name[0]?.loc);
  }
  let full = name;
  if (t.intervalFields) full += ' ' + t.intervalFields.toLowerCase();
  if (t.timeZone) full += t.timeZone === 'WITH' ? ' with time zone' : ' without time zone';
  const mods: number[] = [];
  for (const a of t.args ?? []) {
    const neg = a.kind === 'unary' && a.op === '-';
    const n = a.kind === 'unary' && (a.op === '-' || a.op === '+') ? a.operand : a;
    if (n.kind !== 'number' || !/^\d+$/.test(n.value)) {
      throw errAt(env, SqlState.syntax_error, 'type modifiers must be simple constants or identifiers', t.loc);
    }
    mods.push(neg ? -Number(n.value) : Number(n.value));
  }
  if (t.fieldPrecision) {
    if (t.fieldPrecision.kind !== 'number') throw errAt(env, SqlState.syntax_error, 'interval precision must be a constant', t.loc);
    mods.push(Number(t.fieldPrecision.value));
  }
  try {
    const type = typeFromName(full, mods, t.arrayBounds?.length ?? 0, { warn: (w) => env.notices.push(w) });
    return { type };
  } catch (e) {
    if (e instanceof SbError && e.position === undefined) {
      const pos = t.loc ?? t.name[0]?.loc;
      throw errAt(env, e.code, e.message, pos, { detail: e.detail, hint: e.hint });
    }
    throw e;
  }
}
