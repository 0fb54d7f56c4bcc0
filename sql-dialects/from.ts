// FROM items: tables (with aliases, T-SQL table hints, MySQL index hints,
// TABLESAMPLE), derived tables, table functions (LATERAL, WITH ORDINALITY),
// parenthesized join trees and joins (incl. CROSS/OUTER APPLY, STRAIGHT_JOIN).

import type { Alias, IndexHint, JoinType, Query, TableHint, TableName, TableRef } from './ast.ts';
import { SbError, SqlState } from '../host/engine/sb_error.ts';
import type { Parser } from './parser.ts';
import { isQueryStart } from './parser.ts';
import { parseExpr, parseExprList } from './expr.ts';
import { parseFunctionCallAfterName } from './expr_func.ts';
import { parseQuery } from './select.ts';
import { parseTypeName } from './types.ts';

export function parseFromList(p: Parser): TableRef[] {
  return p.list(() => parseJoinedTable(p));
}

/** Consumes join keywords; null if none follow. */
function parseJoinType(p: Parser): { type: JoinType; natural: boolean } | null {
  const d = p.d;
  const m = p.mark();
  const natural = p.acceptWord('NATURAL');
  let type: JoinType | null = null;
  if (p.acceptWord('JOIN')) type = 'INNER';
  else if (p.acceptWords('INNER', 'JOIN')) type = 'INNER';
  else if (p.isWord('LEFT') || p.isWord('RIGHT') || p.isWord('FULL')) {
    const w = p.next().upper as 'LEFT' | 'RIGHT' | 'FULL';
    p.acceptWord('OUTER');
    if (!p.acceptWord('JOIN')) {
      p.reset(m);
      return null;
    }
    type = w;
  } else if (!natural && p.acceptWords('CROSS', 'JOIN')) type = 'CROSS';
  else if (!natural && d.supportsApply() && p.acceptWords('CROSS', 'APPLY')) type = 'CROSS APPLY';
  else if (!natural && d.supportsApply() && p.acceptWords('OUTER', 'APPLY')) type = 'OUTER APPLY';
  else if (!natural && d.supportsMysqlSelectModifiers() && p.acceptWord('STRAIGHT_JOIN')) type = 'STRAIGHT_JOIN';
  if (type === null) {
    if (natural) p.error();
    return null;
  }
  return { type, natural };
}

export function parseJoinedTable(p: Parser): TableRef {
  p.enter();
  const start = p.tok.start;
  let left = parseTablePrimary(p);
  for (;;) {
    const j = parseJoinType(p);
    if (!j) break;
    const right = parseTablePrimary(p);
    const join: TableRef = { kind: 'join', type: j.type, left, right };
    if (j.natural) join.natural = true;
    const needsCondition = !j.natural && j.type !== 'CROSS' && j.type !== 'CROSS APPLY' && j.type !== 'OUTER APPLY';
    if (needsCondition) {
      if (p.acceptWord('ON')) join.on = parseExpr(p);
      else if (p.acceptWord('USING')) join.using = p.parenList(() => p.ident());
      else if (!p.d.supportsJoinWithoutCondition()) p.error();
    }
    join.loc = p.loc(start);
    left = join;
  }
  p.leave();
  return left;
}

/** Is a parenthesized FROM item at the cursor a subquery (looking through nested parentheses)? */
function parenStartsQuery(p: Parser): boolean {
  let k = 1;
  while (p.isOp('(', k)) k++;
  return isQueryStart(p, k);
}

