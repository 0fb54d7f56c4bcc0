// CREATE TABLE (and CREATE TABLE AS): columns, NOT NULL, DEFAULT, PRIMARY
// KEY, UNIQUE, CHECK, REFERENCES, SERIAL types and identity columns with
// their owned sequences, PostgreSQL's default constraint names.

import type * as A from '../../../sql-dialects/index.ts';
import { postgres } from '../../../sql-dialects/index.ts';
import { printExpr } from '../../../sql-dialects/print_expr.ts';
import type { ColumnObj, IndexKey, SchemaObj, SequenceObj, TableObj } from '../catalog/objects.ts';
import { SqlState } from '../sb_error.ts';
import { buildOperator } from '../exec/build.ts';
import { drain } from '../exec/operator.ts';
import type { ModifyOp } from '../exec/ops_modify.ts';
import type { Expr, Plan } from '../plan/nodes.ts';
import { T, type SqlType } from '../types/types.ts';
import { type BindEnv, type Cx, errAt, fold } from './context.ts';
import { coerceAssign } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { creationSchema, requireTable, resolveType } from './names.ts';
import { parseExprText } from './dml_common.ts';
import { bindQuery } from './select.ts';
import { Scope } from './scope.ts';
import { type DdlEnv, chooseName, sequenceSpec } from './ddl_env.ts';
import { buildIndex, checkText, createForeignKey, createIndex, findSubquery, firstColumn, type FkSpec, indexKeys, validateCheck } from './ddl_constraints.ts';

interface PendingCheck {
  name?: string;
  expr: A.Expr;
  /** Column of a column constraint (its default name). */
  column?: string;
}

interface PendingKey {
  type: 'p' | 'u';
  name?: string;
  elems: A.IndexElem[];
  loc?: A.Loc;
  nullsNotDistinct?: boolean;
}

interface PendingSequence {
  col: ColumnObj;
  identity?: 'a' | 'd';
  options: A.SqlOption[];
}

/** Validates a DEFAULT expression (no column references, assignable to the column) and returns its text. */
export function defaultText(bind: BindEnv, col: ColumnObj, expr: A.Expr): string {
  const sq = findSubquery(expr);
  if (sq) throw errAt(bind, SqlState.feature_not_supported, 'cannot use subquery in DEFAULT expression', sq === true ? undefined : sq);
  const text = printExpr(expr, postgres);
  const cx: Cx = { env: { ...bind, sql: text }, scope: new Scope() };
  try {
    coerceAssign(cx, bindExpr(cx, parseExprText(text)), col.type, col.name);
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === SqlState.undefined_column) {
      throw errAt(bind, SqlState.feature_not_supported, 'cannot use column reference in DEFAULT expression', (expr as { loc?: A.Loc }).loc);
    }
    throw e;
  }
  return text;
}

