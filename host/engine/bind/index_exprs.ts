// Expression and partial indexes (PostgreSQL): key expressions and WHERE
// predicates of CREATE INDEX are bound over the table's row, checked
// (IMMUTABLE functions only, no aggregates, window functions or subqueries)
// and stored as SQL text deparsed in PostgreSQL's style (pg_indexes.indexdef
// prints them as PostgreSQL does). The executor asks for them bound again,
// once per catalog version, through setIndexExprBinder: the index entries of
// a row are its key expressions' values, and a partial index holds only the
// rows for which the predicate is true.

import type * as A from '../../../sql-dialects/index.ts';
import { postgres } from '../../../sql-dialects/index.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { IndexObj, TableObj } from '../catalog/objects.ts';
import { registry } from '../functions/registry.ts';
import { setIndexExprBinder } from '../exec/table_access.ts';
import type { Expr } from '../plan/nodes.ts';
import { deparse } from '../plan/deparse.ts';
import { SqlState } from '../sb_error.ts';
import { defaultTypeContext } from '../types/context.ts';
import { type BindEnv, errAt } from './context.ts';
import { coerceBool } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { parseExprText, tableScope } from './dml_common.ts';
import type { DdlEnv } from './ddl_env.ts';

/** PostgreSQL's deparse of an expression over the table's row (positions attnum - 1). */
export function deparseOverTable(env: BindEnv, t: TableObj, e: Expr): string {
  const cols = t.columns.map((c) => ({ name: c.name, type: c.type }));
  return deparse({ cols, catalog: env.catalog, qualify: false }, e);
}

/** 42P17 / 42803 / 0A000 for what PostgreSQL refuses in index expressions and predicates. */
function checkIndexable(env: BindEnv, e: Expr, what: 'expression' | 'predicate', loc?: A.Loc): void {
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const node = x as { k?: string; oid?: number; volatile?: boolean };
    switch (node.k) {
      case 'agg_ref':
        throw errAt(env, SqlState.grouping_error, `aggregate functions are not allowed in index ${what}s`, loc);
      case 'subquery':
      case 'sublink':
        throw errAt(env, SqlState.feature_not_supported, `cannot use subquery in index ${what}`, loc);
      case 'nextval':
      case 'seq_call':
      case 'param':
        throw errAt(env, '42P17', `functions in index ${what} must be marked IMMUTABLE`, loc);
      case 'call': {
        const impl = registry.byOid.get(node.oid!) as { volatility?: string } | undefined;
        if (node.volatile || (impl?.volatility !== undefined && impl.volatility !== 'i')) {
          throw errAt(env, '42P17', `functions in index ${what} must be marked IMMUTABLE`, loc);
        }
        break;
      }
    }
    for (const v of Object.values(node)) if (v !== null && typeof v === 'object') visit(v);
  };
  visit(e);
}

/** An index key expression bound over the table: its type and PostgreSQL text. */
export function bindKeyExpr(env: BindEnv, t: TableObj, e: A.Expr): { expr: Expr; text: string } {
  const cx = tableScope(env, t);
  const bound = bindExpr(cx, e);
  if (bound.type.id === 'unknown') {
    throw errAt(env, '42P22', 'could not determine which collation to use for index expression', (e as { loc?: A.Loc }).loc);
  }
  checkIndexable(env, bound, 'expression', (e as { loc?: A.Loc }).loc);
  return { expr: bound, text: deparseOverTable(env, t, bound) };
}

/** A partial index's WHERE bound over the table, as PostgreSQL prints it (pg_get_expr(indpred)). */
export function bindIndexPredicate(env: BindEnv, t: TableObj, e: A.Expr): string {
  const cx = tableScope(env, t);
  const loc = (e as { loc?: A.Loc }).loc;
  const bound = coerceBool(cx, bindExpr(cx, e), 'WHERE', loc);
  checkIndexable(env, bound, 'predicate', loc);
  return deparseOverTable(env, t, bound);
}

/** Binds stored index text again (the executor's view of an index). */
function rebind(catalog: Catalog, t: TableObj, text: string): Expr {
  const env: BindEnv = {
    catalog, dialect: postgres, sql: text, searchPath: ['pg_catalog'], dbOid: t.dbOid, dbName: '', userName: '', userOid: 10,
    paramTypes: [], values: defaultTypeContext(), txnTimestamp: 0, notices: [],
  };
  const cx = tableScope(env, t);
  return bindExpr(cx, parseExprText(text));
}

setIndexExprBinder((catalog: Catalog, t: TableObj, ix: IndexObj) => ({
  keys: ix.keys.map((k) => (k.expr !== undefined ? rebind(catalog, t, k.expr) : undefined)),
  ...(ix.where !== undefined ? { pred: rebind(catalog, t, ix.where) } : {}),
}));

/**
 * After ALTER TABLE: index expressions and predicates name columns by their
 * text, so a renamed column is renamed in them (PostgreSQL keeps them by
 * attribute number), and an index whose expression used a dropped column is
 * dropped with it (as PostgreSQL does).
 */
export function followTableChange(env: DdlEnv, before: TableObj, after: TableObj): void {
  const catalog = env.catalog();
  for (const ix of catalog.indexesOf(after.oid)) {
    if (ix.where === undefined && !ix.keys.some((k) => k.expr !== undefined)) continue;
    const cols = after.columns.map((c) => ({ name: c.name, type: c.type }));
    const again = (text: string): string | null => {
      let e: Expr;
      try {
        e = rebind(catalog, before, text);
      } catch {
        return text; // not bindable over the old row either: leave it
      }
      const used = new Set<number>();
      const visit = (x: unknown): void => {
        if (x === null || typeof x !== 'object') return;
        if (Array.isArray(x)) return x.forEach(visit);
        const n = x as { k?: string; index?: number };
        if (n.k === 'col' && typeof n.index === 'number') used.add(n.index);
        for (const v of Object.values(n)) if (v !== null && typeof v === 'object') visit(v);
      };
      visit(e);
      if ([...used].some((i) => after.columns[i]?.dropped)) return null;
      return deparse({ cols, catalog, qualify: false }, e);
    };
    const keys = ix.keys.map((k) => (k.expr !== undefined ? { ...k, expr: again(k.expr) } : k));
    const where = ix.where !== undefined ? again(ix.where) : undefined;
    if (keys.some((k) => k.expr === null) || where === null) {
      env.cat.remove(env.txn, ix);
      if (!ix.primary) env.dropKeyspaceOnCommit(ix.keyspace);
      continue;
    }
    const next: IndexObj = { ...ix, keys: keys as IndexObj['keys'], ...(where !== undefined ? { where } : {}) };
    if (JSON.stringify(next) !== JSON.stringify(ix)) env.cat.put(env.txn, next);
  }
}
