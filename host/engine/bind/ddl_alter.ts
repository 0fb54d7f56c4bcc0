// ALTER TABLE: ADD / DROP / RENAME COLUMN, ALTER COLUMN SET / DROP DEFAULT
// and NOT NULL, ADD / DROP CONSTRAINT, RENAME TO.
//
// ADD COLUMN with a stable default on a table with rows records the default
// as the column's `missing` value (rows written before read it, as
// PostgreSQL's attmissingval); a volatile default (nextval, random()) or an
// identity column rewrites the existing rows with a value each.

import type * as A from '../../../sql-dialects/index.ts';
import { postgres } from '../../../sql-dialects/index.ts';
import { printExpr } from '../../../sql-dialects/print_expr.ts';
import type { ColumnObj, SequenceObj, TableObj } from '../catalog/objects.ts';
import { SqlState } from '../sb_error.ts';
import { compileExpr } from '../exec/expr.ts';
import { compileEnv } from '../exec/build.ts';
import { formatText } from '../types/text_io.ts';
import { defaultTypeContext } from '../types/context.ts';
import { rowIndependent } from '../plan/access.ts';
import type { Expr } from '../plan/nodes.ts';
import { errAt, fold } from './context.ts';
import { exprKey } from './coerce.ts';
import { foldQName, lookupRelation, requireTable, resolveType } from './names.ts';
import { followTableChange } from './index_exprs.ts';
import { bindDefault, parseExprText } from './dml_common.ts';
import { type DdlEnv, chooseName, sequenceSpec } from './ddl_env.ts';
import { columnDependentViews, dropColumnDependentViews, renameInDependentViews } from './ddl_drop.ts';
import { addTableConstraint, columnConstraints, defaultText } from './ddl_table.ts';
import { addPrimaryKey, alterColumnType, dropPrimaryKey } from './ddl_rewrite.ts';
import { buildIndex, checkText, createForeignKey, createIndex, forEachRow, indexKeys, validateCheck, validateNotNull } from './ddl_constraints.ts';

/** The fixed settings `missing` values are written and read with (independent of the session's). */
export const MISSING_VALUE_CONTEXT = defaultTypeContext({ timeZone: 'UTC', now: () => 0 });

export async function alterTable(env: DdlEnv, stmt: A.AlterTable): Promise<void> {
  const bind = env.bindEnv();
  const rel = stmt.objectType === 'VIEW' || stmt.objectType === undefined ? lookupRelation(bind, stmt.name) : undefined;
  if (rel?.kind === 'view' && stmt.actions.every((a) => a.action === 'rename_table')) {
    // ALTER VIEW (or ALTER TABLE) ... RENAME TO on a view; views over it follow the new name.
    let v = rel;
    for (const a of stmt.actions) {
      if (a.action !== 'rename_table') continue;
      const name = fold(bind, a.to[a.to.length - 1]!);
      if (bind.catalog.relation(v.schemaOid, name)) throw errAt(bind, SqlState.duplicate_table, `relation "${name}" already exists`, stmt.loc);
      renameInDependentViews(env, v.oid, (bind.catalog.get(v.schemaOid) as { name: string }).name, name);
      v = { ...v, name };
      env.cat.put(env.txn, v);
    }
    return;
  }
  if ((stmt.objectType === 'INDEX' || stmt.objectType === undefined) && stmt.actions.every((a) => a.action === 'rename_table')) {
    // ALTER INDEX ... RENAME TO (ALTER TABLE works on an index too); a constraint the index backs is renamed with it.
    let ix = lookupRelation(bind, stmt.name);
    if (ix?.kind === 'index') {
      for (const a of stmt.actions) {
        if (a.action !== 'rename_table') continue;
        const name = fold(bind, a.to[a.to.length - 1]!);
        if (env.catalog().relation(ix.schemaOid, name)) throw errAt(bind, SqlState.duplicate_table, `relation "${name}" already exists`, stmt.loc);
        const con = env.catalog().constraint(ix.tableOid, ix.name);
        if (con && (con.type === 'p' || con.type === 'u')) env.cat.put(env.txn, { ...con, name });
        ix = { ...ix, name };
        env.cat.put(env.txn, ix);
      }
      return;
    }
    if (stmt.objectType === 'INDEX') {
      if (!ix && stmt.ifExists) {
        env.notice(`relation "${foldQName(bind, stmt.name).join('.')}" does not exist, skipping`);
        return;
      }
      if (!ix) throw errAt(bind, SqlState.undefined_table, `relation "${foldQName(bind, stmt.name).join('.')}" does not exist`, stmt.loc);
      throw errAt(bind, SqlState.wrong_object_type, `"${ix.name}" is not an index`, stmt.loc);
    }
  }
  if (stmt.objectType === 'VIEW' && rel && rel.kind !== 'view') {
    throw errAt(bind, SqlState.wrong_object_type, `"${rel.name}" is not a view`, stmt.loc);
  }
  if (stmt.objectType === 'MATERIALIZED VIEW') {
    // ALTER MATERIALIZED VIEW: renames (the view, a column), owner, schema; the rows keep their storage.
    const mv = lookupRelation(bind, stmt.name);
    if (mv && !(mv.kind === 'table' && mv.matview)) throw errAt(bind, SqlState.wrong_object_type, `"${mv.name}" is not a materialized view`, stmt.loc);
    const bad = stmt.actions.find((a) => !['rename_table', 'rename_column', 'owner_to', 'set_schema'].includes(a.action));
    if (bad) throw errAt(bind, SqlState.feature_not_supported, `ALTER MATERIALIZED VIEW ... ${bad.action.replace(/_/g, ' ').toUpperCase()} is not supported yet`, stmt.loc);
  }
  let t: TableObj;
  try {
    t = requireTable(bind, stmt.name);
  } catch (e) {
    if (stmt.ifExists && (e as { code?: string }).code === SqlState.undefined_table) {
      env.notice(`relation "${stmt.name.map((i) => fold(bind, i)).join('.')}" does not exist, skipping`);
      return;
    }
    throw e;
  }
  const before = t;
  for (const action of stmt.actions) {
    t = env.catalog().table(t.oid)!;
    await alterAction(env, t, action, stmt.loc);
  }
  const after = env.catalog().table(t.oid);
  if (after) followTableChange(env, before, after);
}

