// Expressions: a Pratt parser driven by the dialect's OperatorTable.
//
// parseExpr(p, minPrec) parses a prefix (a primary or a prefix operator with
// its operand) and then folds infix/postfix operators whose precedence is at
// least minPrec; left-associative operators parse their right operand at
// prec + 1. Keyword predicates (IS, LIKE, BETWEEN, IN, COLLATE, AT TIME ZONE)
// take their precedence from the same table.

import type { Expr, Ident, Query, RowExpr, StringLit, StringStyle } from './ast.ts';
import { SbError, SqlState } from '../host/engine/sb_error.ts';
import { charPosition, syntaxErrorAt } from './errors.ts';
import type { Parser } from './parser.ts';
import { isQueryStart } from './parser.ts';
import type { Token } from './lexer.ts';
import { parseQuery, parseQueryAfterOperand } from './select.ts';
import { parseTypeName } from './types.ts';
import { parseWordPrimary } from './expr_special.ts';
import { parseFunctionCallAfterName } from './expr_func.ts';

const op_chars = '~!@#^&|`?+-*/%<>=';

/** PG: may this token be a user-defined (generic) operator? */
function isGenericOperator(v: string, prefix: boolean): boolean {
  if (v === '=>' || v.length === 0) return false;
  for (let i = 0; i < v.length; i++) if (!op_chars.includes(v[i])) return false;
  // Single "self" characters have fixed grammar roles; only multi-character
  // operators and ~ ! @ # & | ` ? are generic.
  return !prefix || v.length > 1 || '~!@#&|`?'.includes(v);
}

export function parseExpr(p: Parser, minPrec = 0): Expr {
  p.enter();
  const start = p.tok.start;
  let left = parsePrefix(p);
  const nonAssoc = p.d.operators.nonAssociativeLevels === true;
  let level: NonAssocLevel | null = null;
  for (;;) {
    if (nonAssoc && level !== null && upcomingLevel(p) === level) p.error();
    const next = parseInfix(p, left, minPrec, start);
    if (next === null) break;
    left = next;
    if (nonAssoc) level = appliedLevel(next);
  }
  p.leave();
  return left;
}

const subscriptable = new Set<Expr['kind']>(['column', 'param', 'variable', 'nested', 'subquery', 'subscript', 'field']);

type NonAssocLevel = 'compare' | 'like' | 'is';
const compare_ops = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const like_level_words = new Set(['LIKE', 'ILIKE', 'SIMILAR', 'BETWEEN', 'IN']);

/** The non-associative level of an operation just parsed, when its right operand is an open expression. */
function appliedLevel(e: Expr): NonAssocLevel | null {
  switch (e.kind) {
    case 'binary':
      return compare_ops.has(e.op) && e.operatorSchema === undefined ? 'compare' : null;
    case 'like':
      return e.quantifier === undefined ? 'like' : null;
    case 'between':
      return 'like';
    case 'is':
      return e.test === 'DISTINCT FROM' ? 'is' : null;
    default:
      return null;
  }
}

/** The non-associative level of the operator at the cursor, if any. */
function upcomingLevel(p: Parser): NonAssocLevel | null {
  const t = p.tok;
  if (t.type === 'op') return compare_ops.has(t.value) ? 'compare' : null;
  if (t.type !== 'word') return null;
  if (t.upper === 'IS' || t.upper === 'ISNULL' || t.upper === 'NOTNULL') return 'is';
  if (like_level_words.has(t.upper)) return 'like';
  if (t.upper === 'NOT' && p.peek(1).type === 'word' && like_level_words.has(p.peek(1).upper)) return 'like';
  return null;
}

/** A comma-separated expression list. */
export function parseExprList(p: Parser): Expr[] {
  return p.list(() => parseExpr(p));
}

export function stringFromToken(t: Token): StringLit {
  const s: StringLit = { kind: 'string', value: t.value, loc: { start: t.start, end: t.end } };
  if (t.style) s.style = t.style as StringStyle;
  if (t.tag !== undefined && (t.style === '$' || t.style === 'Q')) s.tag = t.tag;
  if (t.charset) s.charset = t.charset;
  return s;
}

export function parseStringLiteral(p: Parser): StringLit {
  const t = p.tok;
  if (t.type !== 'string') p.error();
  p.next();
  return stringFromToken(t);
}

