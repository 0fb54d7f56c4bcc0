// Queries: WITH, set operations with their precedence (INTERSECT binds
// tighter than UNION/EXCEPT), SELECT cores, VALUES, ORDER BY, every row-limit
// syntax normalized into one Limit node, and locking clauses.

import type {
  Cte,
  Expr,
  GroupBy,
  IntoClause,
  Limit,
  Locking,
  NamedWindow,
  Query,
  QueryBody,
  SelectCore,
  SelectItem,
  Statement,
  ValuesBody,
  WithClause,
} from './ast.ts';
import type { Parser } from './parser.ts';
import { isQueryStart } from './parser.ts';
import { parseExpr, parseExprList } from './expr.ts';
import { parseOrderBy, parseWindowSpec } from './expr_func.ts';
import { parseFromList } from './from.ts';
import { parseDelete, parseInsert, parseMerge, parseUpdate } from './dml.ts';

export function parseWith(p: Parser): WithClause {
  p.expectWord('WITH');
  const recursive = p.acceptWord('RECURSIVE');
  return { recursive, ctes: p.list(() => parseCte(p)) };
}

function parseCte(p: Parser): Cte {
  const cte: Cte = { name: p.ident(), query: null as unknown as Statement };
  if (p.isOp('(')) cte.columns = p.parenList(() => p.ident());
  p.expectWord('AS');
  if (p.acceptWords('NOT', 'MATERIALIZED')) cte.materialized = false;
  else if (p.acceptWord('MATERIALIZED')) cte.materialized = true;
  p.expectOp('(');
  if (p.isWord('INSERT')) cte.query = parseInsert(p);
  else if (p.isWord('UPDATE')) cte.query = parseUpdate(p);
  else if (p.isWord('DELETE')) cte.query = parseDelete(p);
  else if (p.isWord('MERGE')) cte.query = parseMerge(p);
  else cte.query = parseQuery(p);
  p.expectOp(')');
  if (p.isWord('SEARCH') && p.isAnyWord(['DEPTH', 'BREADTH'], 1)) {
    p.next();
    const breadth = p.next().upper === 'BREADTH';
    p.expectWords('FIRST', 'BY');
    const by = p.list(() => p.ident());
    p.expectWord('SET');
    cte.search = { breadth, by, set: p.ident() };
  }
  if (p.isWord('CYCLE') && p.isIdent(1)) {
    p.next();
    const columns = p.list(() => p.ident());
    p.expectWord('SET');
    const set = p.ident();
    const cycle: NonNullable<Cte['cycle']> = { columns, set, using: set };
    if (p.acceptWord('TO')) {
      cycle.to = parseExpr(p);
      p.expectWord('DEFAULT');
      cycle.default = parseExpr(p);
    }
    p.expectWord('USING');
    cycle.using = p.ident();
    cte.cycle = cycle;
  }
  return cte;
}

/** A complete query expression; `w` is a WITH clause the caller already read. */
export function parseQuery(p: Parser, w?: WithClause): Query {
  p.enter();
  const start = p.tok.start;
  if (!w && p.isWord('WITH')) w = parseWith(p);
  const body = parseSetExpr(p, 0);
  const q = finishQuery(p, body, start);
  if (w) q.with = w;
  p.leave();
  return q;
}

/** Continues a query whose first operand was already parsed (e.g. `((SELECT 1) UNION …)`). */
export function parseQueryAfterOperand(p: Parser, left: QueryBody, start: number): Query {
  p.enter();
  const body = parseSetOpsFrom(p, left, 0);
  const q = finishQuery(p, body, start);
  p.leave();
  return q;
}

function finishQuery(p: Parser, body: QueryBody, start: number): Query {
  const q: Query = { kind: 'select', body };
  parseQueryTail(p, q);
  if (body.kind === 'select_core' && body.limit && !q.limit) {
    q.limit = body.limit;
    delete body.limit;
  }
  q.loc = p.loc(start);
  return q;
}