function column(env: DdlEnv, t: TableObj, id: A.Ident): ColumnObj | undefined {
  const name = fold(env.bindEnv(), id);
  return t.columns.find((c) => !c.dropped && c.name === name);
}

function requireColumn(env: DdlEnv, t: TableObj, id: A.Ident): ColumnObj {
  const c = column(env, t, id);
  if (!c) throw errAt(env.bindEnv(), SqlState.undefined_column, `column "${fold(env.bindEnv(), id)}" of relation "${t.name}" does not exist`, id.loc);
  return c;
}

function withColumn(t: TableObj, c: ColumnObj): TableObj {
  return { ...t, columns: t.columns.map((x) => (x.attnum === c.attnum ? c : x)) };
}

async function alterAction(env: DdlEnv, t: TableObj, a: A.AlterTableAction, loc?: A.Loc): Promise<void> {
  const bind = env.bindEnv();
  switch (a.action) {
    case 'add_column':
      if (a.position) throw errAt(bind, SqlState.feature_not_supported, 'column positions are not supported in this dialect', loc);
      return addColumn(env, t, a.column, a.ifNotExists === true);
    case 'drop_column': {
      const c = column(env, t, a.name);
      if (!c) {
        if (a.ifExists) {
          env.notice(`column "${fold(bind, a.name)}" of relation "${t.name}" does not exist, skipping`);
          return;
        }
        requireColumn(env, t, a.name);
      }
      dropColumnDependentViews(env, t, c!.name, a.behavior === 'CASCADE', loc);
      return dropColumn(env, t, c!, a.behavior === 'CASCADE', loc);
    }
    case 'rename_column':
      return renameColumn(env, t, requireColumn(env, t, a.from), fold(bind, a.to), loc);
    case 'rename_table': {
      const name = fold(bind, a.to[a.to.length - 1]!);
      if (bind.catalog.relation(t.schemaOid, name)) throw errAt(bind, SqlState.duplicate_table, `relation "${name}" already exists`, loc);
      renameInDependentViews(env, t.oid, (bind.catalog.get(t.schemaOid) as { name: string }).name, name);
      env.cat.put(env.txn, { ...t, name });
      return;
    }
    case 'alter_column':
      return alterColumn(env, t, requireColumn(env, t, a.name), a.change, loc);
    case 'add_constraint':
      if (a.constraint.type === 'primary_key') {
        const name = a.constraint.name ? fold(bind, a.constraint.name) : chooseName(env.catalog(), t.schemaOid, t.oid, t.name, undefined, 'pkey');
        return addPrimaryKey(env, t, name, a.constraint.columns ?? [], loc);
      }
      return addTableConstraint(env, t, a.constraint);
    case 'set_schema': {
      const name = fold(bind, a.schema);
      const s = bind.catalog.schema(bind.dbOid, name);
      if (!s) throw errAt(bind, SqlState.invalid_schema_name, `schema "${name}" does not exist`, a.schema.loc);
      if (s.oid === t.schemaOid) return;
      // The table moves with its indexes and owned sequences.
      const catalog = env.catalog();
      const moving = [t, ...catalog.indexesOf(t.oid), ...catalog.ofKind('sequence').filter((q) => q.ownedBy?.tableOid === t.oid)];
      for (const o of moving) {
        if (catalog.relation(s.oid, o.name)) throw errAt(bind, SqlState.duplicate_table, `relation "${o.name}" already exists in schema "${name}"`, loc);
      }
      for (const o of moving) env.cat.put(env.txn, { ...o, schemaOid: s.oid });
      for (const c of catalog.constraintsOf(t.oid)) env.cat.put(env.txn, { ...c, schemaOid: s.oid });
      return;
    }
    case 'drop_constraint': {
      const name = fold(bind, a.name);
      const con = env.catalog().constraint(t.oid, name);
      if (!con) {
        if (a.ifExists) {
          env.notice(`constraint "${name}" of relation "${t.name}" does not exist, skipping`);
          return;
        }
        throw errAt(bind, SqlState.undefined_object, `constraint "${name}" of relation "${t.name}" does not exist`, a.name.loc);
      }
      return dropConstraint(env, t, con.oid, a.behavior === 'CASCADE', loc);
    }
    default:
      throw errAt(bind, SqlState.feature_not_supported, `ALTER TABLE ... ${a.action.replace(/_/g, ' ').toUpperCase()} is not supported yet`, loc);
  }
}

