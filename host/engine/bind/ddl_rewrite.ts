// Table rewrites: the ALTER TABLE forms that change how rows are keyed or
// encoded (ADD / DROP PRIMARY KEY, ALTER COLUMN ... TYPE). DROP PRIMARY KEY
// and ALTER COLUMN ... TYPE read the rows with the old layout, delete every
// row and index entry, put the new catalog objects and write the rows again
// with the new layout (fresh row ids, converted values) with their index
// entries. ADD PRIMARY KEY moves the table and its indexes to new key spaces
// and fills them with a sorted bulk build (ddl_build.ts). All of it is in the
// statement's transaction.

import type * as A from '../../../sql-dialects/index.ts';
import type { ColumnObj, IndexObj, TableObj } from '../catalog/objects.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { compileExpr } from '../exec/expr.ts';
import { compileEnv } from '../exec/build.ts';
import { decodeRow } from '../exec/row_codec.ts';
import { formatKeyDetail } from '../exec/foreign_keys.ts';
import { formatType } from '../types/type_names.ts';
import type { Expr } from '../plan/nodes.ts';
import { errAt } from './context.ts';
import { coerceTo } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { resolveType } from './names.ts';
import { parseExprText, tableScope } from './dml_common.ts';
import type { DdlEnv } from './ddl_env.ts';
import { createIndex, indexKeys, validateCheck } from './ddl_constraints.ts';
import { defaultText } from './ddl_table.ts';
import { buildIndexEntries, rekeyRows } from './ddl_build.ts';

/** Reads every row of the table and deletes it and its index entries. */
export function readAndClear(env: DdlEnv, t: TableObj): unknown[][] {
  const ctx = env.execContext();
  const ta = ctx.tables.get(t.oid);
  const rows: unknown[][] = [];
  for (const ks of [ta.ks, ...ta.indexes.map((i) => i.ks)]) {
    const keys: Uint8Array[] = [];
    const c = env.txn.scan(ks);
    try {
      while (c.next()) {
        keys.push(c.key.slice());
        if (ks === ta.ks) rows.push(decodeRow(c.value, ta.types, ta.missing));
      }
    } finally {
      c.close();
    }
    for (const k of keys) {
      if (env.txn.tryWrite(ks, k, undefined, 'delete') !== 'ok') {
        throw new SbError(SqlState.lock_not_available, `could not rewrite "${t.name}": rows are locked by a concurrent transaction`);
      }
    }
  }
  return rows;
}

/** Writes rows (positions = attnum - 1) into the table as the current catalog describes it. */
export function writeRows(env: DdlEnv, t: TableObj, rows: unknown[][]): void {
  const ctx = env.execContext();
  const ta = ctx.tables.get(t.oid);
  const pkIndex = ctx.catalog.indexesOf(t.oid).find((i) => i.primary);
  for (const row of rows) {
    while (row.length < t.columns.length) row.push(null);
    if (ta.pkPositions) {
      for (const p of ta.pkPositions) {
        if (row[p] === null || row[p] === undefined) {
          throw new SbError(SqlState.not_null_violation, `column "${t.columns[p]!.name}" of relation "${t.name}" contains null values`, { table: t.name, column: t.columns[p]!.name });
        }
      }
    }
    const rowKey = ta.rowKey(row, ta.pkPositions ? undefined : env.store.clock.now());
    const r = env.txn.tryWrite(ta.ks, rowKey, ta.encode(row), ta.pkPositions ? 'insert' : 'put');
    if (r === 'exists') throw duplicated(t, pkIndex?.name ?? `${t.name}_pkey`, ta.pkPositions!.map((p) => t.columns[p]!.name), ta.pkPositions!.map((p) => row[p]));
    if (r !== 'ok') throw new SbError(SqlState.lock_not_available, `could not rewrite "${t.name}": a row is locked by a concurrent transaction`);
    for (const ix of ta.indexes) {
      const entry = ta.indexKey(ix, row, rowKey, ctx);
      if (!entry) continue; // a partial index without this row
      const { key, unique } = entry;
      const w = env.txn.tryWrite(ix.ks, key, unique ? rowKey : new Uint8Array(0), unique ? 'insert' : 'put');
      if (w === 'exists') throw duplicated(t, ix.obj.name, ix.keyNames, ta.indexValues(ix, row, ctx));
      if (w !== 'ok') throw new SbError(SqlState.lock_not_available, `could not rewrite "${t.name}": a row is locked by a concurrent transaction`);
    }
  }
}

function duplicated(t: TableObj, index: string, names: string[], values: unknown[]): SbError {
  return new SbError(SqlState.unique_violation, `could not create unique index "${index}"`, {
    table: t.name, constraint: index,
    detail: `Key (${names.join(', ')})=(${formatKeyDetail(values)}) is duplicated.`,
  });
}

/**
 * ALTER TABLE ... ADD [CONSTRAINT name] PRIMARY KEY (cols): rows are re-keyed
 * by the new key. The table and its indexes move to new key spaces (the old
 * ones are dropped when the transaction commits, as PostgreSQL gives a
 * rewritten table a new relfilenode): the rows are sorted by the new key and
 * written once, in key order, with their stored bytes (ddl_build.ts), and no
 * old row or entry is deleted one by one.
 */