function setOpPrecedence(p: Parser): number {
  const t = p.tok;
  if (t.type !== 'word') return 0;
  switch (t.upper) {
    case 'UNION':
    case 'EXCEPT':
      return 1;
    case 'MINUS':
      return p.d.supportsMinus() ? 1 : 0;
    case 'INTERSECT':
      return 2;
    default:
      return 0;
  }
}

function parseSetExpr(p: Parser, minPrec: number): QueryBody {
  return parseSetOpsFrom(p, parseQueryPrimary(p), minPrec);
}

function parseSetOpsFrom(p: Parser, left: QueryBody, minPrec: number): QueryBody {
  for (;;) {
    const prec = setOpPrecedence(p);
    if (prec === 0 || prec < minPrec) return left;
    const op = p.next().upper as 'UNION' | 'INTERSECT' | 'EXCEPT' | 'MINUS';
    const quantifier = p.acceptOneOf('ALL', 'DISTINCT') as 'ALL' | 'DISTINCT' | null;
    const right = parseSetExpr(p, prec + 1);
    left = { kind: 'set_op', op, left, right };
    if (quantifier) left.quantifier = quantifier;
  }
}

function parseQueryPrimary(p: Parser): QueryBody {
  const t = p.tok;
  if (t.type === 'op' && t.value === '(') {
    p.next();
    const query = parseQuery(p);
    p.expectOp(')');
    return { kind: 'nested_query', query };
  }
  if (t.type === 'word') {
    if (t.upper === 'SELECT') return parseSelectCore(p);
    if (t.upper === 'VALUES') return parseValues(p);
    if (t.upper === 'TABLE' && isQueryStart(p)) {
      p.next();
      return { kind: 'table_body', name: p.qname() };
    }
  }
  return p.error();
}

export function parseValues(p: Parser): ValuesBody {
  p.expectWord('VALUES');
  const v: ValuesBody = { kind: 'values', rows: [] };
  do {
    if (p.isWord('ROW') && p.isOp('(', 1)) {
      p.next();
      v.rowKeyword = true;
    }
    p.expectOp('(');
    v.rows.push(p.isOp(')') ? [] : parseExprList(p));
    p.expectOp(')');
  } while (p.acceptOp(','));
  return v;
}

const mysql_select_modifiers = new Set([
  'HIGH_PRIORITY',
  'STRAIGHT_JOIN',
  'SQL_SMALL_RESULT',
  'SQL_BIG_RESULT',
  'SQL_BUFFER_RESULT',
  'SQL_NO_CACHE',
  'SQL_CACHE',
  'SQL_CALC_FOUND_ROWS',
]);

/** Words after which a select list is empty (PG `SELECT FROM t`). */
const select_list_end = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'WINDOW', 'UNION', 'INTERSECT', 'EXCEPT', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FOR', 'INTO']);

/** TS TOP (n) [PERCENT] [WITH TIES]. */
export function parseTop(p: Parser): Limit {
  p.expectWord('TOP');
  const limit: Limit = { kind: 'limit', syntax: 'top' };
  if (p.isOp('(')) {
    p.next();
    limit.count = parseExpr(p);
    p.expectOp(')');
  } else {
    const t = p.tok;
    if (t.type !== 'number' && t.type !== 'variable' && t.type !== 'param') p.error();
    limit.count = parseExpr(p, 100);
    limit.noParens = true;
  }
  if (p.acceptWord('PERCENT')) limit.percent = true;
  if (p.acceptWords('WITH', 'TIES')) limit.withTies = true;
  return limit;
}

function isFirstSkipArg(p: Parser): boolean {
  const n = p.peek(1);
  return n.type === 'number' || n.type === 'param' || (n.type === 'op' && n.value === '(');
}

