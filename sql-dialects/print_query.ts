// Printing of queries: WITH, set operations, SELECT cores, FROM items, and
// the Limit node in the dialect's own form (LIMIT, LIMIT a,b, TOP, FIRST/SKIP,
// OFFSET … FETCH, ROWS), converted when the dialect lacks the recorded form.

import type {
  Alias,
  IntoClause,
  Limit,
  Locking,
  Query,
  QueryBody,
  SelectCore,
  SelectItem,
  TableRef,
  WithClause,
} from './ast.ts';
import type { Dialect } from './dialect.ts';
import {
  printExpr,
  printExprList,
  printIdent,
  printOrderBy,
  printQName,
  printStandardString,
  printType,
  printWindowSpec,
} from './print_expr.ts';
import { printStatement } from './printer.ts';

function limitSupported(syntax: Limit['syntax'], d: Dialect): boolean {
  switch (syntax) {
    case 'limit':
      return d.supportsLimit();
    case 'limit_comma':
      return d.supportsLimitOffsetComma();
    case 'offset_fetch':
      return d.supportsOffsetFetch();
    case 'top':
      return d.supportsTopClause();
    case 'first_skip':
      return d.supportsFirstSkip();
    case 'rows':
      return d.supportsRowsClause();
  }
}

/** The limit in a syntax this dialect has (keeping the recorded one when it can). */
export function adaptLimit(l: Limit, d: Dialect, canUseCore: boolean): Limit {
  if (limitSupported(l.syntax, d) && (canUseCore || (l.syntax !== 'top' && l.syntax !== 'first_skip'))) return l;
  if (l.syntax === 'rows' && l.rowsTo) return l;
  const order: Limit['syntax'][] = ['offset_fetch', 'limit', 'first_skip', 'top', 'rows'];
  for (const syntax of order) {
    if (!limitSupported(syntax, d)) continue;
    if (!canUseCore && (syntax === 'top' || syntax === 'first_skip')) continue;
    if (syntax === 'top' && l.offset) continue;
    if (syntax === 'rows' && l.offset) continue;
    return { ...l, syntax };
  }
  return l;
}

export function printLimitClause(l: Limit, d: Dialect): string {
  const e = (x: Parameters<typeof printExpr>[0]) => printExpr(x, d);
  switch (l.syntax) {
    case 'top': {
      let s = l.noParens && l.count ? 'TOP ' + e(l.count) : `TOP (${l.count ? e(l.count) : ''})`;
      if (l.percent) s += ' PERCENT';
      if (l.withTies) s += ' WITH TIES';
      return s;
    }
    case 'first_skip':
      return [l.count ? 'FIRST ' + e(l.count) : '', l.offset ? 'SKIP ' + e(l.offset) : ''].filter(Boolean).join(' ');
    case 'limit': {
      const parts: string[] = [];
      if (l.all) parts.push('LIMIT ALL');
      else if (l.count) parts.push('LIMIT ' + e(l.count));
      if (l.offset) parts.push('OFFSET ' + e(l.offset));
      return parts.join(' ');
    }
    case 'limit_comma':
      return `LIMIT ${l.offset ? e(l.offset) + ', ' : ''}${l.count ? e(l.count) : ''}`;
    case 'offset_fetch': {
      const parts: string[] = [];
      if (l.offset) parts.push(`OFFSET ${e(l.offset)} ROWS`);
      if (l.count) parts.push(`FETCH ${l.offset ? 'NEXT' : 'FIRST'} ${e(l.count)} ROWS ${l.withTies ? 'WITH TIES' : 'ONLY'}`);
      return parts.join(' ');
    }
    case 'rows':
      return `ROWS ${l.count ? e(l.count) : ''}${l.rowsTo ? ' TO ' + e(l.rowsTo) : ''}`;
  }
}

function printLocking(l: Locking, d: Dialect): string {
  let s = l.strength === 'LOCK IN SHARE MODE' || l.strength === 'WITH LOCK' ? l.strength : 'FOR ' + l.strength;
  if (l.of) s += ' OF ' + l.of.map((n) => printQName(n, d)).join(', ');
  if (l.wait) s += ' ' + l.wait;
  return s;
}

