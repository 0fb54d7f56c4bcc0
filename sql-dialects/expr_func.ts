// Function calls (aggregates, FILTER, WITHIN GROUP, OVER), window
// specifications and ORDER BY lists.

import type { Expr, FrameBound, FuncCall, Ident, OrderItem, WindowFrame, WindowSpec } from './ast.ts';
import type { Token } from './lexer.ts';
import type { Parser } from './parser.ts';
import { parseExpr, parseExprList } from './expr.ts';

export function parseFunctionCallAfterName(p: Parser, name: Ident[], start: Token): FuncCall {
  p.expectOp('(');
  const f: FuncCall = { kind: 'func', name, args: [] };
  if (p.isOp('*')) {
    // Only `f(*)`: no argument starts with `*`.
    p.next();
    p.expectOp(')');
    f.star = true;
  } else if (!p.acceptOp(')')) {
    if ((p.isWord('DISTINCT') || p.isWord('ALL')) && !p.isOp(',', 1) && !p.isOp(')', 1)) {
      f.quantifier = p.next().upper as 'DISTINCT' | 'ALL';
    }
    for (;;) {
      if (p.isWord('VARIADIC') && !p.isOp(',', 1) && !p.isOp(')', 1)) {
        p.next();
        f.variadic = true;
        f.args.push(parseFuncArg(p));
        break;
      }
      f.args.push(parseFuncArg(p));
      if (!p.acceptOp(',')) break;
    }
    if (p.isWords('ORDER', 'BY')) f.orderBy = parseOrderBy(p);
    if (p.acceptWord('SEPARATOR')) f.separator = parseExpr(p);
    p.expectOp(')');
  }
  parseFunctionTail(p, f);
  f.loc = p.loc(start);
  return f;
}

function parseFuncArg(p: Parser): Expr {
  const t = p.tok;
  if ((t.type === 'word' || t.type === 'qident') && p.peek(1).type === 'op') {
    const op = p.peek(1).value;
    if (op === '=>' || (op === ':=' && !p.d.supportsAssignmentExpression())) {
      const name = p.identAny();
      p.next();
      const value = parseExpr(p);
      return { kind: 'named_arg', name, value, syntax: op, loc: p.loc(t) };
    }
  }
  return parseExpr(p);
}

/** WITHIN GROUP, FILTER, IGNORE/RESPECT NULLS and OVER after the argument list. */
export function parseFunctionTail(p: Parser, f: FuncCall): void {
  if (p.isWords('WITHIN', 'GROUP')) {
    p.acceptWords('WITHIN', 'GROUP');
    p.expectOp('(');
    f.withinGroup = parseOrderBy(p);
    p.expectOp(')');
  }
  if (p.d.supportsAggregateFilter() && p.isWord('FILTER') && p.isOp('(', 1)) {
    p.next();
    p.expectOp('(');
    p.expectWord('WHERE');
    f.filter = parseExpr(p);
    p.expectOp(')');
  }
  if ((p.isWord('IGNORE') || p.isWord('RESPECT')) && p.isWord('NULLS', 1)) {
    f.nullTreatment = p.next().upper === 'IGNORE' ? 'IGNORE NULLS' : 'RESPECT NULLS';
    p.next();
  }
  if (p.isWord('OVER')) {
    p.next();
    if (p.isOp('(')) f.over = parseWindowSpec(p);
    else f.over = { kind: 'window_ref', name: p.ident() };
  }
}

export function parseOrderBy(p: Parser): OrderItem[] {
  p.expectWords('ORDER', 'BY');
  return p.list(() => parseOrderItem(p));
}

export function parseOrderItem(p: Parser): OrderItem {
  const item: OrderItem = { expr: parseExpr(p) };
  const dir = p.acceptOneOf('ASC', 'DESC', 'USING');
  if (dir === 'USING') {
    const t = p.tok;
    if (t.type !== 'op') p.error();
    p.next();
    item.using = t.value;
  } else if (dir) item.dir = dir as 'ASC' | 'DESC';
  if (p.isWord('NULLS') && (p.isWord('FIRST', 1) || p.isWord('LAST', 1))) {
    p.next();
    item.nulls = p.next().upper as 'FIRST' | 'LAST';
  }
  return item;
}

const window_words = ['PARTITION', 'ORDER', 'ROWS', 'RANGE', 'GROUPS'];

/** `( [base] [PARTITION BY …] [ORDER BY …] [frame] )`. */
export function parseWindowSpec(p: Parser): WindowSpec {
  p.expectOp('(');
  const w: WindowSpec = { kind: 'window_spec' };
  if (p.isIdent() && !p.isAnyWord(window_words)) w.base = p.ident();
  if (p.isWords('PARTITION', 'BY')) {
    p.acceptWords('PARTITION', 'BY');
    w.partitionBy = parseExprList(p);
  }
  if (p.isWords('ORDER', 'BY')) w.orderBy = parseOrderBy(p);
  const units = p.acceptOneOf('ROWS', 'RANGE', 'GROUPS');
  if (units) {
    const frame: WindowFrame = { units: units as WindowFrame['units'], start: { type: 'CURRENT ROW' } };
    if (p.acceptWord('BETWEEN')) {
      frame.start = parseFrameBound(p);
      p.expectWord('AND');
      frame.end = parseFrameBound(p);
    } else {
      frame.start = parseFrameBound(p);
    }
    if (p.acceptWord('EXCLUDE')) {
      if (p.acceptWords('CURRENT', 'ROW')) frame.exclude = 'CURRENT ROW';
      else if (p.acceptWords('NO', 'OTHERS')) frame.exclude = 'NO OTHERS';
      else frame.exclude = p.expectOneOf('GROUP', 'TIES') as 'GROUP' | 'TIES';
    }
    w.frame = frame;
  }
  p.expectOp(')');
  return w;
}

function parseFrameBound(p: Parser): FrameBound {
  if (p.acceptWords('UNBOUNDED', 'PRECEDING')) return { type: 'UNBOUNDED PRECEDING' };
  if (p.acceptWords('UNBOUNDED', 'FOLLOWING')) return { type: 'UNBOUNDED FOLLOWING' };
  if (p.acceptWords('CURRENT', 'ROW')) return { type: 'CURRENT ROW' };
  const offset = parseExpr(p, (p.d.operators.infix.get('AND') ?? 0) + 1);
  const dir = p.expectOneOf('PRECEDING', 'FOLLOWING') as 'PRECEDING' | 'FOLLOWING';
  return { type: dir, offset };
}
