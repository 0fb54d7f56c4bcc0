// Data type names: multi-word built-ins (DOUBLE PRECISION, CHARACTER VARYING,
// TIMESTAMP WITH TIME ZONE, INTERVAL DAY TO SECOND), modifiers, arrays, and
// the MySQL (UNSIGNED, ZEROFILL, CHARACTER SET) and Firebird (BLOB SUB_TYPE,
// TYPE OF COLUMN) attributes. Type modifiers are constants, so this parser
// never recurses into general expressions.

import type { Expr, Ident, TypeName } from './ast.ts';
import type { Parser } from './parser.ts';
import type { Token } from './lexer.ts';

const interval_fields = new Set(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND']);

function kw(t: Token, text: string): Ident {
  return { value: text, quoted: false, loc: { start: t.start, end: t.end } };
}

/** Interval qualifier: `DAY`, `YEAR TO MONTH`, `DAY TO SECOND(3)`. */
export function parseIntervalFields(p: Parser): { fields: string; precision?: Expr } | undefined {
  if (!p.isAnyWord(interval_fields)) return undefined;
  let fields = p.next().upper;
  if (p.isWord('TO') && p.isAnyWord(interval_fields, 1)) {
    p.next();
    fields += ' TO ' + p.next().upper;
  }
  if (fields.endsWith('SECOND') && p.isOp('(') && p.peek(1).type === 'number') {
    p.next();
    const n = p.next();
    p.expectOp(')');
    return { fields, precision: { kind: 'number', value: n.value, loc: { start: n.start, end: n.end } } };
  }
  return { fields };
}

/** One constant type modifier: a number (optionally signed), a string, or a word such as MAX. */
function parseTypeArg(p: Parser): Expr {
  const t = p.tok;
  const loc = { start: t.start, end: t.end };
  if (t.type === 'number') {
    p.next();
    return { kind: 'number', value: t.value, loc };
  }
  if (t.type === 'string') {
    p.next();
    return { kind: 'string', value: t.value, loc };
  }
  if (t.type === 'op' && (t.value === '-' || t.value === '+') && p.peek(1).type === 'number') {
    p.next();
    const n = p.next();
    return { kind: 'unary', op: t.value, operand: { kind: 'number', value: n.value, loc: { start: n.start, end: n.end } }, loc: p.loc(t) };
  }
  if (t.type === 'word' || t.type === 'qident') {
    return { kind: 'column', name: [p.identAny()], loc };
  }
  return p.error();
}

/** The name part of a type, recognising the multi-word built-ins. */
function parseTypeNameWords(p: Parser, ty: TypeName): void {
  const t = p.tok;
  if (t.type !== 'word') {
    ty.name = p.qname();
    return;
  }
  const u = t.upper;
  const two = (second: string, joined: string): boolean => {
    if (p.isWord(second, 1)) {
      p.next();
      p.next();
      ty.name = [kw(t, joined)];
      return true;
    }
    return false;
  };
  switch (u) {
    case 'DOUBLE':
      if (two('PRECISION', 'DOUBLE PRECISION')) return;
      break;
    case 'CHARACTER':
    case 'CHAR':
      if (two('VARYING', u + ' VARYING')) return;
      break;
    case 'NCHAR':
    case 'BIT':
      if (two('VARYING', u + ' VARYING')) return;
      break;
    case 'NATIONAL':
      if (p.isWord('CHARACTER', 1) || p.isWord('CHAR', 1)) {
        p.next();
        const second = p.next().upper;
        const varying = p.acceptWord('VARYING');
        ty.name = [kw(t, `NATIONAL ${second}${varying ? ' VARYING' : ''}`)];
        return;
      }
      break;
    case 'LONG':
      if (p.isAnyWord(['VARCHAR', 'VARBINARY', 'RAW'], 1)) {
        p.next();
        ty.name = [kw(t, 'LONG ' + p.next().upper)];
        return;
      }
      break;
    case 'SIGNED':
    case 'UNSIGNED':
      if (p.isAnyWord(['INT', 'INTEGER'], 1)) {
        p.next();
        ty.name = [kw(t, u + ' ' + p.next().upper)];
        return;
      }
      break;
    case 'TYPE':
      if (p.isWord('OF', 1)) {
        p.next();
        p.next();
        ty.typeOf = p.acceptWord('COLUMN') ? 'TYPE OF COLUMN' : 'TYPE OF';
        ty.name = p.qname();
        return;
      }
      break;
  }
  ty.name = [p.identAny()];
  while (p.isOp('.') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident')) {
    p.next();
    ty.name.push(p.identAny());
  }
}

export function parseTypeName(p: Parser): TypeName {
  const start = p.tok;
  const ty: TypeName = { kind: 'type', name: [] };
  if (p.isWord('SETOF') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident')) {
    p.next();
    ty.setof = true;
  }
  parseTypeNameWords(p, ty);
  const base = ty.name.length === 1 && !ty.name[0].quoted ? ty.name[0].value.toUpperCase() : '';
  if (base === 'INTERVAL') {
    const f = parseIntervalFields(p);
    if (f) {
      ty.intervalFields = f.fields;
      if (f.precision) ty.fieldPrecision = f.precision;
    }
  }
  if (p.isOp('(') && ty.typeOf === undefined) {
    p.next();
    ty.args = p.isOp(')') ? [] : p.list(() => parseTypeArg(p));
    p.expectOp(')');
  }
  if ((base === 'TIME' || base === 'TIMESTAMP') && (p.isWord('WITH') || p.isWord('WITHOUT')) && p.isWord('TIME', 1) && p.isWord('ZONE', 2)) {
    ty.timeZone = p.next().upper as 'WITH' | 'WITHOUT';
    p.next();
    p.next();
  }
  if (base === 'BLOB') {
    if (p.acceptWord('SUB_TYPE')) ty.subType = parseTypeArg(p);
    if (p.acceptWords('SEGMENT', 'SIZE')) ty.segmentSize = parseTypeArg(p);
  }
  // MySQL numeric attributes.
  for (;;) {
    if (ty.signed === undefined && (p.isWord('UNSIGNED') || p.isWord('SIGNED')) && p.d.supportsUnsignedTypes()) {
      ty.signed = p.next().upper as 'SIGNED' | 'UNSIGNED';
    } else if (!ty.zerofill && p.isWord('ZEROFILL') && p.d.supportsUnsignedTypes()) {
      p.next();
      ty.zerofill = true;
    } else if (!ty.binary && p.isWord('BINARY') && !p.isOp('(', 1) && p.d.supportsUnsignedTypes()) {
      p.next();
      ty.binary = true;
    } else break;
  }
  if (p.isWords('CHARACTER', 'SET') || (p.isWord('CHARSET') && p.d.supportsUnsignedTypes())) {
    if (p.acceptWord('CHARSET')) ty.charset = p.identAny();
    else {
      p.next();
      p.next();
      ty.charset = p.identAny();
    }
  }
  if (p.isOp('%') && (p.isWord('TYPE', 1) || p.isWord('ROWTYPE', 1))) {
    p.next();
    ty.typeOf = p.next().upper === 'TYPE' ? '%TYPE' : '%ROWTYPE';
  }
  if (p.d.supportsArrays()) {
    const bounds: (number | null)[] = [];
    for (;;) {
      if (p.isOp('[') && p.isOp(']', 1)) {
        p.next();
        p.next();
        bounds.push(null);
      } else if (p.isOp('[') && p.peek(1).type === 'number' && p.isOp(']', 2)) {
        p.next();
        bounds.push(Number(p.next().value));
        p.next();
      } else if (p.isWord('ARRAY') && !p.isOp('(', 1)) {
        p.next();
        if (p.isOp('[') && p.peek(1).type === 'number' && p.isOp(']', 2)) {
          p.next();
          bounds.push(Number(p.next().value));
          p.next();
        } else bounds.push(null);
      } else break;
    }
    if (bounds.length > 0) ty.arrayBounds = bounds;
  }
  ty.loc = p.loc(start);
  return ty;
}