export async function createTable(env: DdlEnv, stmt: A.CreateTable): Promise<string | void> {
  const bind = env.bindEnv();
  if (stmt.verb !== 'CREATE') throw errAt(bind, SqlState.feature_not_supported, `${stmt.verb} TABLE is not supported in this dialect`, stmt.loc);
  if (stmt.inherits || stmt.partitionBy) throw errAt(bind, SqlState.feature_not_supported, 'table inheritance and partitioning are not supported yet', stmt.loc);
  const { schema, name } = creationSchema(bind, stmt.name);
  if (bind.catalog.relation(schema.oid, name)) {
    if (stmt.ifNotExists) {
      env.notice(`relation "${name}" already exists, skipping`);
      return;
    }
    throw errAt(bind, SqlState.duplicate_table, `relation "${name}" already exists`, stmt.name[0]?.loc);
  }
  const oid = await env.cat.allocOid();
  const table: TableObj = {
    kind: 'table', oid, dbOid: bind.dbOid, schemaOid: schema.oid, name, owner: bind.userOid, columns: [],
    keyspace: `t${oid}`, nextAttnum: 1, ...(stmt.temporary ? { temp: true } : {}),
  };
  if (stmt.asQuery) return createTableAs(env, stmt, table, schema);

  const checks: PendingCheck[] = [];
  const keys: PendingKey[] = [];
  const fks: FkSpec[] = [];
  const seqs: PendingSequence[] = [];
  const defaults: Array<{ col: ColumnObj; expr: A.Expr }> = [];
  const likeChecks: Array<{ name: string; text: string }> = [];
  for (const el of stmt.elements) {
    if (el.kind === 'like_table') {
      copyLike(bind, table, el, keys, likeChecks);
      continue;
    }
    if (el.kind !== 'column_def') continue;
    const colName = fold(bind, el.name);
    if (table.columns.some((c) => c.name === colName)) {
      throw errAt(bind, SqlState.duplicate_column, `column "${colName}" specified more than once`, el.name.loc);
    }
    if (!el.type) throw errAt(bind, SqlState.syntax_error, `column "${colName}" has no type`, el.loc);
    const { type, serial } = resolveType(bind, el.type);
    const col: ColumnObj = { attnum: table.nextAttnum++, name: colName, type, notNull: false };
    table.columns.push(col);
    if (serial) {
      col.notNull = true;
      seqs.push({ col, options: [] });
    }
    columnConstraints(env, bind, table, col, el, { checks, keys, fks, seqs, defaults });
  }
  for (const el of stmt.elements) {
    if (el.kind === 'table_constraint') tableConstraint(bind, el, { checks, keys, fks });
  }
  const primary = keys.filter((k) => k.type === 'p');
  if (primary.length > 1) {
    throw errAt(bind, '42P16', `multiple primary keys for table "${name}" are not allowed`, primary[1]!.loc);
  }
  const taken = new Set<string>();
  const pkKeys = primary[0] ? indexKeys(env, table, primary[0].elems, 'primary key') : undefined;
  if (pkKeys) {
    table.pk = pkKeys.map((k) => k.attnum);
    for (const k of pkKeys) table.columns[k.attnum - 1]!.notNull = true;
  }
  for (const d of defaults) d.col.default = defaultText(bind, d.col, d.expr);
  // Owned sequences: names and defaults before the table is stored.
  const seqObjs: SequenceObj[] = [];
  for (const s of seqs) {
    const seqName = chooseName(bind.catalog, schema.oid, undefined, name, s.col.name, 'seq', taken);
    taken.add(seqName);
    const spec = sequenceSpec(bind, s.options, undefined, s.col.type.id === 'int2' || s.col.type.id === 'int4' || s.col.type.id === 'int8' ? s.col.type : T.int8);
    const seq: SequenceObj = {
      kind: 'sequence', oid: await env.cat.allocOid(), dbOid: bind.dbOid, schemaOid: schema.oid, name: seqName, owner: bind.userOid,
      type: spec.type, start: spec.start, increment: spec.increment, min: spec.min, max: spec.max, cache: spec.cache, cycle: spec.cycle,
      ownedBy: { tableOid: oid, attnum: s.col.attnum },
    };
    seqObjs.push(seq);
    if (s.identity) {
      s.col.identity = s.identity;
      s.col.identitySeq = seq.oid;
    } else {
      // By OID, as PostgreSQL's stored default does: renames and schema moves keep it valid.
      s.col.default = `nextval('${seq.oid}'::regclass)`;
    }
  }
  const checkTexts = checks.map((c) => ({ c, text: checkText(env, table, c.expr) }));
  await env.createKeyspace(table.keyspace);
  env.cat.put(env.txn, table);
  for (const s of seqObjs) env.cat.put(env.txn, s);
  if (pkKeys) {
    const pkName = primary[0]!.name ?? chooseName(env.catalog(), schema.oid, oid, name, undefined, 'pkey', taken);
    taken.add(pkName);
    await createIndex(env, table, { name: pkName, keys: pkKeys, unique: true, primary: true, constraint: 'p' });
  }
  for (const k of keys.filter((x) => x.type === 'u')) {
    const ks: IndexKey[] = indexKeys(env, table, k.elems, 'unique constraint');
    const ixName = k.name ?? chooseName(env.catalog(), schema.oid, oid, name, ks.map((x) => table.columns[x.attnum - 1]!.name).join('_'), 'key', taken);
    taken.add(ixName);
    await createIndex(env, table, { name: ixName, keys: ks, unique: true, primary: false, constraint: 'u', ...(k.nullsNotDistinct ? { nullsNotDistinct: true } : {}) });
  }
  for (const { c, text } of checkTexts) {
    const conName = c.name ?? chooseName(env.catalog(), schema.oid, oid, name, c.column ?? firstColumn(env, table, c.expr), 'check', taken);
    taken.add(conName);
    env.cat.put(env.txn, {
      kind: 'constraint', oid: await env.cat.allocOid(), dbOid: table.dbOid, schemaOid: schema.oid, name: conName, tableOid: oid,
      type: 'c', attnums: [], check: text,
    });
  }
  for (const c of likeChecks) {
    env.cat.put(env.txn, {
      kind: 'constraint', oid: await env.cat.allocOid(), dbOid: table.dbOid, schemaOid: schema.oid, name: c.name, tableOid: oid,
      type: 'c', attnums: [], check: c.text,
    });
  }
  for (const fk of fks) await createForeignKey(env, table, fk, taken, false);
}