function printInto(i: IntoClause, d: Dialect): string {
  if (i.vars) return 'INTO ' + printExprList(i.vars, d);
  return `INTO ${i.temporary ? i.temporary + ' ' : ''}${i.tableKeyword ? 'TABLE ' : ''}${printQName(i.table ?? [], d)}`;
}

export function printSelectItem(item: SelectItem, d: Dialect): string {
  if (item.aliasEquals && item.alias) return `${printIdent(item.alias, d)} = ${printExpr(item.expr, d)}`;
  let s = printExpr(item.expr, d);
  if (item.alias) s += ' AS ' + (item.aliasString ? printStandardString(item.alias.value, d) : printIdent(item.alias, d));
  return s;
}

function printCore(c: SelectCore, d: Dialect, limit: Limit | undefined): string {
  let s = 'SELECT';
  if (limit && limit.syntax === 'first_skip') s += ' ' + printLimitClause(limit, d);
  if (c.quantifier) s += ' ' + c.quantifier;
  if (c.distinctOn) s += ` DISTINCT ON (${printExprList(c.distinctOn, d)})`;
  if (limit && limit.syntax === 'top') s += ' ' + printLimitClause(limit, d);
  if (c.modifiers) s += ' ' + c.modifiers.join(' ');
  if (c.columns.length) s += ' ' + c.columns.map((i) => printSelectItem(i, d)).join(', ');
  if (c.into) s += ' ' + printInto(c.into, d);
  if (c.from) s += ' FROM ' + c.from.map((t) => printTableRef(t, d)).join(', ');
  if (c.where) s += ' WHERE ' + printExpr(c.where, d);
  if (c.groupBy) {
    s += ' GROUP BY ' + (c.groupBy.quantifier ? c.groupBy.quantifier + ' ' : '') + printExprList(c.groupBy.items, d);
    if (c.groupBy.withRollup) s += ' WITH ROLLUP';
  }
  if (c.having) s += ' HAVING ' + printExpr(c.having, d);
  if (c.windows) s += ' WINDOW ' + c.windows.map((w) => `${printIdent(w.name, d)} AS ${printWindowSpec(w.spec, d)}`).join(', ');
  return s;
}

function printBody(b: QueryBody, d: Dialect, coreLimit: Limit | undefined): string {
  switch (b.kind) {
    case 'select_core':
      return printCore(b, d, coreLimit ?? (b.limit ? adaptLimit(b.limit, d, true) : undefined));
    case 'set_op':
      return `${printBody(b.left, d, undefined)} ${b.op}${b.quantifier ? ' ' + b.quantifier : ''} ${printBody(b.right, d, undefined)}`;
    case 'values':
      return 'VALUES ' + b.rows.map((r) => `${b.rowKeyword ? 'ROW' : ''}(${printExprList(r, d)})`).join(', ');
    case 'table_body':
      return 'TABLE ' + printQName(b.name, d);
    case 'nested_query':
      return `(${printQuery(b.query, d)})`;
  }
}

export function printWith(w: WithClause, d: Dialect): string {
  const ctes = w.ctes.map((c) => {
    let s = printIdent(c.name, d);
    if (c.columns) s += `(${c.columns.map((x) => printIdent(x, d)).join(', ')})`;
    s += ' AS ';
    if (c.materialized === true) s += 'MATERIALIZED ';
    if (c.materialized === false) s += 'NOT MATERIALIZED ';
    s += `(${printStatement(c.query, d)})`;
    if (c.search) s += ` SEARCH ${c.search.breadth ? 'BREADTH' : 'DEPTH'} FIRST BY ${c.search.by.map((x) => printIdent(x, d)).join(', ')} SET ${printIdent(c.search.set, d)}`;
    if (c.cycle) {
      s += ` CYCLE ${c.cycle.columns.map((x) => printIdent(x, d)).join(', ')} SET ${printIdent(c.cycle.set, d)}`;
      if (c.cycle.to && c.cycle.default) s += ` TO ${printExpr(c.cycle.to, d)} DEFAULT ${printExpr(c.cycle.default, d)}`;
      s += ` USING ${printIdent(c.cycle.using, d)}`;
    }
    return s;
  });
  return `WITH ${w.recursive ? 'RECURSIVE ' : ''}${ctes.join(', ')}`;
}