async function addColumn(env: DdlEnv, t: TableObj, def: A.ColumnDef, ifNotExists: boolean): Promise<void> {
  const bind = env.bindEnv();
  const name = fold(bind, def.name);
  if (t.columns.some((c) => !c.dropped && c.name === name)) {
    if (ifNotExists) {
      env.notice(`column "${name}" of relation "${t.name}" already exists, skipping`);
      return;
    }
    throw errAt(bind, SqlState.duplicate_column, `column "${name}" of relation "${t.name}" already exists`, def.name.loc);
  }
  if (!def.type) throw errAt(bind, SqlState.syntax_error, `column "${name}" has no type`, def.loc);
  const { type, serial } = resolveType(bind, def.type);
  const col: ColumnObj = { attnum: t.nextAttnum, name, type, notNull: false };
  let table: TableObj = { ...t, columns: [...t.columns, col], nextAttnum: t.nextAttnum + 1 };
  const pending = {
    checks: [] as Array<{ name?: string; expr: A.Expr; column?: string }>,
    keys: [] as Array<{ type: 'p' | 'u'; name?: string; elems: A.IndexElem[]; loc?: A.Loc }>,
    fks: [] as Array<{ name?: string; columns: A.Ident[]; ref: A.ForeignKeyRef; loc?: A.Loc }>,
    seqs: serial ? [{ col, options: [] as A.SqlOption[] }] as Array<{ col: ColumnObj; identity?: 'a' | 'd'; options: A.SqlOption[] }> : [],
    defaults: [] as Array<{ col: ColumnObj; expr: A.Expr }>,
  };
  if (serial) col.notNull = true;
  columnConstraints(env, bind, table, col, def, pending);
  for (const d of pending.defaults) col.default = defaultText(bind, col, d.expr);
  const taken = new Set<string>();
  for (const s of pending.seqs) {
    const seqName = chooseName(bind.catalog, t.schemaOid, undefined, t.name, col.name, 'seq', taken);
    taken.add(seqName);
    const spec = sequenceSpec(bind, s.options, undefined, col.type);
    const seq: SequenceObj = {
      kind: 'sequence', oid: await env.cat.allocOid(), dbOid: t.dbOid, schemaOid: t.schemaOid, name: seqName, owner: bind.userOid,
      type: spec.type, start: spec.start, increment: spec.increment, min: spec.min, max: spec.max, cache: spec.cache, cycle: spec.cycle,
      ownedBy: { tableOid: t.oid, attnum: col.attnum },
    };
    env.cat.put(env.txn, seq);
    if (s.identity) {
      col.identity = s.identity;
      col.identitySeq = seq.oid;
    } else {
      col.default = `nextval('${seq.oid}'::regclass)`;
    }
  }
  env.cat.put(env.txn, table);
  // Existing rows: a stable default is recorded once; a volatile one is computed per row.
  const value = bindDefault(env.bindEnv(), table, col);
  const rows: Array<{ row: unknown[]; key: Uint8Array }> = [];
  forEachRow(env, t, (row, key) => rows.push({ row, key }));
  if (rows.length > 0) {
    const fn = compileExpr(value, compileEnv);
    const ctx = env.execContext();
    if (isStable(value)) {
      const v = fn({ length: 1, cols: [] }, ctx)[0];
      if (v !== null && v !== undefined) {
        col.missing = formatText(col.type, v, MISSING_VALUE_CONTEXT);
        table = withColumn(table, col);
        env.cat.put(env.txn, table);
      }
    } else {
      const ta = env.execContext().tables.get(t.oid);
      for (const r of rows) {
        const full = [...r.row];
        while (full.length < table.columns.length) full.push(null);
        full[col.attnum - 1] = fn({ length: 1, cols: [] }, ctx)[0];
        const res = env.txn.tryWrite(ta.ks, r.key, ta.encode(full), 'put');
        if (res !== 'ok') throw errAt(bind, SqlState.lock_not_available, `could not rewrite "${t.name}": a row is locked by a concurrent transaction`);
      }
    }
    if (col.notNull) validateNotNull(env, table, col.attnum);
  }
  table = env.catalog().table(t.oid)!;
  for (const k of pending.keys) {
    if (k.type === 'p') {
      throw errAt(bind, SqlState.feature_not_supported, 'adding a primary key to an existing table is not supported yet', def.loc);
    }
    const ks = indexKeys(env, table, k.elems, 'unique constraint');
    const ixName = k.name ?? chooseName(env.catalog(), t.schemaOid, t.oid, t.name, col.name, 'key', taken);
    taken.add(ixName);
    const ix = await createIndex(env, table, { name: ixName, keys: ks, unique: true, primary: false, constraint: 'u' });
    buildIndex(env, table, ix);
  }
  for (const c of pending.checks) {
    const text = checkText(env, table, c.expr);
    const conName = c.name ?? chooseName(env.catalog(), t.schemaOid, t.oid, t.name, col.name, 'check', taken);
    taken.add(conName);
    validateCheck(env, table, conName, text);
    env.cat.put(env.txn, {
      kind: 'constraint', oid: await env.cat.allocOid(), dbOid: t.dbOid, schemaOid: t.schemaOid, name: conName, tableOid: t.oid,
      type: 'c', attnums: [], check: text,
    });
  }
  for (const fk of pending.fks) await createForeignKey(env, table, fk, taken, true);
}