/** LIKE source [INCLUDING ...]: the source's columns (NOT NULL always; defaults, CHECKs, keys when included). */
function copyLike(bind: BindEnv, table: TableObj, el: A.LikeClause, keys: PendingKey[], checks: Array<{ name: string; text: string }>): void {
  const src = requireTable(bind, el.table);
  const opts = new Set<string>();
  for (const o of el.options ?? []) {
    const [mode, what] = o.toUpperCase().split(/\s+/) as [string, string];
    const all = what === 'ALL' ? ['DEFAULTS', 'CONSTRAINTS', 'INDEXES', 'IDENTITY', 'GENERATED', 'COMMENTS', 'STATISTICS', 'STORAGE', 'COMPRESSION'] : [what];
    for (const w of all) {
      if (mode === 'INCLUDING') opts.add(w);
      else opts.delete(w);
    }
  }
  const map = new Map<number, number>();
  for (const c of src.columns) {
    if (c.dropped) continue;
    if (table.columns.some((x) => x.name === c.name)) {
      throw errAt(bind, SqlState.duplicate_column, `column "${c.name}" specified more than once`, el.table[0]?.loc);
    }
    const col: ColumnObj = { attnum: table.nextAttnum++, name: c.name, type: c.type, notNull: c.notNull };
    if (opts.has('DEFAULTS') && c.default !== undefined) col.default = c.default;
    table.columns.push(col);
    map.set(c.attnum, col.attnum);
  }
  if (opts.has('CONSTRAINTS')) {
    for (const con of bind.catalog.constraintsOf(src.oid)) {
      if (con.type === 'c' && con.check !== undefined) checks.push({ name: con.name, text: con.check });
    }
  }
  if (opts.has('INDEXES')) {
    for (const ix of bind.catalog.indexesOf(src.oid)) {
      if (!ix.unique) continue;
      keys.push({
        type: ix.primary ? 'p' : 'u',
        elems: ix.keys.map((k) => ({
          expr: { kind: 'column', name: [{ value: src.columns[k.attnum - 1]!.name, quoted: true }] },
          ...(k.desc ? { dir: 'DESC' as const } : {}),
        })),
      });
    }
  }
  void map;
}

interface Pending {
  checks: PendingCheck[];
  keys: PendingKey[];
  fks: FkSpec[];
  seqs?: PendingSequence[];
  defaults?: Array<{ col: ColumnObj; expr: A.Expr }>;
}

