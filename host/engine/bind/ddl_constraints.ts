// Constraints and indexes of a table: creating their catalog objects (and key
// spaces), building index entries for rows that exist, and validating
// existing rows against a new CHECK, NOT NULL or FOREIGN KEY.

import type * as A from '../../../sql-dialects/index.ts';
import { postgres } from '../../../sql-dialects/index.ts';
import { printExpr } from '../../../sql-dialects/print_expr.ts';
import type { ConstraintObj, IndexKey, IndexObj, TableObj } from '../catalog/objects.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { compileExpr } from '../exec/expr.ts';
import { compileEnv } from '../exec/build.ts';
import { decodeRow } from '../exec/row_codec.ts';
import { formatKeyDetail } from '../exec/foreign_keys.ts';
import { resolveOperator } from '../functions/resolve.ts';
import { formatType } from '../types/type_names.ts';
import { hashValue } from '../types/compare.ts';
import type { Expr } from '../plan/nodes.ts';
import { coerceBool } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { errAt, fold } from './context.ts';
import { lookupRelation, qnameText } from './names.ts';
import { parseExprText, tableScope } from './dml_common.ts';
import { type DdlEnv, chooseName, refActionCode } from './ddl_env.ts';
import { bindKeyExpr } from './index_exprs.ts';
import { buildIndexEntries } from './ddl_build.ts';

/** A subquery anywhere in an expression (not allowed in CHECK, DEFAULT, index expressions). */
export function findSubquery(e: unknown): A.Loc | true | undefined {
  if (e === null || typeof e !== 'object') return undefined;
  if (Array.isArray(e)) {
    for (const x of e) {
      const r = findSubquery(x);
      if (r) return r;
    }
    return undefined;
  }
  const node = e as { kind?: string; query?: unknown; loc?: A.Loc };
  if (node.kind === 'subquery' || node.kind === 'exists' || node.kind === 'array_subquery' || (node.kind === 'in' && node.query)) {
    return node.loc ?? true;
  }
  for (const v of Object.values(node)) {
    const r = findSubquery(v);
    if (r) return r;
  }
  return undefined;
}

/** Checks and prints a CHECK expression over the table's columns; returns its stored text. */
export function checkText(env: DdlEnv, t: TableObj, expr: A.Expr): string {
  const sq = findSubquery(expr);
  if (sq) throw errAt(env.bindEnv(), SqlState.feature_not_supported, 'cannot use subquery in check constraint', sq === true ? undefined : sq);
  const text = printExpr(expr, postgres);
  const bind = env.bindEnv();
  const cx = tableScope({ ...bind, sql: text }, t);
  coerceBool(cx, bindExpr(cx, parseExprText(text)), 'CHECK');
  return text;
}