/** A default computed once for all existing rows (no volatile call, no sequence). */
function isStable(e: Expr): boolean {
  return rowIndependent(e) && !exprKey(e).includes('"k":"nextval"');
}

function mentionsColumn(text: string, name: string): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const node = x as { kind?: string; name?: A.Ident[] };
    if (node.kind === 'column' && node.name) {
      const id = node.name[node.name.length - 1]!;
      if ((id.quoted ? id.value : id.value.toLowerCase()) === name) found = true;
      return;
    }
    for (const v of Object.values(node)) visit(v);
  };
  visit(parseExprText(text));
  return found;
}

function dropColumn(env: DdlEnv, t: TableObj, c: ColumnObj, cascade: boolean, loc?: A.Loc): void {
  if (t.pk?.includes(c.attnum)) {
    // The primary key goes with its column; the rows are re-keyed by row id.
    dropPrimaryKey(env, t, cascade, loc);
    t = env.catalog().table(t.oid)!;
  }
  const catalog = env.catalog();
  for (const con of catalog.constraintsOf(t.oid)) {
    const involved = con.attnums.includes(c.attnum) || (con.type === 'c' && con.check !== undefined && mentionsColumn(con.check, c.name));
    if (involved) dropConstraint(env, t, con.oid, cascade, loc);
  }
  for (const ix of env.catalog().indexesOf(t.oid)) {
    if (ix.keys.some((k) => k.attnum === c.attnum)) {
      env.cat.remove(env.txn, ix);
      if (!ix.primary) env.dropKeyspaceOnCommit(ix.keyspace);
    }
  }
  for (const s of catalog.ofKind('sequence')) {
    if (s.ownedBy?.tableOid === t.oid && s.ownedBy.attnum === c.attnum) {
      env.cat.remove(env.txn, s);
      env.sequences.reset(s.oid);
    }
  }
  const dropped: ColumnObj = { attnum: c.attnum, name: `........pg.dropped.${c.attnum}........`, type: c.type, notNull: false, dropped: true };
  env.cat.put(env.txn, withColumn(env.catalog().table(t.oid)!, dropped));
}

