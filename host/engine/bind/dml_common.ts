// What INSERT, UPDATE and DELETE share: the target table's scope (its row
// laid out by attribute number, as the executor's modify input expects),
// column defaults, CHECK constraints and RETURNING lists.

import type * as A from '../../../sql-dialects/index.ts';
import { parse, postgres } from '../../../sql-dialects/index.ts';
import { SqlState } from '../sb_error.ts';
import type { ColInfo, Expr } from '../plan/nodes.ts';
import type { ColumnObj, TableObj } from '../catalog/objects.ts';
import { type BindEnv, type Cx, errAt, fold } from './context.ts';
import { coerceAssign, coerceBool } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { finalizeRow } from './expr_special.ts';
import { figureColname } from './select.ts';
import { Scope } from './scope.ts';

/** A scope holding one table at positions attnum - 1 (also used for CHECK and RETURNING). */
export function tableScope(env: BindEnv, t: TableObj, alias?: string, parent?: Scope): Cx {
  const scope = new Scope(parent);
  const cols = t.columns.filter((c) => !c.dropped).map((c) => ({
    name: c.name, type: c.type, index: c.attnum - 1, tableOid: t.oid, attnum: c.attnum,
  }));
  const schema = env.catalog.get(t.schemaOid);
  scope.addPlaced(alias ?? t.name, cols, t.columns.length, {
    tableOid: t.oid, ...(schema?.kind === 'schema' && !alias ? { schema: schema.name } : {}),
  });
  return { env, scope };
}

/** Parses an expression stored as SQL text (defaults, CHECK constraints). */
export function parseExprText(text: string): A.Expr {
  const stmts = parse(`SELECT ${text}`, postgres);
  const q = stmts[0];
  if (q?.kind === 'select' && q.body.kind === 'select_core' && q.body.columns.length === 1) return q.body.columns[0]!.expr;
  throw new Error(`not an expression: ${text}`);
}

/** The value a column gets when none is given: its DEFAULT, its identity sequence, or NULL. */
export function bindDefault(env: BindEnv, t: TableObj, col: ColumnObj): Expr {
  if (col.identitySeq !== undefined) return { k: 'nextval', type: col.type, seqOid: col.identitySeq };
  if (col.default === undefined) return { k: 'const', type: col.type, value: null };
  const cx: Cx = { env: { ...env, sql: col.default }, scope: new Scope() };
  const e = bindExpr(cx, parseExprText(col.default));
  return coerceAssign(cx, e, col.type, col.name);
}

/**
 * The defaults ON DELETE/UPDATE SET DEFAULT actions may need: every column of
 * a foreign key with that action, on tables reachable through cascades.
 */
export function fkDefaults(env: BindEnv, tableOid: number): Array<{ tableOid: number; attnum: number; expr: Expr }> {
  const out: Array<{ tableOid: number; attnum: number; expr: Expr }> = [];
  const seen = new Set<number>();
  const visit = (oid: number): void => {
    if (seen.has(oid)) return;
    seen.add(oid);
    for (const fk of env.catalog.referencing(oid)) {
      const child = env.catalog.table(fk.tableOid);
      if (!child) continue;
      if (fk.ref!.onDelete === 'd' || fk.ref!.onUpdate === 'd') {
        for (const a of fk.attnums) {
          if (!out.some((d) => d.tableOid === child.oid && d.attnum === a)) {
            out.push({ tableOid: child.oid, attnum: a, expr: bindDefault(env, child, child.columns[a - 1]!) });
          }
        }
      }
      if (fk.ref!.onDelete !== 'a' && fk.ref!.onDelete !== 'r') visit(child.oid);
      else if (fk.ref!.onUpdate !== 'a' && fk.ref!.onUpdate !== 'r') visit(child.oid);
    }
  };
  visit(tableOid);
  return out;
}

/** The table's CHECK constraints, bound over its row. */
export function bindChecks(env: BindEnv, t: TableObj): Array<{ name: string; expr: Expr }> {
  const out: Array<{ name: string; expr: Expr }> = [];
  for (const con of env.catalog.constraintsOf(t.oid)) {
    if (con.type !== 'c' || con.check === undefined) continue;
    const cx = tableScope({ ...env, sql: con.check }, t);
    out.push({ name: con.name, expr: coerceBool(cx, bindExpr(cx, parseExprText(con.check)), 'CHECK') });
  }
  return out;
}

/** RETURNING items over the table row (new row for INSERT/UPDATE, old row for DELETE). */
export function bindReturning(cx: Cx, items: A.SelectItem[]): { exprs: Expr[]; cols: ColInfo[] } {
  const exprs: Expr[] = [];
  const cols: ColInfo[] = [];
  for (const item of items) {
    if (item.expr.kind === 'star') {
      const q = item.expr.qualifier?.map((id) => fold(cx, id));
      const entries = q ? cx.scope.entriesNamed(q) : cx.scope.entries;
      if (q && entries.length === 0) throw errAt(cx, SqlState.undefined_table, `missing FROM-clause entry for table "${q[q.length - 1]}"`, item.expr.loc);
      for (const e of entries) {
        for (const c of e.cols) {
          exprs.push({ k: 'col', type: c.type, index: c.index });
          cols.push({ name: c.name, type: c.type, ...(c.tableOid !== undefined ? { tableOid: c.tableOid, attnum: c.attnum } : {}) });
        }
      }
      continue;
    }
    const e = finalizeRow(cx, bindExpr(cx, item.expr));
    exprs.push(e);
    const name = item.alias ? fold(cx, item.alias) : figureColname(cx, item.expr) ?? '?column?';
    const info: ColInfo = { name, type: e.type };
    if (e.k === 'col') {
      for (const en of cx.scope.entries) {
        const c = en.cols.find((x) => x.index === e.index);
        if (c?.tableOid !== undefined) {
          info.tableOid = c.tableOid;
          info.attnum = c.attnum;
        }
      }
    }
    cols.push(info);
  }
  return { exprs, cols };
}

/** A column of the target table by name (42703 with PostgreSQL's message otherwise). */
export function targetColumn(cx: Cx, t: TableObj, id: A.Ident, loc?: A.Loc): ColumnObj {
  const name = fold(cx, id);
  const c = t.columns.find((x) => !x.dropped && x.name === name);
  if (!c) throw errAt(cx, SqlState.undefined_column, `column "${name}" of relation "${t.name}" does not exist`, loc ?? id.loc);
  return c;
}