export function printQuery(q: Query, d: Dialect): string {
  const parts: string[] = [];
  if (q.with) parts.push(printWith(q.with, d));
  const isCore = q.body.kind === 'select_core';
  const limit = q.limit ? adaptLimit(q.limit, d, isCore) : undefined;
  const inCore = limit && isCore && (limit.syntax === 'top' || limit.syntax === 'first_skip') ? limit : undefined;
  parts.push(printBody(q.body, d, inCore));
  if (q.orderBy) parts.push(printOrderBy(q.orderBy, d));
  if (limit && !inCore) parts.push(printLimitClause(limit, d));
  if (q.locking) for (const l of q.locking) parts.push(printLocking(l, d));
  if (q.into) parts.push(printInto(q.into, d));
  return parts.join(' ');
}

export function printAlias(a: Alias | undefined, d: Dialect): string {
  if (!a) return '';
  let s = ' AS ' + printIdent(a.name, d);
  if (a.columns) s += `(${a.columns.map((c) => printIdent(c, d)).join(', ')})`;
  if (a.columnDefs) s += `(${a.columnDefs.map((c) => `${printIdent(c.name, d)} ${printType(c.type, d)}`).join(', ')})`;
  return s;
}

const join_words: Record<string, string> = {
  INNER: 'JOIN',
  LEFT: 'LEFT JOIN',
  RIGHT: 'RIGHT JOIN',
  FULL: 'FULL JOIN',
  CROSS: 'CROSS JOIN',
  'CROSS APPLY': 'CROSS APPLY',
  'OUTER APPLY': 'OUTER APPLY',
  STRAIGHT_JOIN: 'STRAIGHT_JOIN',
};

export function printTableRef(t: TableRef, d: Dialect): string {
  switch (t.kind) {
    case 'table': {
      const hints = t.hints ? ` WITH (${t.hints.map((h) => h.name + (h.args ? `(${printExprList(h.args, d)})` : '')).join(', ')})` : '';
      let s = (t.only ? 'ONLY ' : '') + printQName(t.name, d);
      s += t.hintsFirst ? hints + printAlias(t.alias, d) : printAlias(t.alias, d) + hints;
      if (t.indexHints) {
        for (const h of t.indexHints) {
          s += ` ${h.type} ${h.keyword}${h.for ? ' FOR ' + h.for : ''} (${h.indexes.map((i) => printIdent(i, d)).join(', ')})`;
        }
      }
      if (t.sample) {
        s += ` TABLESAMPLE ${printIdent(t.sample.method, d)}(${printExprList(t.sample.args, d)})`;
        if (t.sample.repeatable) s += ` REPEATABLE (${printExpr(t.sample.repeatable, d)})`;
      }
      return s;
    }
    case 'derived':
      return `${t.lateral ? 'LATERAL ' : ''}(${printQuery(t.query, d)})${printAlias(t.alias, d)}`;
    case 'table_func':
      return `${t.lateral ? 'LATERAL ' : ''}${printExpr(t.func, d)}${t.ordinality ? ' WITH ORDINALITY' : ''}${printAlias(t.alias, d)}`;
    case 'join': {
      let s = `${printTableRef(t.left, d)} ${t.natural ? 'NATURAL ' : ''}${join_words[t.type]} ${printTableRef(t.right, d)}`;
      if (t.on) s += ' ON ' + printExpr(t.on, d);
      if (t.using) s += ` USING (${t.using.map((u) => printIdent(u, d)).join(', ')})`;
      return s;
    }
    case 'nested_join':
      return `(${printTableRef(t.table, d)})${printAlias(t.alias, d)}`;
  }
}