function renameColumn(env: DdlEnv, t: TableObj, c: ColumnObj, to: string, loc?: A.Loc): void {
  const bind = env.bindEnv();
  if (t.columns.some((x) => !x.dropped && x.name === to)) {
    throw errAt(bind, SqlState.duplicate_column, `column "${to}" of relation "${t.name}" already exists`, loc);
  }
  env.cat.put(env.txn, withColumn(t, { ...c, name: to }));
  // CHECK constraints are stored as text: rename the column in them.
  for (const con of env.catalog().constraintsOf(t.oid)) {
    if (con.type !== 'c' || con.check === undefined || !mentionsColumn(con.check, c.name)) continue;
    const ast = parseExprText(con.check);
    const visit = (x: unknown): void => {
      if (x === null || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(visit);
      const node = x as { kind?: string; name?: A.Ident[] };
      if (node.kind === 'column' && node.name) {
        const id = node.name[node.name.length - 1]!;
        if ((id.quoted ? id.value : id.value.toLowerCase()) === c.name) node.name[node.name.length - 1] = { value: to, quoted: true };
        return;
      }
      for (const v of Object.values(node)) visit(v);
    };
    visit(ast);
    env.cat.put(env.txn, { ...con, check: printExpr(ast, postgres) });
  }
}

async function alterColumn(env: DdlEnv, t: TableObj, c: ColumnObj, change: A.AlterColumnChange, loc?: A.Loc): Promise<void> {
  const bind = env.bindEnv();
  switch (change.type) {
    case 'set_default':
      if (c.identity) throw errAt(bind, SqlState.syntax_error, `column "${c.name}" of relation "${t.name}" is an identity column`, loc, { hint: 'Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead.' });
      env.cat.put(env.txn, withColumn(t, { ...c, default: defaultText(bind, c, change.expr) }));
      return;
    case 'drop_default': {
      const next = { ...c };
      delete next.default;
      env.cat.put(env.txn, withColumn(t, next));
      return;
    }
    case 'set_not_null':
      if (!c.notNull) validateNotNull(env, t, c.attnum);
      env.cat.put(env.txn, withColumn(t, { ...c, notNull: true }));
      return;
    case 'drop_not_null':
      if (t.pk?.includes(c.attnum)) throw errAt(bind, '42P16', `column "${c.name}" is in a primary key`, loc);
      if (c.identity) throw errAt(bind, '42P16', `column "${c.name}" of relation "${t.name}" is an identity column`, loc);
      env.cat.put(env.txn, withColumn(t, { ...c, notNull: false }));
      return;
    case 'rename_to':
      return renameColumn(env, t, c, fold(bind, change.name), loc);
    case 'restart': {
      const seq = c.identitySeq !== undefined ? env.catalog().get(c.identitySeq) : undefined;
      if (!seq || seq.kind !== 'sequence') {
        throw errAt(bind, SqlState.object_not_in_prerequisite_state, `column "${c.name}" of relation "${t.name}" is not an identity column`, loc);
      }
      let value = seq.start;
      if (change.value) {
        const v = change.value.kind === 'unary' && change.value.operand.kind === 'number' ? -Number(change.value.operand.value) : change.value.kind === 'number' ? Number(change.value.value) : NaN;
        if (!Number.isInteger(v)) throw errAt(bind, SqlState.syntax_error, 'RESTART WITH requires an integer', loc);
        value = v;
      }
      env.sequences.setval(env.txn, seq, value, false, env.store.clock.now());
      return;
    }
    case 'set_type': {
      const { type } = resolveType(bind, change.dataType);
      if (type.id === c.type.id && type.typmod === c.type.typmod && !change.using) return;
      const views = columnDependentViews(env, t.oid, c.name);
      if (views.length > 0) {
        throw errAt(bind, SqlState.feature_not_supported, 'cannot alter type of a column used by a view or rule', loc, {
          detail: `rule _RETURN on view ${views[0]!.name} depends on column "${c.name}"`,
        });
      }
      return alterColumnType(env, t, c, change, loc);
    }
    case 'add_identity': {
      // PostgreSQL's ATExecAddIdentity: NOT NULL first, not already identity, no default (55000 each).
      const where = `column "${c.name}" of relation "${t.name}"`;
      if (!c.notNull) throw errAt(bind, SqlState.object_not_in_prerequisite_state, `${where} must be declared NOT NULL before identity can be added`, loc);
      if (c.identity) throw errAt(bind, SqlState.object_not_in_prerequisite_state, `${where} is already an identity column`, loc);
      if (c.default !== undefined) throw errAt(bind, SqlState.object_not_in_prerequisite_state, `${where} already has a default value`, loc);
      const seqName = chooseName(bind.catalog, t.schemaOid, undefined, t.name, c.name, 'seq');
      const spec = sequenceSpec(bind, change.options ?? [], undefined, c.type);
      const seq: SequenceObj = {
        kind: 'sequence', oid: await env.cat.allocOid(), dbOid: t.dbOid, schemaOid: t.schemaOid, name: seqName, owner: bind.userOid,
        type: spec.type, start: spec.start, increment: spec.increment, min: spec.min, max: spec.max, cache: spec.cache, cycle: spec.cycle,
        ownedBy: { tableOid: t.oid, attnum: c.attnum },
      };
      env.cat.put(env.txn, seq);
      env.cat.put(env.txn, withColumn(t, { ...c, identity: change.always ? 'a' : 'd', identitySeq: seq.oid }));
      return;
    }
    case 'drop_identity': {
      if (!c.identity) {
        const msg = `column "${c.name}" of relation "${t.name}" is not an identity column`;
        if (change.ifExists) {
          env.notice(`${msg}, skipping`);
          return;
        }
        throw errAt(bind, SqlState.object_not_in_prerequisite_state, msg, loc);
      }
      const next = { ...c };
      delete next.identity;
      delete next.identitySeq;
      env.cat.put(env.txn, withColumn(t, next));
      const seq = c.identitySeq !== undefined ? env.catalog().get(c.identitySeq) : undefined;
      if (seq && seq.kind === 'sequence') {
        env.cat.remove(env.txn, seq);
        env.sequences.reset(seq.oid);
      }
      return;
    }
    default:
      throw errAt(bind, SqlState.feature_not_supported, `ALTER COLUMN ... ${change.type.replace(/_/g, ' ').toUpperCase()} is not supported yet`, loc);
  }
}

function dropConstraint(env: DdlEnv, t: TableObj, conOid: number, cascade: boolean, loc?: A.Loc): void {
  const bind = env.bindEnv();
  const catalog = env.catalog();
  const con = catalog.get(conOid);
  if (!con || con.kind !== 'constraint') return;
  if (con.type === 'p') return dropPrimaryKey(env, t, cascade, loc);
  if (con.type === 'u' && con.indexOid !== undefined) {
    // Foreign keys that rely on this unique constraint depend on it.
    const keySet = con.attnums;
    const same = (a: number[]): boolean => a.length === keySet.length && a.every((x) => keySet.includes(x));
    const deps = catalog.referencing(t.oid).filter((fk) => same(fk.ref!.attnums) && !(t.pk && same(t.pk)));
    if (deps.length > 0 && !cascade) {
      throw errAt(bind, '2BP01', `cannot drop constraint ${con.name} on table ${t.name} because other objects depend on it`, loc, {
        detail: deps.map((d) => `constraint ${d.name} on table ${catalog.table(d.tableOid)?.name} depends on index ${con.name}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    for (const d of deps) {
      env.notice(`drop cascades to constraint ${d.name} on table ${catalog.table(d.tableOid)?.name}`);
      env.cat.remove(env.txn, d);
    }
    const ix = catalog.get(con.indexOid);
    if (ix?.kind === 'index') {
      env.cat.remove(env.txn, ix);
      env.dropKeyspaceOnCommit(ix.keyspace);
    }
  }
  env.cat.remove(env.txn, con);
}