function parsePrefix(p: Parser): Expr {
  const t = p.tok;
  const loc = { start: t.start, end: t.end };
  switch (t.type) {
    case 'number':
      p.next();
      return { kind: 'number', value: t.value, loc };
    case 'string':
      p.next();
      return stringFromToken(t);
    case 'bitstr':
      p.next();
      return { kind: 'binary_string', format: t.style as 'X' | 'B' | '0x' | '0b', value: t.value, loc };
    case 'param':
      p.next();
      if (t.style === '$') return { kind: 'param', style: '$', index: Number(t.value), loc };
      if (t.style === '?') return { kind: 'param', style: '?', index: ++p.questionOrdinal, loc };
      return { kind: 'param', style: ':', name: t.value, loc };
    case 'variable': {
      p.next();
      const v: Expr = { kind: 'variable', sigil: t.style === '@@' ? '@@' : '@', name: t.value, loc };
      if (t.tag !== undefined) v.scope = t.tag;
      if (t.quoted) v.quoted = true;
      return v;
    }
    case 'qident':
      return parseNamePrimary(p);
    case 'word':
      return parseWordPrimary(p);
    case 'op':
      return parseOperatorPrefix(p, t);
    default:
      return p.error();
  }
}

function parseOperatorPrefix(p: Parser, t: Token): Expr {
  const v = t.value;
  if (v === '(') return parseParenPrimary(p);
  const ops = p.d.operators;
  let prec = ops.prefix.get(v);
  if (prec === undefined && ops.otherOperator !== undefined && isGenericOperator(v, true)) prec = ops.otherOperator;
  if (prec === undefined) return p.error();
  p.next();
  const operand = parseExpr(p, prec);
  return { kind: 'unary', op: v, operand, loc: p.loc(t) };
}

/** `(` query `)`, `(` expr `)`, `(` a, b `)`, then `.field` selections. */
function parseParenPrimary(p: Parser): Expr {
  const open = p.next();
  let e: Expr;
  if (isQueryStart(p)) {
    const q = parseQuery(p);
    p.expectOp(')');
    e = { kind: 'subquery', query: q, loc: p.loc(open) };
  } else {
    const first = parseExpr(p);
    if (first.kind === 'subquery' && isQueryContinuation(p)) {
      const q = parseQueryAfterOperand(p, { kind: 'nested_query', query: first.query }, open.start);
      p.expectOp(')');
      e = { kind: 'subquery', query: q, loc: p.loc(open) };
    } else if (p.isOp(',')) {
      const items = [first];
      while (p.acceptOp(',')) items.push(parseExpr(p));
      p.expectOp(')');
      e = { kind: 'row', items, keyword: false, loc: p.loc(open) };
    } else {
      p.expectOp(')');
      e = { kind: 'nested', expr: first, loc: p.loc(open) };
    }
  }
  return parseFieldSelections(p, e, open);
}