/** The first column a CHECK expression mentions (for its default name). */
export function firstColumn(env: DdlEnv, t: TableObj, e: A.Expr): string | undefined {
  let found: string | undefined;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    const node = x as { kind?: string; name?: A.Ident[] };
    if (node.kind === 'column' && node.name) {
      const n = env.bindEnv().dialect.foldIdentifier(node.name[node.name.length - 1]!);
      if (t.columns.some((c) => !c.dropped && c.name === n)) found = n;
      return;
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(e);
  return found;
}

export interface IndexSpec {
  name: string;
  keys: IndexKey[];
  unique: boolean;
  primary: boolean;
  nullsNotDistinct?: boolean;
  /** A partial index's predicate (PostgreSQL text). */
  where?: string;
  /** Backs this constraint ('p' or 'u'), named like the index. */
  constraint?: 'p' | 'u';
}

/** Creates an index (and its constraint): key space, catalog objects. Entries are built by buildIndex. */
export async function createIndex(env: DdlEnv, t: TableObj, spec: IndexSpec): Promise<IndexObj> {
  const oid = await env.cat.allocOid();
  const ix: IndexObj = {
    kind: 'index', oid, dbOid: t.dbOid, schemaOid: t.schemaOid, name: spec.name, tableOid: t.oid, keys: spec.keys,
    unique: spec.unique, primary: spec.primary, keyspace: spec.primary ? '' : `i${oid}`,
    ...(spec.nullsNotDistinct ? { nullsNotDistinct: true } : {}),
    ...(spec.where !== undefined ? { where: spec.where } : {}),
  };
  if (!spec.primary) await env.createKeyspace(ix.keyspace);
  env.cat.put(env.txn, ix);
  if (spec.constraint) {
    const con: ConstraintObj = {
      kind: 'constraint', oid: await env.cat.allocOid(), dbOid: t.dbOid, schemaOid: t.schemaOid, name: spec.name,
      tableOid: t.oid, type: spec.constraint, attnums: spec.keys.map((k) => k.attnum), indexOid: oid,
    };
    env.cat.put(env.txn, con);
  }
  return ix;
}

/** Writes the entries of a new index for the rows the table has (23505 for a duplicate in a unique one): sorted runs, ddl_build.ts. */
export function buildIndex(env: DdlEnv, t: TableObj, ix: IndexObj): void {
  if (ix.primary) return;
  const ctx = env.execContext();
  const ta = ctx.tables.get(t.oid);
  const access = ta.indexes.find((i) => i.obj.oid === ix.oid);
  if (!access) throw new SbError(SqlState.internal_error, `index "${ix.name}" is not visible to its table`);
  buildIndexEntries(env.txn, ta, access, ctx);
}

/** Calls fn for every row of the table (decoded, positions = attnum - 1). */
export function forEachRow(env: DdlEnv, t: TableObj, fn: (row: unknown[], rowKey: Uint8Array) => void): void {
  const ctx = env.execContext();
  const ta = ctx.tables.get(t.oid);
  const c = env.txn.scan(ta.ks);
  try {
    while (c.next()) fn(decodeRow(c.value, ta.types, ta.missing), c.key.slice());
  } finally {
    c.close();
  }
}

/** Existing rows must satisfy a new CHECK constraint (23514). */
export function validateCheck(env: DdlEnv, t: TableObj, name: string, text: string): void {
  const bind = env.bindEnv();
  const cx = tableScope({ ...bind, sql: text }, t);
  const pred: Expr = coerceBool(cx, bindExpr(cx, parseExprText(text)), 'CHECK');
  const fn = compileExpr(pred, compileEnv);
  const ctx = env.execContext();
  forEachRow(env, t, (row) => {
    const v = fn({ length: 1, cols: row.map((x) => [x]) }, ctx)[0];
    if (v === false) {
      throw new SbError(SqlState.check_violation, `check constraint "${name}" of relation "${t.name}" is violated by some row`, { table: t.name, constraint: name });
    }
  });
}

/** Existing rows must have no NULL in a column becoming NOT NULL (23502). */
export function validateNotNull(env: DdlEnv, t: TableObj, attnum: number): void {
  const col = t.columns[attnum - 1]!;
  forEachRow(env, t, (row) => {
    if (row[attnum - 1] === null || row[attnum - 1] === undefined) {
      throw new SbError(SqlState.not_null_violation, `column "${col.name}" of relation "${t.name}" contains null values`, { table: t.name, column: col.name });
    }
  });
}

/** The key families whose encodings agree, so a child value finds its parent key. */
function keyCompatible(a: TableObj['columns'][number]['type'], b: TableObj['columns'][number]['type']): boolean {
  const fam = (id: string): string => (['int2', 'int4', 'int8'].includes(id) ? 'int' : ['text', 'varchar'].includes(id) ? 'text' : id);
  return fam(a.id) === fam(b.id);
}

export interface FkSpec {
  name?: string;
  deferrable?: boolean;
  initially?: 'DEFERRED' | 'IMMEDIATE';
  columns: A.Ident[];
  ref: A.ForeignKeyRef;
  loc?: A.Loc;
}

/**
 * Creates a FOREIGN KEY constraint of `t` (which may reference itself);
 * `pendingUnique` lists unique key sets created in the same statement.
 */
export async function createForeignKey(env: DdlEnv, t: TableObj, spec: FkSpec, taken: Set<string>, validate: boolean): Promise<ConstraintObj> {
  const bind = env.bindEnv();
  const catalog = env.catalog();
  const attnums = spec.columns.map((id) => {
    const n = fold(bind, id);
    const c = t.columns.find((x) => !x.dropped && x.name === n);
    if (!c) throw errAt(bind, SqlState.undefined_column, `column "${n}" referenced in foreign key constraint does not exist`, id.loc);
    return c.attnum;
  });
  const refRel = lookupRelation(bind, spec.ref.table);
  const parent = refRel?.kind === 'table' ? (catalog.table(refRel.oid) ?? refRel) : refRel?.oid === t.oid ? t : undefined;
  if (!refRel) throw errAt(bind, SqlState.undefined_table, `relation "${qnameText(bind, spec.ref.table)}" does not exist`, spec.ref.table[0]?.loc);
  if (!parent || parent.kind !== 'table') throw errAt(bind, SqlState.wrong_object_type, `referenced relation "${refRel.name}" is not a table`, spec.loc);
  let refAttnums: number[];
  if (spec.ref.columns) {
    refAttnums = spec.ref.columns.map((id) => {
      const n = fold(bind, id);
      const c = parent.columns.find((x) => !x.dropped && x.name === n);
      if (!c) throw errAt(bind, SqlState.undefined_column, `column "${n}" referenced in foreign key constraint does not exist`, id.loc);
      return c.attnum;
    });
  } else {
    if (!parent.pk) throw errAt(bind, '42830', `there is no primary key for referenced table "${parent.name}"`, spec.loc);
    refAttnums = parent.pk;
  }
  if (refAttnums.length !== attnums.length) {
    throw errAt(bind, '42830', 'number of referencing and referenced columns for foreign key disagree', spec.loc);
  }
  const sameSet = (a: number[]): boolean => a.length === refAttnums.length && a.every((x) => refAttnums.includes(x));
  const hasKey = (parent.pk && sameSet(parent.pk)) || catalog.indexesOf(parent.oid).some((i) => i.unique && !i.where && sameSet(i.keys.map((k) => k.attnum)));
  if (!hasKey) throw errAt(bind, '42830', `there is no unique constraint matching given keys for referenced table "${parent.name}"`, spec.loc);
  const name = spec.name ?? chooseName(catalog, t.schemaOid, t.oid, t.name, attnums.map((a) => t.columns[a - 1]!.name).join('_'), 'fkey', taken);
  taken.add(name);
  attnums.forEach((a, i) => {
    const ct = t.columns[a - 1]!.type;
    const pt = parent.columns[refAttnums[i]! - 1]!.type;
    let ok = keyCompatible(ct, pt);
    if (ok) {
      try {
        resolveOperator('=', ct, pt);
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      throw errAt(bind, SqlState.datatype_mismatch, `foreign key constraint "${name}" cannot be implemented`, spec.loc, {
        detail: `Key columns "${t.columns[a - 1]!.name}" and "${parent.columns[refAttnums[i]! - 1]!.name}" are of incompatible types: ${formatType(ct)} and ${formatType(pt)}.`,
      });
    }
  });
  if (spec.ref.match === 'FULL' || spec.ref.match === 'PARTIAL') {
    throw errAt(bind, SqlState.feature_not_supported, `MATCH ${spec.ref.match} is not supported yet`, spec.loc);
  }
  const con: ConstraintObj = {
    kind: 'constraint', oid: await env.cat.allocOid(), dbOid: t.dbOid, schemaOid: t.schemaOid, name, tableOid: t.oid,
    type: 'f', attnums,
    ref: { tableOid: parent.oid, attnums: refAttnums, onDelete: refActionCode(spec.ref.onDelete), onUpdate: refActionCode(spec.ref.onUpdate), match: 's' },
    ...(spec.deferrable || spec.initially === 'DEFERRED' ? { deferrable: true } : {}),
    ...(spec.initially === 'DEFERRED' ? { deferred: true } : {}),
  };
  env.cat.put(env.txn, con);
  if (validate) validateForeignKey(env, t, con);
  return con;
}

/** Existing child rows must reference existing parents (23503). */
function validateForeignKey(env: DdlEnv, t: TableObj, con: ConstraintObj): void {
  const ctx = env.execContext();
  const parent = ctx.tables.get(con.ref!.tableOid);
  const refPos = con.ref!.attnums.map((a) => a - 1);
  const rows: unknown[][] = [];
  const c = env.txn.scan(parent.ks);
  try {
    while (c.next()) {
      const row = decodeRow(c.value, parent.types, parent.missing);
      rows.push(refPos.map((p) => row[p]));
    }
  } finally {
    c.close();
  }
  const parentTypes = refPos.map((p) => parent.types[p]!);
  const keyOf = (vals: unknown[]): string => vals.map((v, i) => String(hashValue(parentTypes[i]!, v))).join('\u0000');
  const keys = new Set(rows.map(keyOf));
  forEachRow(env, t, (row) => {
    const vals = con.attnums.map((a) => row[a - 1]);
    if (vals.some((v) => v === null || v === undefined)) return;
    if (!keys.has(keyOf(vals))) {
      throw new SbError(SqlState.foreign_key_violation, `insert or update on table "${t.name}" violates foreign key constraint "${con.name}"`, {
        table: t.name, constraint: con.name,
        detail: `Key (${con.attnums.map((a) => t.columns[a - 1]!.name).join(', ')})=(${formatKeyDetail(vals)}) is not present in table "${parent.table.name}".`,
      });
    }
  });
}

/** Index key columns from IndexElems; CREATE INDEX ('index') also takes expressions (attnum 0, PostgreSQL text in `expr`). */
export function indexKeys(env: DdlEnv, t: TableObj, elems: A.IndexElem[], what: string): IndexKey[] {
  const bind = env.bindEnv();
  const seen = new Set<number>();
  return elems.map((el) => {
    let e = el.expr;
    while (e.kind === 'nested' && what === 'index') e = e.expr; // ((col)) indexes the column, as in PostgreSQL
    if (el.opclass) throw errAt(bind, SqlState.feature_not_supported, 'operator classes are not supported yet');
    if ((e.kind !== 'column' || e.name.length !== 1) && what === 'index') {
      const { text } = bindKeyExpr(bind, t, e);
      const desc = el.dir === 'DESC';
      return { attnum: 0, expr: text, desc, nullsFirst: el.nulls ? el.nulls === 'FIRST' : desc };
    }
    if (e.kind !== 'column' || e.name.length !== 1) {
      throw errAt(bind, SqlState.feature_not_supported, `${what} on expressions is not supported yet`, (e as { loc?: A.Loc }).loc);
    }
    const n = fold(bind, e.name[0]!);
    const c = t.columns.find((x) => !x.dropped && x.name === n);
    if (!c) throw errAt(bind, SqlState.undefined_column, what === 'index' ? `column "${n}" does not exist` : `column "${n}" named in key does not exist`, what === 'index' ? undefined : e.loc);
    if (seen.has(c.attnum) && what !== 'index') {
      throw errAt(bind, SqlState.duplicate_column, `column "${n}" appears twice in ${what === 'primary key' ? 'primary key' : 'unique'} constraint`, e.loc);
    }
    seen.add(c.attnum);
    const desc = el.dir === 'DESC';
    return { attnum: c.attnum, desc, nullsFirst: el.nulls ? el.nulls === 'FIRST' : desc };
  });
}