/** FB FIRST n / SKIP m argument: a literal, a parameter or a parenthesized expression. */
function parseFirstSkipArg(p: Parser): Expr {
  return parseExpr(p, 100);
}

function parseSelectCore(p: Parser): SelectCore {
  const start = p.expectWord('SELECT');
  const d = p.d;
  const core: SelectCore = { kind: 'select_core', columns: [] };
  for (;;) {
    if (d.supportsTopClause() && p.isWord('TOP') && !core.limit) {
      core.limit = parseTop(p);
    } else if (d.supportsFirstSkip() && (p.isWord('FIRST') || p.isWord('SKIP')) && isFirstSkipArg(p)) {
      const limit: Limit = core.limit ?? { kind: 'limit', syntax: 'first_skip' };
      if (p.acceptWord('FIRST')) {
        if (limit.count) p.error(p.peek(-1));
        limit.count = parseFirstSkipArg(p);
      } else {
        p.next();
        if (limit.offset) p.error(p.peek(-1));
        limit.offset = parseFirstSkipArg(p);
      }
      core.limit = limit;
    } else if (!core.quantifier && !core.distinctOn && p.isWord('DISTINCT')) {
      p.next();
      if (d.supportsDistinctOn() && p.isWord('ON')) {
        p.next();
        core.distinctOn = p.parenList(() => parseExpr(p));
      } else core.quantifier = 'DISTINCT';
    } else if (!core.quantifier && p.isWord('ALL')) {
      p.next();
      core.quantifier = 'ALL';
    } else if (!core.quantifier && d.supportsMysqlSelectModifiers() && p.isWord('DISTINCTROW')) {
      p.next();
      core.quantifier = 'DISTINCTROW';
    } else if (d.supportsMysqlSelectModifiers() && p.isAnyWord(mysql_select_modifiers)) {
      (core.modifiers ??= []).push(p.next().upper);
    } else break;
  }
  const t = p.tok;
  const empty =
    d.supportsEmptySelectList() &&
    (p.atStatementEnd() || (t.type === 'op' && t.value === ')') || (t.type === 'word' && select_list_end.has(t.upper)));
  if (!empty) core.columns = p.list(() => parseSelectItem(p));
  if (p.isWord('INTO') && !d.supportsSelectIntoAtEnd()) core.into = parseInto(p);
  else if (p.isWord('INTO') && (p.peek(1).type === 'variable')) core.into = parseInto(p);
  if (p.acceptWord('FROM')) core.from = parseFromList(p);
  if (p.acceptWord('WHERE')) core.where = parseExpr(p);
  if (p.isWord('GROUP')) core.groupBy = parseGroupBy(p);
  if (p.acceptWord('HAVING')) core.having = parseExpr(p);
  if (p.isWord('WINDOW')) {
    p.next();
    core.windows = p.list((): NamedWindow => {
      const name = p.ident();
      p.expectWord('AS');
      return { name, spec: parseWindowSpec(p) };
    });
  }
  core.loc = p.loc(start);
  return core;
}

