// Primaries introduced by a keyword: literals (NULL, TRUE, typed and
// interval literals), CASE, CAST/CONVERT, EXISTS, ARRAY, ROW, the SQL
// special-syntax functions (EXTRACT, SUBSTRING, POSITION, TRIM, OVERLAY),
// niladic functions (CURRENT_DATE …), NEXT VALUE FOR and OPERATOR(…).

import type { CaseExpr, Expr, TypeName } from './ast.ts';
import type { Token } from './lexer.ts';
import type { Parser } from './parser.ts';
import { isQueryStart } from './parser.ts';
import { Prec } from './dialect.ts';
import { parseExpr, parseExprList, parseNamePrimary, parseOperatorName } from './expr.ts';
import { parseFunctionCallAfterName } from './expr_func.ts';
import { parseQuery } from './select.ts';
import { parseIntervalFields, parseTypeName } from './types.ts';

const niladic = new Set([
  'CURRENT_DATE',
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'CURRENT_USER',
  'SESSION_USER',
  'USER',
  'CURRENT_ROLE',
  'CURRENT_CATALOG',
  'CURRENT_SCHEMA',
  'SYSTEM_USER',
  'CURRENT_CONNECTION',
  'CURRENT_TRANSACTION',
  'UTC_DATE',
  'UTC_TIME',
  'UTC_TIMESTAMP',
]);

const niladic_with_precision = new Set([
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'UTC_TIME',
  'UTC_TIMESTAMP',
]);

/** Type keywords that may introduce a typed string literal (`DATE '…'`). */
const typed_literal_words = new Set(['DATE', 'TIME', 'TIMESTAMP', 'DATETIME']);

/** More type keywords for dialects where any type name may (PG `DOUBLE PRECISION '1'`). */
const generic_typed_literal_words = new Set([
  'BOOLEAN',
  'INT',
  'INTEGER',
  'SMALLINT',
  'BIGINT',
  'REAL',
  'FLOAT',
  'DOUBLE',
  'NUMERIC',
  'DECIMAL',
  'DEC',
  'CHAR',
  'CHARACTER',
  'VARCHAR',
  'NATIONAL',
  'NCHAR',
  'BIT',
]);

export function parseWordPrimary(p: Parser): Expr {
  const t = p.tok;
  const d = p.d;
  const u = t.upper;
  const prefix = d.operators.prefix.get(u);
  if (prefix !== undefined && !p.isOp('(', 1)) {
    p.next();
    const operand = parseExpr(p, prefix);
    return { kind: 'unary', op: u, operand, loc: p.loc(t) };
  }
  if (u === 'NOT' && prefix !== undefined) {
    p.next();
    return { kind: 'unary', op: u, operand: parseExpr(p, prefix), loc: p.loc(t) };
  }
  const paren = p.isOp('(', 1);
  switch (u) {
    case 'NULL':
      p.next();
      return { kind: 'null', loc: p.loc(t) };
    case 'TRUE':
    case 'FALSE':
      if (!d.supportsBooleanLiterals()) break;
      p.next();
      return { kind: 'boolean', value: u === 'TRUE', loc: p.loc(t) };
    case 'DEFAULT':
      if (paren) break;
      p.next();
      return { kind: 'default', loc: p.loc(t) };
    case 'CASE':
      return parseCase(p);
    case 'CAST':
      if (paren) return parseCast(p, 'cast');
      break;
    case 'TRY_CAST':
      if (paren && d.supportsTryCast()) return parseCast(p, 'try_cast');
      break;
    case 'CONVERT':
      if (paren && d.convertStyle() !== null) return parseConvert(p);
      break;
    case 'EXISTS':
      if (!paren) break;
      p.next();
      p.expectOp('(');
      {
        const query = parseQuery(p);
        p.expectOp(')');
        return { kind: 'exists', query, loc: p.loc(t) };
      }
    case 'ARRAY':
      if (!d.supportsArrays()) break;
      if (p.isOp('[', 1)) {
        p.next();
        return parseArrayLiteral(p, t, true);
      }
      if (paren && isQueryStart(p, 2)) {
        p.next();
        p.expectOp('(');
        const query = parseQuery(p);
        p.expectOp(')');
        return { kind: 'array_subquery', query, loc: p.loc(t) };
      }
      break;
    case 'ROW':
      if (!paren) break;
      p.next();
      p.expectOp('(');
      {
        const items = p.isOp(')') ? [] : parseExprList(p);
        p.expectOp(')');
        return { kind: 'row', items, keyword: true, loc: p.loc(t) };
      }
    case 'INTERVAL': {
      const e = parseInterval(p);
      if (e) return e;
      break;
    }
    case 'EXTRACT':
      if (paren) return parseExtract(p);
      break;
    case 'SUBSTRING':
      if (paren) return parseSubstring(p);
      break;
    case 'POSITION':
      if (paren) return parsePosition(p);
      break;
    case 'TRIM':
      if (paren) return parseTrim(p);
      break;
    case 'OVERLAY':
      if (paren) return parseOverlay(p);
      break;
    case 'NEXT':
      if (d.supportsNextValueFor() && p.isWord('VALUE', 1) && p.isWord('FOR', 2)) {
        p.next();
        p.next();
        p.next();
        return { kind: 'next_value', sequence: p.qname(), loc: p.loc(t) };
      }
      break;
    case 'OPERATOR':
      if (paren && d.supportsOperatorKeyword() && d.operators.otherOperator !== undefined) {
        p.next();
        const { schema, op } = parseOperatorName(p);
        const operand = parseExpr(p, d.operators.otherOperator);
        return { kind: 'unary', op, operatorSchema: schema, operand, loc: p.loc(t) };
      }
      break;
  }
  if (niladic.has(u) && d.isReserved(u)) {
    if (!paren) {
      p.next();
      return { kind: 'sql_value', name: u, loc: p.loc(t) };
    }
    if (niladic_with_precision.has(u) && p.peek(2).type === 'number' && p.isOp(')', 3)) {
      p.next();
      p.next();
      const precision: Expr = { kind: 'number', value: p.next().value, loc: { start: p.peek(-1).start, end: p.prevEnd } };
      p.next();
      return { kind: 'sql_value', name: u, precision, loc: p.loc(t) };
    }
    p.next();
    return parseFunctionCallAfterName(p, [{ value: t.value, quoted: false, loc: { start: t.start, end: t.end } }], t);
  }
  if (d.supportsTypedStringLiterals() && (typed_literal_words.has(u) || (d.supportsGenericTypedLiterals() && generic_typed_literal_words.has(u)))) {
    const lit = tryTypedLiteral(p, t);
    if (lit) return lit;
  }
  return parseNamePrimary(p);
}