export async function addPrimaryKey(env: DdlEnv, t: TableObj, name: string, elems: A.IndexElem[], loc?: A.Loc): Promise<void> {
  const bind = env.bindEnv();
  if (t.pk) throw errAt(bind, '42P16', `multiple primary keys for table "${t.name}" are not allowed`, loc);
  const keys = indexKeys(env, t, elems, 'primary key');
  const from = env.execContext().tables.get(t.oid);
  const columns = t.columns.map((c) => (keys.some((k) => k.attnum === c.attnum) ? { ...c, notNull: true } : c));
  const keyspace = `t${t.oid}_${await env.cat.allocOid()}`;
  await env.createKeyspace(keyspace);
  const next: TableObj = { ...t, columns, pk: keys.map((k) => k.attnum), keyspace };
  env.cat.put(env.txn, next);
  const indexes: IndexObj[] = [];
  for (const ix of env.catalog().indexesOf(t.oid)) {
    if (ix.primary) continue;
    const moved: IndexObj = { ...ix, keyspace: `i${ix.oid}_${await env.cat.allocOid()}` };
    await env.createKeyspace(moved.keyspace);
    env.cat.put(env.txn, moved);
    env.dropKeyspaceOnCommit(ix.keyspace);
    indexes.push(moved);
  }
  await createIndex(env, next, { name, keys, unique: true, primary: true, constraint: 'p' });
  env.dropKeyspaceOnCommit(t.keyspace);
  const ctx = env.execContext();
  const to = ctx.tables.get(t.oid);
  rekeyRows(env.txn, from, to, name);
  for (const ix of indexes) {
    const access = to.indexes.find((i) => i.obj.oid === ix.oid);
    if (!access) throw new SbError(SqlState.internal_error, `index "${ix.name}" is not visible to its table`);
    buildIndexEntries(env.txn, to, access, ctx, from);
  }
}

/** Drops the primary key (its constraint and index): rows get row ids. */
export function dropPrimaryKey(env: DdlEnv, t: TableObj, cascade: boolean, loc?: A.Loc): void {
  const bind = env.bindEnv();
  const catalog = env.catalog();
  const pk = t.pk ?? [];
  const same = (a: number[]): boolean => a.length === pk.length && a.every((x) => pk.includes(x));
  const deps = catalog.referencing(t.oid).filter((fk) => same(fk.ref!.attnums));
  const con = catalog.constraintsOf(t.oid).find((c) => c.type === 'p');
  if (deps.length > 0) {
    if (!cascade) {
      throw errAt(bind, '2BP01', `cannot drop constraint ${con?.name ?? t.name + '_pkey'} on table ${t.name} because other objects depend on it`, loc, {
        detail: deps.map((d) => `constraint ${d.name} on table ${catalog.table(d.tableOid)?.name} depends on index ${con?.name}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    for (const d of deps) {
      env.notice(`drop cascades to constraint ${d.name} on table ${catalog.table(d.tableOid)?.name}`);
      env.cat.remove(env.txn, d);
    }
  }
  const rows = readAndClear(env, t);
  if (con) env.cat.remove(env.txn, con);
  const ix = catalog.indexesOf(t.oid).find((i) => i.primary);
  if (ix) env.cat.remove(env.txn, ix);
  const next: TableObj = { ...t };
  delete next.pk;
  env.cat.put(env.txn, next);
  writeRows(env, next, rows);
}

/** ALTER COLUMN ... [SET DATA] TYPE t [USING expr]: every row converted, keys and indexes rebuilt. */
export function alterColumnType(env: DdlEnv, t: TableObj, c: ColumnObj, change: Extract<A.AlterColumnChange, { type: 'set_type' }>, loc?: A.Loc): void {
  const bind = env.bindEnv();
  const { type } = resolveType(bind, change.dataType);
  if (c.identity && !['int2', 'int4', 'int8'].includes(type.id)) {
    throw errAt(bind, SqlState.invalid_parameter_value, 'identity column type must be smallint, integer, or bigint', loc);
  }
  const cx = tableScope(bind, t);
  let conv: Expr;
  if (change.using) conv = coerceTo(cx, bindExpr(cx, change.using), type, 'assignment', { loc });
  else {
    const col: Expr = { k: 'col', type: c.type, index: c.attnum - 1 };
    conv = coerceTo(cx, col, type, 'assignment', {
      loc,
      error: () => errAt(bind, SqlState.datatype_mismatch, `column "${c.name}" cannot be cast automatically to type ${formatType(type)}`, loc, {
        hint: `You might need to specify "USING ${c.name}::${formatType(type)}".`,
      }),
    });
  }
  const next: ColumnObj = { ...c, type };
  if (c.default !== undefined) {
    try {
      next.default = defaultText(bind, next, parseExprText(c.default));
    } catch {
      throw errAt(bind, SqlState.datatype_mismatch, `default for column "${c.name}" cannot be cast automatically to type ${formatType(type)}`, loc);
    }
  }
  if (c.missing !== undefined) delete next.missing;
  const fn = compileExpr(conv, compileEnv);
  const ctx = env.execContext();
  const rows = readAndClear(env, t).map((row) => {
    const out = row.slice();
    out[c.attnum - 1] = fn({ length: 1, cols: row.map((v) => [v]) }, ctx)[0];
    return out;
  });
  const table: TableObj = { ...t, columns: t.columns.map((x) => (x.attnum === c.attnum ? next : x)) };
  env.cat.put(env.txn, table);
  writeRows(env, table, rows);
  for (const con of env.catalog().constraintsOf(t.oid)) {
    if (con.type === 'c' && con.check !== undefined) validateCheck(env, table, con.name, con.check);
  }
}