export function parseSelectItem(p: Parser): SelectItem {
  const d = p.d;
  if (p.isOp('*')) {
    const t = p.next();
    return { expr: { kind: 'star', loc: { start: t.start, end: t.end } } };
  }
  const outerItem = p.selectItemStart;
  p.selectItemStart = p.tok.start;
  let expr: Expr;
  try {
    expr = parseExpr(p);
  } finally {
    p.selectItemStart = outerItem;
  }
  if (d.supportsSelectAssignment()) {
    if (expr.kind === 'binary' && expr.op === '=') {
      if (expr.left.kind === 'variable') {
        expr = { kind: 'assign', target: expr.left, op: '=', value: expr.right, loc: expr.loc };
      } else if (expr.left.kind === 'column' && expr.left.name.length === 1) {
        return { expr: expr.right, alias: expr.left.name[0], aliasEquals: true };
      }
    } else if (expr.kind === 'variable' && p.tok.type === 'op' && /^[-+*/%&|^]=$/.test(p.tok.value)) {
      const op = p.next().value;
      expr = { kind: 'assign', target: expr, op, value: parseExpr(p), loc: expr.loc };
    }
  }
  const item: SelectItem = { expr };
  if (p.acceptWord('AS')) {
    if (p.tok.type === 'string' && d.supportsStringAlias()) {
      const s = p.next();
      item.alias = { value: s.value, quoted: true, loc: { start: s.start, end: s.end } };
      item.aliasString = true;
    } else item.alias = p.identAny();
  } else if (p.tok.type === 'string' && d.supportsStringAlias()) {
    const s = p.next();
    item.alias = { value: s.value, quoted: true, loc: { start: s.start, end: s.end } };
    item.aliasString = true;
  } else if (p.isImplicitAlias()) {
    item.alias = p.ident();
  } else if (p.isWord('IS') && d.name === 'postgres') {
    // left by parseIs: the item's bare label
    const t = p.next();
    item.alias = { value: t.value, quoted: false, loc: { start: t.start, end: t.end } };
  }
  return item;
}

function parseInto(p: Parser): IntoClause {
  p.expectWord('INTO');
  const t = p.tok;
  if (t.type === 'variable' || t.type === 'param' || (t.type === 'op' && t.value === ':')) {
    return { vars: parseExprList(p) };
  }
  if (p.d.supportsSelectIntoAtEnd()) return { vars: parseExprList(p) };
  const into: IntoClause = {};
  const temp = p.acceptOneOf('TEMPORARY', 'TEMP', 'UNLOGGED');
  if (temp) into.temporary = temp as 'TEMP';
  if (p.acceptWord('TABLE')) into.tableKeyword = true;
  into.table = p.qname();
  return into;
}

function parseGroupItem(p: Parser): Expr {
  const t = p.tok;
  if (p.isOp('(') && p.isOp(')', 1)) {
    p.next();
    p.next();
    return { kind: 'grouping_set', type: 'EMPTY', items: [], loc: p.loc(t) };
  }
  if ((p.isWord('ROLLUP') || p.isWord('CUBE')) && p.isOp('(', 1)) {
    const type = p.next().upper as 'ROLLUP' | 'CUBE';
    return { kind: 'grouping_set', type, items: p.parenList(() => parseExpr(p)), loc: p.loc(t) };
  }
  if (p.isWords('GROUPING', 'SETS')) {
    p.next();
    p.next();
    p.enter();
    const items = p.parenList(() => parseGroupItem(p));
    p.leave();
    return { kind: 'grouping_set', type: 'GROUPING SETS', items, loc: p.loc(t) };
  }
  return parseExpr(p);
}

function parseGroupBy(p: Parser): GroupBy {
  p.expectWords('GROUP', 'BY');
  const g: GroupBy = { items: [] };
  const q = p.acceptOneOf('ALL', 'DISTINCT');
  if (q) g.quantifier = q as 'ALL' | 'DISTINCT';
  g.items = p.list(() => parseGroupItem(p));
  if (p.d.supportsWithRollup() && p.acceptWords('WITH', 'ROLLUP')) g.withRollup = true;
  return g;
}