/** `TYPE 'literal'`; undefined (cursor unmoved) if the words are not one. */
function tryTypedLiteral(p: Parser, start: Token): Expr | undefined {
  const m = p.mark();
  let type: TypeName;
  try {
    type = parseTypeName(p);
  } catch {
    p.reset(m);
    return undefined;
  }
  if (p.tok.type !== 'string') {
    p.reset(m);
    return undefined;
  }
  const value = p.next().value;
  return { kind: 'typed_literal', type, value, loc: p.loc(start) };
}

function parseInterval(p: Parser): Expr | undefined {
  const t = p.tok;
  const syntax = p.d.intervalSyntax();
  if (syntax === 'string') {
    if (p.peek(1).type !== 'string') return undefined;
    p.next();
    const s = p.next();
    const e: Expr = { kind: 'interval', value: { kind: 'string', value: s.value, loc: { start: s.start, end: s.end } } };
    const f = parseIntervalFields(p);
    if (f) {
      e.fields = f.fields;
      if (f.precision) e.fieldPrecision = f.precision;
    }
    e.loc = p.loc(t);
    return e;
  }
  if (syntax === 'expression') {
    const n = p.peek(1);
    if (n.type === 'eof' || (n.type === 'op' && n.value !== '(' && n.value !== '-' && n.value !== '+')) return undefined;
    if (n.type === 'word' && (n.upper === 'FROM' || n.upper === 'AS')) return undefined;
    p.next();
    const value = parseExpr(p, Prec.bitOr);
    const unit = p.tok;
    if (unit.type !== 'word') p.error();
    p.next();
    return { kind: 'interval', value, fields: unit.upper, loc: p.loc(t) };
  }
  return undefined;
}

function parseCase(p: Parser): CaseExpr {
  const t = p.next();
  const e: CaseExpr = { kind: 'case', whens: [] };
  if (!p.isWord('WHEN')) e.operand = parseExpr(p);
  if (!p.isWord('WHEN')) p.error();
  while (p.acceptWord('WHEN')) {
    const when = parseExpr(p);
    p.expectWord('THEN');
    e.whens.push({ when, then: parseExpr(p) });
  }
  if (p.acceptWord('ELSE')) e.else = parseExpr(p);
  p.expectWord('END');
  e.loc = p.loc(t);
  return e;
}

function parseCast(p: Parser, syntax: 'cast' | 'try_cast'): Expr {
  const t = p.next();
  p.expectOp('(');
  const expr = parseExpr(p);
  p.expectWord('AS');
  const type = parseTypeName(p);
  p.expectOp(')');
  return { kind: 'cast', expr, type, syntax, loc: p.loc(t) };
}