function parseTablePrimary(p: Parser): TableRef {
  const d = p.d;
  const start = p.tok;
  const lateral = d.supportsLateral() && p.acceptWord('LATERAL');
  if (p.isOp('(')) {
    if (parenStartsQuery(p)) {
      // `((SELECT …) UNION …) x` is a derived table but `((SELECT …) x JOIN y ON …)` a join tree:
      // when the query is behind more than one parenthesis, try the query and fall back.
      const ambiguous = p.isOp('(', 1);
      const m = p.mark();
      p.next();
      let query: Query | undefined;
      try {
        query = parseQuery(p);
      } catch (e) {
        if (!ambiguous || (e instanceof SbError && e.code === SqlState.statement_too_complex)) throw e;
      }
      if (query && p.isOp(')')) {
        p.next();
        const ref: TableRef = { kind: 'derived', query };
        if (lateral) ref.lateral = true;
        const alias = parseAlias(p);
        if (alias) ref.alias = alias;
        ref.loc = p.loc(start);
        return ref;
      }
      if (!ambiguous) p.error();
      p.reset(m);
    }
    p.next();
    const table = parseJoinedTable(p);
    p.expectOp(')');
    const ref: TableRef = { kind: 'nested_join', table };
    const alias = parseAlias(p);
    if (alias) ref.alias = alias;
    ref.loc = p.loc(start);
    return ref;
  }
  const only = d.supportsLateral() && p.isWord('ONLY') && (p.isIdent(1) || p.isOp('(', 1)) ? (p.next(), true) : false;
  let name;
  if (p.tok.type === 'variable' && d.supportsAtVariables()) {
    const v = p.next();
    name = [{ value: '@' + v.value, quoted: false, loc: { start: v.start, end: v.end } }];
  } else if (p.tok.type === 'word' && p.d.isReserved(p.tok.upper) && p.isOp('(', 1) && p.d.isReservedFunctionName(p.tok.upper)) {
    name = [p.identAny()]; // FROM current_schema(), FROM left(…)
  } else name = p.qname();
  if (p.isOp('(') && !only) {
    const func = parseFunctionCallAfterName(p, name, start);
    const ref: TableRef = { kind: 'table_func', func };
    if (lateral) ref.lateral = true;
    if (d.supportsTableFunctions() && p.acceptWords('WITH', 'ORDINALITY')) ref.ordinality = true;
    const alias = parseAlias(p);
    if (alias) ref.alias = alias;
    ref.loc = p.loc(start);
    return ref;
  }
  if (lateral) p.error();
  const ref: TableName = { kind: 'table', name };
  if (only) ref.only = true;
  if (d.supportsTableHints() && p.isWord('WITH') && p.isOp('(', 1)) {
    // MERGE target: hints come before the alias.
    p.next();
    ref.hints = p.parenList(() => parseTableHint(p));
    ref.hintsFirst = true;
  }
  const alias = parseAlias(p);
  if (alias) ref.alias = alias;
  if (!ref.hints && d.supportsTableHints() && p.isWord('WITH') && p.isOp('(', 1)) {
    p.next();
    ref.hints = p.parenList(() => parseTableHint(p));
  }
  if (d.supportsIndexHints()) {
    const hints: IndexHint[] = [];
    while ((p.isWord('USE') || p.isWord('FORCE') || p.isWord('IGNORE')) && (p.isWord('INDEX', 1) || p.isWord('KEY', 1))) {
      const type = p.next().upper as IndexHint['type'];
      const keyword = p.next().upper as IndexHint['keyword'];
      const hint: IndexHint = { type, keyword, indexes: [] };
      if (p.acceptWord('FOR')) {
        if (p.acceptWord('JOIN')) hint.for = 'JOIN';
        else {
          const w = p.expectOneOf('ORDER', 'GROUP');
          p.expectWord('BY');
          hint.for = w === 'ORDER' ? 'ORDER BY' : 'GROUP BY';
        }
      }
      p.expectOp('(');
      if (!p.isOp(')')) hint.indexes = p.list(() => p.identAny());
      p.expectOp(')');
      hints.push(hint);
    }
    if (hints.length > 0) ref.indexHints = hints;
  }
  if (d.supportsTableFunctions() && p.isWord('TABLESAMPLE')) {
    p.next();
    const method = p.ident();
    const args = p.parenList(() => parseExpr(p));
    ref.sample = { method, args };
    if (p.acceptWord('REPEATABLE')) {
      p.expectOp('(');
      ref.sample.repeatable = parseExpr(p);
      p.expectOp(')');
    }
  }
  ref.loc = p.loc(start);
  return ref;
}

function parseTableHint(p: Parser): TableHint {
  const t = p.tok;
  if (t.type !== 'word') p.error();
  p.next();
  const hint: TableHint = { name: t.upper };
  if (p.isOp('(')) {
    p.next();
    hint.args = parseExprList(p);
    p.expectOp(')');
  } else if (p.acceptOp('=')) {
    hint.args = [parseExpr(p)];
  }
  return hint;
}

/** `[AS] alias [(col, …)]`, with PG column definition lists `(a int, b text)`. */
export function parseAlias(p: Parser): Alias | undefined {
  let name;
  if (p.acceptWord('AS')) name = p.ident();
  else if (p.isImplicitAlias()) name = p.ident();
  else return undefined;
  const alias: Alias = { name };
  if (p.isOp('(')) {
    p.next();
    const cols: { name: Alias['name']; type?: ReturnType<typeof parseTypeName> }[] = p.list(() => {
      const col: { name: Alias['name']; type?: ReturnType<typeof parseTypeName> } = { name: p.ident() };
      if (!p.isOp(',') && !p.isOp(')')) col.type = parseTypeName(p);
      return col;
    });
    p.expectOp(')');
    if (cols.some((c) => c.type)) {
      alias.columnDefs = cols.map((c) => {
        if (!c.type) p.error();
        return { name: c.name, type: c.type };
      });
    } else alias.columns = cols.map((c) => c.name);
  }
  return alias;
}