/** Column constraints of one column definition (also used by ALTER TABLE ... ADD COLUMN). */
export function columnConstraints(env: DdlEnv, bind: BindEnv, table: TableObj, col: ColumnObj, def: A.ColumnDef, p: Pending): void {
  let sawNull = false;
  for (const c of def.constraints) {
    const conName = c.name ? fold(bind, c.name) : undefined;
    switch (c.type) {
      case 'not_null':
        if (sawNull) throw errAt(bind, SqlState.syntax_error, `conflicting NULL/NOT NULL declarations for column "${col.name}" of table "${table.name}"`, def.loc);
        col.notNull = true;
        break;
      case 'null':
        if (col.notNull && !col.identity) throw errAt(bind, SqlState.syntax_error, `conflicting NULL/NOT NULL declarations for column "${col.name}" of table "${table.name}"`, def.loc);
        sawNull = true;
        break;
      case 'default':
        if (p.seqs?.some((s) => s.col === col)) {
          throw errAt(bind, SqlState.syntax_error, `multiple default values specified for column "${col.name}" of table "${table.name}"`, def.loc);
        }
        p.defaults?.push({ col, expr: c.expr });
        break;
      case 'primary_key':
        p.keys.push({ type: 'p', ...(conName ? { name: conName } : {}), elems: [{ expr: { kind: 'column', name: [{ value: col.name, quoted: true }] } }], loc: def.loc });
        break;
      case 'unique':
        p.keys.push({
          type: 'u', ...(conName ? { name: conName } : {}), elems: [{ expr: { kind: 'column', name: [{ value: col.name, quoted: true }] } }], loc: def.loc,
          ...(c.nullsDistinct === false ? { nullsNotDistinct: true } : {}),
        });
        break;
      case 'check':
        p.checks.push({ ...(conName ? { name: conName } : {}), expr: c.expr, column: col.name });
        break;
      case 'references':
        p.fks.push({
          ...(conName ? { name: conName } : {}), columns: [{ value: col.name, quoted: true }], ref: c.ref, loc: def.loc,
          ...(c.deferrable !== undefined ? { deferrable: c.deferrable } : {}), ...(c.initially ? { initially: c.initially } : {}),
        });
        break;
      case 'identity': {
        if (c.syntax !== 'generated') throw errAt(bind, SqlState.feature_not_supported, 'this identity syntax is not supported in this dialect', def.loc);
        if (!['int2', 'int4', 'int8'].includes(col.type.id)) {
          throw errAt(bind, SqlState.invalid_parameter_value, `identity column type must be smallint, integer, or bigint`, def.loc);
        }
        if (p.defaults?.some((d) => d.col === col) || p.seqs?.some((s) => s.col === col)) {
          throw errAt(bind, SqlState.syntax_error, `both default and identity specified for column "${col.name}" of table "${table.name}"`, def.loc);
        }
        col.notNull = true;
        p.seqs?.push({ col, identity: c.always ? 'a' : 'd', options: c.options ?? [] });
        break;
      }
      case 'generated':
        throw errAt(bind, SqlState.feature_not_supported, 'generated columns are not supported yet', def.loc);
      case 'collate': {
        const coll = c.collation.map((id) => fold(bind, id)).join('.');
        if (!['C', 'POSIX', 'default', 'pg_catalog.C', 'pg_catalog.default'].includes(coll)) {
          throw errAt(bind, SqlState.undefined_object, `collation "${coll}" for encoding "UTF8" does not exist`, def.loc);
        }
        break;
      }
      default:
        throw errAt(bind, SqlState.feature_not_supported, `column constraint ${c.type} is not supported in this dialect`, def.loc);
    }
    void env;
  }
}

function tableConstraint(bind: BindEnv, el: A.TableConstraint, p: Pending): void {
  const name = el.name ? fold(bind, el.name) : undefined;
  switch (el.type) {
    case 'primary_key':
    case 'unique':
      if (el.include?.length) throw errAt(bind, SqlState.feature_not_supported, 'INCLUDE columns are not supported yet', el.loc);
      p.keys.push({
        type: el.type === 'primary_key' ? 'p' : 'u', ...(name ? { name } : {}), elems: el.columns ?? [], loc: el.loc,
        ...(el.nullsDistinct === false ? { nullsNotDistinct: true } : {}),
      });
      break;
    case 'check':
      p.checks.push({ ...(name ? { name } : {}), expr: el.expr! });
      break;
    case 'foreign_key':
      p.fks.push({
        ...(name ? { name } : {}), columns: el.fkColumns ?? [], ref: el.ref!, loc: el.loc,
        ...(el.deferrable !== undefined ? { deferrable: el.deferrable } : {}), ...(el.initially ? { initially: el.initially } : {}),
      });
      break;
    default:
      throw errAt(bind, SqlState.feature_not_supported, `table constraint ${el.type} is not supported in this dialect`, el.loc);
  }
}