function parseConvert(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  if (p.d.convertStyle() === 'type_first') {
    const type = parseTypeName(p);
    p.expectOp(',');
    const expr = parseExpr(p);
    const e: Expr = { kind: 'cast', expr, type, syntax: 'convert' };
    if (p.acceptOp(',')) e.style = parseExpr(p);
    p.expectOp(')');
    e.loc = p.loc(t);
    return e;
  }
  const expr = parseExpr(p);
  if (p.acceptWord('USING')) {
    const charset = p.identAny();
    p.expectOp(')');
    return { kind: 'convert_using', expr, charset, loc: p.loc(t) };
  }
  p.expectOp(',');
  const type = parseTypeName(p);
  p.expectOp(')');
  return { kind: 'cast', expr, type, syntax: 'convert', loc: p.loc(t) };
}

function parseArrayLiteral(p: Parser, start: Token, keyword: boolean): Expr {
  p.enter();
  p.expectOp('[');
  const elements: Expr[] = [];
  if (!p.isOp(']')) {
    do {
      if (p.isOp('[')) elements.push(parseArrayLiteral(p, p.tok, false));
      else elements.push(parseExpr(p));
    } while (p.acceptOp(','));
  }
  p.expectOp(']');
  p.leave();
  return { kind: 'array', elements, keyword, loc: p.loc(start) };
}

function parseExtract(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  const f = p.tok;
  let field: string;
  let fieldQuoted = false;
  if (f.type === 'string') {
    field = f.value;
    fieldQuoted = true;
  } else if ((f.type === 'word' && f.upper !== 'FROM') || f.type === 'qident') {
    field = f.type === 'word' ? f.upper : f.value;
  } else return p.error();
  p.next();
  p.expectWord('FROM');
  const source = parseExpr(p);
  p.expectOp(')');
  const e: Expr = { kind: 'extract', field, source, loc: p.loc(t) };
  if (fieldQuoted) e.fieldQuoted = true;
  return e;
}

/** Falls back to an ordinary call when the first argument is followed by a comma or `)`. */
function ordinaryCall(p: Parser, t: Token, first: Expr): Expr {
  const args = [first];
  while (p.acceptOp(',')) args.push(parseExpr(p));
  p.expectOp(')');
  const f: Expr = { kind: 'func', name: [{ value: t.value, quoted: false, loc: { start: t.start, end: t.end } }], args };
  f.loc = p.loc(t);
  return f;
}

function parseSubstring(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  const expr = parseExpr(p);
  if (p.isOp(',') || p.isOp(')')) return ordinaryCall(p, t, expr);
  const e: Expr = { kind: 'substring', expr };
  if (p.acceptWord('SIMILAR')) {
    e.similar = parseExpr(p);
    p.expectWord('ESCAPE');
    e.escape = parseExpr(p);
  } else {
    let any = false;
    for (;;) {
      if (e.from === undefined && p.acceptWord('FROM')) e.from = parseExpr(p);
      else if (e.for === undefined && p.acceptWord('FOR')) e.for = parseExpr(p);
      else break;
      any = true;
    }
    if (!any) p.error();
  }
  p.expectOp(')');
  e.loc = p.loc(t);
  return e;
}

function parsePosition(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  const inPrec = p.d.operators.infix.get('IN') ?? Prec.compare;
  const needle = parseExpr(p, inPrec + 1);
  if (!p.acceptWord('IN')) return ordinaryCall(p, t, needle);
  const haystack = parseExpr(p);
  p.expectOp(')');
  return { kind: 'position', needle, haystack, loc: p.loc(t) };
}

function parseTrim(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  const spec = p.acceptOneOf('BOTH', 'LEADING', 'TRAILING') as 'BOTH' | 'LEADING' | 'TRAILING' | null;
  const e: Expr = { kind: 'trim', source: { kind: 'null' } };
  if (spec) e.spec = spec;
  if (p.acceptWord('FROM')) {
    e.source = parseExpr(p);
  } else {
    const first = parseExpr(p);
    if (p.acceptWord('FROM')) {
      e.chars = first;
      e.source = parseExpr(p);
    } else if (p.isOp(',')) {
      // PG `trim([spec] source, chars)` is btrim/ltrim/rtrim(source, chars): TRIM([spec] chars FROM source).
      const m = p.mark();
      p.next();
      const chars = parseExpr(p);
      if (p.isOp(')')) {
        e.source = first;
        e.chars = chars;
      } else {
        p.reset(m);
        if (spec) p.error();
        return ordinaryCall(p, t, first);
      }
    } else {
      e.source = first;
    }
  }
  p.expectOp(')');
  e.loc = p.loc(t);
  return e;
}

function parseOverlay(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  const expr = parseExpr(p);
  if (!p.acceptWord('PLACING')) return ordinaryCall(p, t, expr);
  const placing = parseExpr(p);
  p.expectWord('FROM');
  const from = parseExpr(p);
  const e: Expr = { kind: 'overlay', expr, placing, from };
  if (p.acceptWord('FOR')) e.for = parseExpr(p);
  p.expectOp(')');
  e.loc = p.loc(t);
  return e;
}