function isQueryContinuation(p: Parser): boolean {
  return p.isAnyWord(['UNION', 'INTERSECT', 'EXCEPT', 'MINUS', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH']);
}

function parseFieldSelections(p: Parser, e: Expr, start: Token): Expr {
  while (p.isOp('.')) {
    const n = p.peek(1);
    if (n.type === 'op' && n.value === '*') {
      p.next();
      p.next();
      e = { kind: 'field', expr: e, field: '*', loc: p.loc(start) };
    } else if (n.type === 'word' || n.type === 'qident') {
      p.next();
      e = { kind: 'field', expr: e, field: p.identAny(), loc: p.loc(start) };
    } else break;
  }
  return e;
}

/** A name-based primary: column reference, `t.*`, function call, or PG `typename 'literal'`. */
export function parseNamePrimary(p: Parser): Expr {
  const start = p.tok;
  if (start.type === 'word' && p.d.isReserved(start.upper)) {
    if (!(p.isOp('(', 1) && p.d.isReservedFunctionName(start.upper))) p.error();
  }
  const parts: Ident[] = [p.identAny()];
  while (p.isOp('.')) {
    const n = p.peek(1);
    if (n.type === 'op' && n.value === '*') {
      p.next();
      p.next();
      return { kind: 'star', qualifier: parts, loc: p.loc(start) };
    }
    if (n.type !== 'word' && n.type !== 'qident') break;
    p.next();
    parts.push(p.identAny());
  }
  if (p.isOp('(')) return parseFunctionCallAfterName(p, parts, start);
  if (p.d.supportsGenericTypedLiterals() && p.tok.type === 'string') {
    const s = p.next();
    return {
      kind: 'typed_literal',
      type: { kind: 'type', name: parts, loc: p.loc(start) },
      value: s.value,
      loc: p.loc(start),
    };
  }
  return { kind: 'column', name: parts, loc: p.loc(start) };
}

function parseInfix(p: Parser, left: Expr, minPrec: number, start: number): Expr | null {
  const t = p.tok;
  const d = p.d;
  const ops = d.operators;
  if (t.type === 'op') {
    const v = t.value;
    switch (v) {
      case '(':
      case ')':
      case ',':
      case ';':
      case ']':
        return null;
      case '::': {
        const prec = ops.infix.get('::');
        if (!d.supportsDoubleColonCast() || prec === undefined || prec < minPrec) return null;
        p.next();
        const type = parseTypeName(p);
        return { kind: 'cast', expr: left, type, syntax: '::', loc: p.loc(start) };
      }
      case '[': {
        const prec = ops.infix.get('[');
        if (!d.supportsArrays() || prec === undefined || prec < minPrec) return null;
        // PG subscripts only a column, a parameter, a field, a parenthesized expression or
        // subquery, or another subscript: `ARRAY[1][1]` and `f(x)[1]` need parentheses.
        if (!subscriptable.has(left.kind)) p.error();
        return parseSubscript(p, left, start);
      }
      case '.': {
        const k = left.kind;
        if (k !== 'subscript' && k !== 'field') return null;
        const n = p.peek(1);
        if (n.type !== 'word' && n.type !== 'qident' && !(n.type === 'op' && n.value === '*')) return null;
        p.next();
        if (p.acceptOp('*')) return { kind: 'field', expr: left, field: '*', loc: p.loc(start) };
        return { kind: 'field', expr: left, field: p.identAny(), loc: p.loc(start) };
      }
      case ':=': {
        const prec = ops.infix.get(':=');
        if (!d.supportsAssignmentExpression() || prec === undefined || prec < minPrec) return null;
        p.next();
        const value = parseExpr(p, prec);
        return { kind: 'assign', target: left, op: ':=', value, loc: { start, end: p.prevEnd } };
      }
    }
    let prec = ops.infix.get(v);
    if (prec === undefined && ops.otherOperator !== undefined && isGenericOperator(v, false)) prec = ops.otherOperator;
    if (prec === undefined || prec < minPrec) return null;
    p.next();
    if (isQuantifierNext(p)) return parseQuantified(p, v, undefined, left, start);
    const right = parseExpr(p, ops.rightAssoc.has(v) ? prec : prec + 1);
    return { kind: 'binary', op: v, left, right, loc: { start, end: p.prevEnd } };
  }
  if (t.type !== 'word') return null;
  switch (t.upper) {
    case 'AND':
    case 'OR':
    case 'XOR':
    case 'DIV':
    case 'MOD': {
      const prec = ops.infix.get(t.upper);
      if (prec === undefined || prec < minPrec) return null;
      p.next();
      const right = parseExpr(p, ops.rightAssoc.has(t.upper) ? prec : prec + 1);
      return { kind: 'binary', op: t.upper, left, right, loc: { start, end: p.prevEnd } };
    }
    case 'IS':
      return parseIs(p, left, minPrec, start);
    case 'OVERLAPS':
      // PG `row OVERLAPS row`: both operands are row constructors of two items; it binds tighter than any operator.
      if (left.kind !== 'row' || !(p.isOp('(', 1) || p.isWord('ROW', 1))) return null;
      return parseOverlaps(p, left, start);
    case 'ISNULL':
    case 'NOTNULL': {
      const prec = ops.infix.get('IS');
      if (!d.supportsIsnullNotnull() || prec === undefined || prec < minPrec) return null;
      p.next();
      return { kind: 'is', negated: t.upper === 'NOTNULL', expr: left, test: 'NULL', loc: { start, end: p.prevEnd } };
    }
    case 'NOT': {
      const n = p.peek(1);
      if (n.type !== 'word') return null;
      return parsePredicate(p, left, minPrec, start, n.upper, true);
    }
    case 'COLLATE': {
      const prec = ops.infix.get('COLLATE');
      if (prec === undefined || prec < minPrec) return null;
      p.next();
      const collation = [p.identAny()];
      while (p.isOp('.') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident')) {
        p.next();
        collation.push(p.identAny());
      }
      return { kind: 'collate', expr: left, collation, loc: { start, end: p.prevEnd } };
    }
    case 'AT': {
      const prec = ops.infix.get('AT');
      if (!d.supportsAtTimeZone() || prec === undefined || prec < minPrec) return null;
      if (p.isWords('AT', 'TIME', 'ZONE')) {
        p.acceptWords('AT', 'TIME', 'ZONE');
        const zone = parseExpr(p, prec + 1);
        return { kind: 'at_time_zone', expr: left, zone, loc: { start, end: p.prevEnd } };
      }
      if (p.isWords('AT', 'LOCAL')) {
        p.acceptWords('AT', 'LOCAL');
        return { kind: 'at_time_zone', expr: left, loc: { start, end: p.prevEnd } };
      }
      return null;
    }
    case 'OPERATOR': {
      const prec = ops.otherOperator;
      if (!d.supportsOperatorKeyword() || prec === undefined || prec < minPrec || !p.isOp('(', 1)) return null;
      p.next();
      const { schema, op } = parseOperatorName(p);
      if (isQuantifierNext(p)) return parseQuantified(p, op, schema, left, start);
      const right = parseExpr(p, prec + 1);
      return { kind: 'binary', op, operatorSchema: schema, left, right, loc: { start, end: p.prevEnd } };
    }
    default:
      return parsePredicate(p, left, minPrec, start, t.upper, false);
  }
}

/** `(schema.op)` after OPERATOR. */
export function parseOperatorName(p: Parser): { schema: Ident[]; op: string } {
  p.expectOp('(');
  const schema: Ident[] = [];
  while (p.tok.type === 'word' || p.tok.type === 'qident') {
    schema.push(p.identAny());
    p.expectOp('.');
  }
  const t = p.tok;
  if (t.type !== 'op' || !isGenericOperator(t.value, false)) p.error();
  p.next();
  p.expectOp(')');
  return { schema, op: t.value };
}

function isQuantifierNext(p: Parser): boolean {
  return (p.isWord('ANY') || p.isWord('SOME') || p.isWord('ALL')) && p.isOp('(', 1);
}

/** The parenthesized operand of ANY/ALL/SOME and IN: a subquery or an expression. */
function parseParenOperand(p: Parser): Expr {
  const open = p.expectOp('(');
  let e: Expr;
  if (isQueryStart(p)) e = { kind: 'subquery', query: parseQuery(p), loc: p.loc(open) };
  else e = parseExpr(p);
  p.expectOp(')');
  return e;
}

function parseQuantified(p: Parser, op: string, schema: Ident[] | undefined, left: Expr, start: number): Expr {
  const quantifier = p.next().upper as 'ANY' | 'SOME' | 'ALL';
  const right = parseParenOperand(p);
  const e: Expr = { kind: 'quantified', op, quantifier, left, right, loc: { start, end: p.prevEnd } };
  if (schema) e.operatorSchema = schema;
  return e;
}

/** Tokens that may follow a whole select-list item: after `SELECT 1 IS` one of them makes IS a column label. */
const after_select_item = new Set(['FROM', 'INTO', 'WHERE', 'GROUP', 'HAVING', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FOR', 'UNION', 'INTERSECT', 'EXCEPT', 'RETURNING']);

function parseIs(p: Parser, left: Expr, minPrec: number, start: number): Expr | null {
  const prec = p.d.operators.infix.get('IS');
  if (prec === undefined || prec < minPrec) return null;
  if (start === p.selectItemStart && p.d.name === 'postgres') {
    // PostgreSQL: IS is a bare column label (SELECT 1 IS -> a column named "is") when the item ends after it.
    const n = p.peek(1);
    if (n.type === 'eof' || (n.type === 'op' && (n.value === ',' || n.value === ';' || n.value === ')')) || (n.type === 'word' && after_select_item.has(n.upper))) return null;
  }
  p.next();
  const negated = p.acceptWord('NOT');
  const w = p.acceptOneOf('NULL', 'TRUE', 'FALSE', 'UNKNOWN', 'DOCUMENT', 'NORMALIZED', 'JSON');
  if (w !== null) {
    return { kind: 'is', negated, expr: left, test: w as 'NULL', loc: { start, end: p.prevEnd } };
  }
  p.expectWords('DISTINCT', 'FROM');
  const right = parseExpr(p, prec + 1);
  return { kind: 'is', negated, expr: left, test: 'DISTINCT FROM', right, loc: { start, end: p.prevEnd } };
}

function parseOverlaps(p: Parser, left: RowExpr, start: number): Expr {
  p.next();
  const rightStart = p.tok.start;
  const right = parsePrefix(p);
  if (right.kind !== 'row') throw syntaxErrorAt(p.sql, rightStart, p.sql.slice(rightStart, p.prevEnd));
  for (const [side, row] of [['left', left], ['right', right]] as const) {
    if (row.items.length !== 2) {
      throw new SbError(SqlState.syntax_error, `wrong number of parameters on ${side} side of OVERLAPS expression`, {
        position: charPosition(p.sql, (side === 'left' ? row.loc?.start : rightStart) ?? start),
      });
    }
  }
  return { kind: 'func', name: [{ value: 'overlaps', quoted: false }], args: [...left.items, ...right.items], syntax: 'overlaps', loc: { start, end: p.prevEnd } };
}

/** LIKE-family, BETWEEN and IN, optionally after NOT. */
function parsePredicate(p: Parser, left: Expr, minPrec: number, start: number, word: string, negated: boolean): Expr | null {
  const d = p.d;
  const ops = d.operators;
  const k = negated ? 1 : 0;
  let likeOp: 'LIKE' | 'ILIKE' | 'SIMILAR TO' | 'REGEXP' | 'RLIKE' | 'CONTAINING' | 'STARTING WITH' | null = null;
  let words = 1;
  switch (word) {
    case 'LIKE':
      likeOp = 'LIKE';
      break;
    case 'ILIKE':
      if (d.supportsIlike()) likeOp = 'ILIKE';
      break;
    case 'SIMILAR':
      if (d.supportsSimilarTo() && p.isWord('TO', k + 1)) {
        likeOp = 'SIMILAR TO';
        words = 2;
      }
      break;
    case 'REGEXP':
    case 'RLIKE':
      if (d.supportsRegexpOperator()) likeOp = word;
      break;
    case 'CONTAINING':
      if (d.supportsContainingStarting()) likeOp = 'CONTAINING';
      break;
    case 'STARTING':
      if (d.supportsContainingStarting()) {
        likeOp = 'STARTING WITH';
        words = p.isWord('WITH', k + 1) ? 2 : 1;
      }
      break;
    case 'BETWEEN': {
      const prec = ops.infix.get('BETWEEN');
      if (prec === undefined || prec < minPrec) return null;
      if (negated) p.next();
      p.next();
      const sym = p.acceptOneOf('SYMMETRIC', 'ASYMMETRIC') as 'SYMMETRIC' | 'ASYMMETRIC' | null;
      // PG's lower bound is a b_expr, which admits comparisons (`a BETWEEN b = c AND d`).
      const low = parseExpr(p, Math.min(prec + 1, ops.infix.get('=') ?? prec + 1));
      p.expectWord('AND');
      const high = parseExpr(p, prec + 1);
      const e: Expr = { kind: 'between', negated, expr: left, low, high, loc: { start, end: p.prevEnd } };
      if (sym) e.symmetric = sym;
      return e;
    }
    case 'IN': {
      const prec = ops.infix.get('IN');
      if (prec === undefined || prec < minPrec || !p.isOp('(', k + 1)) return null;
      if (negated) p.next();
      p.next();
      p.expectOp('(');
      let e: Expr;
      if (isQueryStart(p)) {
        const query: Query = parseQuery(p);
        e = { kind: 'in', negated, expr: left, query, loc: { start, end: 0 } };
      } else {
        e = { kind: 'in', negated, expr: left, list: parseExprList(p), loc: { start, end: 0 } };
      }
      p.expectOp(')');
      e.loc = { start, end: p.prevEnd };
      return e;
    }
  }
  if (likeOp === null) return null;
  const prec = ops.infix.get('LIKE');
  if (prec === undefined || prec < minPrec) return null;
  if (negated) p.next();
  for (let i = 0; i < words; i++) p.next();
  let pattern: Expr;
  let quantifier: 'ANY' | 'ALL' | 'SOME' | undefined;
  if (isQuantifierNext(p)) {
    quantifier = p.next().upper as 'ANY' | 'ALL' | 'SOME';
    pattern = parseParenOperand(p);
  } else {
    pattern = parseExpr(p, prec + 1);
  }
  const e: Expr = { kind: 'like', op: likeOp, negated, expr: left, pattern, loc: { start, end: 0 } };
  if (quantifier) e.quantifier = quantifier;
  if (p.acceptWord('ESCAPE')) e.escape = parseExpr(p, prec + 1);
  e.loc = { start, end: p.prevEnd };
  return e;
}

function parseSubscript(p: Parser, left: Expr, start: number): Expr {
  p.expectOp('[');
  const e: Expr = { kind: 'subscript', expr: left };
  if (!p.isOp(':')) e.index = parseExpr(p);
  if (p.acceptOp(':')) {
    e.slice = true;
    if (!p.isOp(']')) e.upper = parseExpr(p);
  }
  p.expectOp(']');
  e.loc = { start, end: p.prevEnd };
  return e;
}