/** ORDER BY, LIMIT/OFFSET/FETCH/ROWS, locking and trailing INTO, in any order the dialects allow. */
function parseQueryTail(p: Parser, q: Query): void {
  const d = p.d;
  if (p.isWord('ORDER')) q.orderBy = parseOrderBy(p);
  let limitKw = false;
  let comma = false;
  let fetch = false;
  let offsetRows = false;
  let rows = false;
  let count: Expr | undefined;
  let offset: Expr | undefined;
  let rowsTo: Expr | undefined;
  let all = false;
  let withTies = false;
  for (;;) {
    if (!limitKw && !fetch && !rows && d.supportsLimit() && p.isWord('LIMIT')) {
      p.next();
      limitKw = true;
      if (p.acceptWord('ALL')) all = true;
      else {
        const first = parseExpr(p);
        if (d.supportsLimitOffsetComma() && p.acceptOp(',')) {
          if (offset) p.error(p.peek(-1));
          comma = true;
          offset = first;
          count = parseExpr(p);
        } else count = first;
      }
    } else if (!offset && !rows && (d.supportsLimit() || d.supportsOffsetFetch()) && p.isWord('OFFSET')) {
      p.next();
      offset = parseExpr(p);
      if (p.acceptOneOf('ROW', 'ROWS')) offsetRows = true;
    } else if (!fetch && !limitKw && !rows && d.supportsOffsetFetch() && p.isWord('FETCH') && p.isAnyWord(['FIRST', 'NEXT'], 1)) {
      p.next();
      p.next();
      fetch = true;
      if (!p.isWord('ROW') && !p.isWord('ROWS')) count = parseExpr(p);
      else count = { kind: 'number', value: '1' };
      p.expectOneOf('ROW', 'ROWS');
      if (p.acceptWords('WITH', 'TIES')) withTies = true;
      else p.expectWord('ONLY');
    } else if (!rows && !limitKw && !fetch && !offset && d.supportsRowsClause() && p.isWord('ROWS')) {
      p.next();
      rows = true;
      count = parseExpr(p);
      if (p.acceptWord('TO')) rowsTo = parseExpr(p);
    } else break;
  }
  if (limitKw || fetch || rows || offset) {
    const syntax: Limit['syntax'] = rows
      ? 'rows'
      : comma
        ? 'limit_comma'
        : fetch
          ? 'offset_fetch'
          : limitKw
            ? 'limit'
            : offsetRows || !d.supportsLimit()
              ? 'offset_fetch'
              : 'limit';
    const limit: Limit = { kind: 'limit', syntax };
    if (count) limit.count = count;
    if (offset) limit.offset = offset;
    if (all) limit.all = true;
    if (withTies) limit.withTies = true;
    if (rowsTo) limit.rowsTo = rowsTo;
    q.limit = limit;
  }
  const locking = parseLocking(p);
  if (locking.length > 0) q.locking = locking;
  if (p.isWord('INTO') && d.supportsSelectIntoAtEnd()) q.into = parseInto(p);
}

function parseLocking(p: Parser): Locking[] {
  const d = p.d;
  const out: Locking[] = [];
  for (;;) {
    let lock: Locking;
    if (d.supportsForUpdate() && p.isWord('FOR') && p.isAnyWord(['UPDATE', 'SHARE', 'NO', 'KEY'], 1)) {
      p.next();
      if (p.acceptWords('NO', 'KEY', 'UPDATE')) lock = { strength: 'NO KEY UPDATE' };
      else if (p.acceptWords('KEY', 'SHARE')) lock = { strength: 'KEY SHARE' };
      else lock = { strength: p.expectOneOf('UPDATE', 'SHARE') as 'UPDATE' | 'SHARE' };
      if (p.acceptWord('OF')) lock.of = p.list(() => p.qname());
    } else if (d.supportsLockInShareMode() && p.isWords('LOCK', 'IN', 'SHARE', 'MODE')) {
      p.acceptWords('LOCK', 'IN', 'SHARE', 'MODE');
      lock = { strength: 'LOCK IN SHARE MODE' };
    } else if (d.supportsWithLock() && p.isWords('WITH', 'LOCK')) {
      p.acceptWords('WITH', 'LOCK');
      lock = { strength: 'WITH LOCK' };
    } else break;
    if (p.acceptWord('NOWAIT')) lock.wait = 'NOWAIT';
    else if (p.acceptWords('SKIP', 'LOCKED')) lock.wait = 'SKIP LOCKED';
    out.push(lock);
  }
  return out;
}