/** Adds one table constraint to an existing table (ALTER TABLE ... ADD CONSTRAINT), validating its rows. */
export async function addTableConstraint(env: DdlEnv, table: TableObj, el: A.TableConstraint): Promise<void> {
  const bind = env.bindEnv();
  const p: Pending = { checks: [], keys: [], fks: [] };
  tableConstraint(bind, el, p);
  const taken = new Set<string>();
  for (const k of p.keys) {
    if (k.type === 'p') {
      if (table.pk) throw errAt(bind, '42P16', `multiple primary keys for table "${table.name}" are not allowed`, el.loc);
      throw errAt(bind, SqlState.feature_not_supported, 'adding a primary key to an existing table is not supported yet', el.loc, {
        hint: 'Declare the primary key in CREATE TABLE.',
      });
    }
    const ks = indexKeys(env, table, k.elems, 'unique constraint');
    const ixName = k.name ?? chooseName(env.catalog(), table.schemaOid, table.oid, table.name, ks.map((x) => table.columns[x.attnum - 1]!.name).join('_'), 'key', taken);
    const ix = await createIndex(env, table, { name: ixName, keys: ks, unique: true, primary: false, constraint: 'u', ...(k.nullsNotDistinct ? { nullsNotDistinct: true } : {}) });
    buildIndex(env, table, ix);
  }
  for (const c of p.checks) {
    const text = checkText(env, table, c.expr);
    const conName = c.name ?? chooseName(env.catalog(), table.schemaOid, table.oid, table.name, firstColumn(env, table, c.expr), 'check', taken);
    if (env.catalog().constraint(table.oid, conName)) {
      throw errAt(bind, SqlState.duplicate_object, `constraint "${conName}" for relation "${table.name}" already exists`, el.loc);
    }
    validateCheck(env, table, conName, text);
    env.cat.put(env.txn, {
      kind: 'constraint', oid: await env.cat.allocOid(), dbOid: table.dbOid, schemaOid: table.schemaOid, name: conName,
      tableOid: table.oid, type: 'c', attnums: [], check: text,
    });
  }
  for (const fk of p.fks) await createForeignKey(env, table, fk, taken, true);
}

/** CREATE TABLE name AS query: the columns are the query's; its rows are inserted. */
async function createTableAs(env: DdlEnv, stmt: A.CreateTable, table: TableObj, schema: SchemaObj): Promise<string> {
  const bind = env.bindEnv();
  const q = bindQuery({ env: bind, scope: new Scope() }, stmt.asQuery!);
  const names = stmt.elements.filter((e): e is A.ColumnDef => e.kind === 'column_def').map((e) => fold(bind, e.name));
  if (names.length > q.cols.length) throw errAt(bind, SqlState.syntax_error, 'too many column names were specified', stmt.loc);
  q.cols.forEach((c, i) => {
    const type: SqlType = c.type.id === 'unknown' ? T.text : c.type;
    const name = names[i] ?? c.name;
    if (table.columns.some((x) => x.name === name)) throw errAt(bind, SqlState.duplicate_column, `column "${name}" specified more than once`, stmt.loc);
    table.columns.push({ attnum: table.nextAttnum++, name, type, notNull: false });
  });
  void schema;
  await env.createKeyspace(table.keyspace);
  env.cat.put(env.txn, table);
  if (stmt.withData === false) return 'CREATE TABLE AS';
  const input: Plan = {
    n: 'project', cols: table.columns.map((c) => ({ name: c.name, type: c.type })), input: q.plan,
    exprs: q.cols.map((c, i): Expr => ({ k: 'col', type: c.type, index: i })),
  };
  const plan: Plan = { n: 'modify', cols: [], op: 'insert', tableOid: table.oid, input, targetAttnums: table.columns.map((c) => c.attnum) };
  const ctx = env.execContext();
  const op = buildOperator(plan) as ModifyOp;
  await drain(ctx, op, () => {});
  return `SELECT ${op.count}`;
}
