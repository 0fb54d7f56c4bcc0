// Expression binding: AST expressions to typed `Expr` trees (plan/nodes.ts)
// with PostgreSQL's semantics. This file holds the dispatcher, literals,
// column references, parameters, operators, boolean connectives and casts;
// function calls are in expr_func.ts, the special forms (CASE, IN, BETWEEN,
// LIKE, IS, subqueries, arrays, rows) in expr_special.ts.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { Expr } from '../plan/nodes.ts';
import { resolveOperator } from '../functions/resolve.ts';
import { Numeric } from '../types/numeric.ts';
import { arrayOf, recordOf, T, type SqlType } from '../types/types.ts';
import type { Scope } from './scope.ts';
import { noteColumnUse } from './privileges.ts';
import { formatType } from '../types/type_names.ts';
import { SqlArray } from '../types/array.ts';
import { type Cx, errAt, fold, posOf } from './context.ts';
import { coerceBool, coerceTo, inputType, refresh } from './coerce.ts';
import { resolveType } from './names.ts';
import { bindFuncCall, bindSqlValue } from './expr_func.ts';
import { parseBits } from '../types/bit.ts';
import {
  bindArray, bindBetween, bindCase, bindExists, bindIn, bindIs, bindLike, bindQuantified, bindRow, bindSubquery, rowSubqueryComparison,
} from './expr_special.ts';

/** Hooks tried before the built-in binding of a node kind (aggregates, window functions, ... plug in here). */
export type ExprHook = (cx: Cx, e: A.Expr) => Expr | undefined;
const hooks: ExprHook[] = [];

/** `first`: tried before the hooks registered so far (aggregates and window calls must be claimed before any hook binds a call's arguments). */
export function registerExprHook(h: ExprHook, first = false): void {
  if (first) hooks.unshift(h);
  else hooks.push(h);
}

const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;

export function bindExpr(cx: Cx, e: A.Expr): Expr {
  for (const h of hooks) {
    const r = h(cx, e);
    if (r) return r;
  }
  switch (e.kind) {
    case 'number':
      return numberLiteral(cx, e.value, false, e.loc);
    case 'string':
      return { k: 'const', type: T.unknown, value: e.value };
    case 'binary_string':
      return bitOrHexString(cx, e);
    case 'boolean':
      return { k: 'const', type: T.bool, value: e.value };
    case 'null':
      return { k: 'const', type: T.unknown, value: null };
    case 'default':
      throw errAt(cx, SqlState.syntax_error, 'DEFAULT is not allowed in this context', e.loc);
    case 'typed_literal': {
      let { type } = resolveType(cx.env, e.type);
      // PG's ConstBit: BIT '1010' without a length keeps the literal's length (a cast to bit means bit(1)).
      if (type.id === 'bit' && !e.type.args?.length && !e.type.arrayBounds) type = T.bit;
      return coerceTo(cx, { k: 'const', type: T.unknown, value: e.value }, type, 'explicit', { loc: e.loc });
    }
    case 'interval':
      return bindIntervalLiteral(cx, e);
    case 'column':
      return bindColumn(cx, e);
    case 'star':
      throw errAt(cx, SqlState.syntax_error, '"*" is not allowed here', e.loc);
    case 'param':
      return bindParam(cx, e);
    case 'unary':
      return bindUnary(cx, e);
    case 'binary':
      return bindBinary(cx, e);
    case 'like':
      return bindLike(cx, e);
    case 'between':
      return bindBetween(cx, e);
    case 'in':
      return bindIn(cx, e);
    case 'is':
      return bindIs(cx, e);
    case 'exists':
      return bindExists(cx, e);
    case 'subquery':
      return bindSubquery(cx, e);
    case 'quantified':
      return bindQuantified(cx, e);
    case 'cast':
      return bindCast(cx, e);
    case 'case':
      return bindCase(cx, e);
    case 'func':
      return bindFuncCall(cx, e);
    case 'sql_value':
      return bindSqlValue(cx, e);
    case 'array':
      return bindArray(cx, e);
    case 'array_subquery':
      return bindSubquery(cx, { kind: 'subquery', query: e.query, loc: e.loc }, 'array');
    case 'row':
      return bindRow(cx, e);
    case 'nested':
      return bindExpr(cx, e.expr);
    case 'collate':
      // Only the "C" collation exists: COLLATE "C" / "default" / "POSIX" change nothing.
      return bindCollate(cx, e);
    case 'extract':
      return bindFuncCall(cx, { kind: 'func', name: [{ value: 'extract', quoted: false }], args: [{ kind: 'string', value: e.field.toLowerCase() }, e.source], loc: e.loc });
    case 'substring':
      return bindSubstring(cx, e);
    case 'position':
      return bindFuncCall(cx, { kind: 'func', name: [{ value: 'position', quoted: false }], args: [e.haystack, e.needle], loc: e.loc });
    case 'trim':
      return bindTrim(cx, e);
    case 'overlay':
      return bindFuncCall(cx, { kind: 'func', name: [{ value: 'overlay', quoted: false }], args: e.for ? [e.expr, e.placing, e.from, e.for] : [e.expr, e.placing, e.from], loc: e.loc });
    case 'at_time_zone':
      if (!e.zone) throw errAt(cx, SqlState.feature_not_supported, 'AT LOCAL is not supported yet', e.loc);
      return bindFuncCall(cx, { kind: 'func', name: [{ value: 'timezone', quoted: false }], args: [e.zone, e.expr], loc: e.loc });
    case 'next_value':
      return bindFuncCall(cx, { kind: 'func', name: [{ value: 'nextval', quoted: false }], args: [{ kind: 'string', value: e.sequence.map((i) => (i.quoted ? `"${i.value}"` : i.value)).join('.') }], loc: e.loc });
    default:
      throw errAt(cx, SqlState.feature_not_supported, `${describe(e.kind)} is not supported yet`, (e as { loc?: A.Loc }).loc);
  }
}

function describe(kind: string): string {
  const names: Record<string, string> = {
    subscript: 'array subscripting', field: 'field selection', grouping_set: 'GROUPING SETS', variable: 'a variable reference',
    assign: 'assignment inside an expression', named_arg: 'a named argument', convert_using: 'CONVERT ... USING',
  };
  return names[kind] ?? `the expression "${kind}"`;
}

// ---- literals ---------------------------------------------------------------

/** PostgreSQL's typing of numeric literals: int4, then int8, else numeric. */
export function numberLiteral(cx: Cx, text: string, negate: boolean, loc?: A.Loc): Expr {
  const clean = text.replace(/_/g, '');
  if (/^(0x[0-9a-f]+|0o[0-7]+|0b[01]+)$/i.test(clean) || /^\d+$/.test(clean)) {
    let big = BigInt(clean);
    if (negate) big = -big;
    if (big >= BigInt(INT4_MIN) && big <= BigInt(INT4_MAX)) return { k: 'const', type: T.int4, value: Number(big) };
    if (big >= -9223372036854775808n && big <= 9223372036854775807n) {
      return { k: 'const', type: T.int8, value: Number.isSafeInteger(Number(big)) ? Number(big) : big };
    }
    return { k: 'const', type: T.numeric, value: Numeric.parse((negate ? '-' : '') + clean) };
  }
  try {
    return { k: 'const', type: T.numeric, value: Numeric.parse((negate ? '-' : '') + clean) };
  } catch (err) {
    if (err instanceof SbError) throw errAt(cx, err.code, err.message, loc);
    throw err;
  }
}

function bitOrHexString(cx: Cx, e: A.BinaryStringLit): Expr {
  // PostgreSQL: B'0101' and X'1F' are bit strings (type bit, any length).
  if (cx.env.dialect.name === 'postgres' && (e.format === 'B' || e.format === 'X')) {
    try {
      return { k: 'const', type: T.bit, value: parseBits((e.format === 'X' ? 'x' : 'b') + e.value, -1, false) };
    } catch (err) {
      if (err instanceof SbError) throw errAt(cx, err.code, err.message, e.loc);
      throw err;
    }
  }
  if (e.format === 'X' || e.format === '0x') {
    // PG X'..' is a bit string; we have no bit type, so it is bytea as MySQL reads it.
    const hex = e.value.length % 2 ? '0' + e.value : e.value;
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return { k: 'const', type: T.bytea, value: out };
  }
  throw errAt(cx, SqlState.feature_not_supported, 'bit string literals are not supported yet', e.loc);
}

function bindIntervalLiteral(cx: Cx, e: A.IntervalLit): Expr {
  const inner = bindExpr(cx, e.value);
  let type: SqlType = T.interval;
  if (e.fields || e.fieldPrecision) {
    type = resolveType(cx.env, { kind: 'type', name: [{ value: 'interval', quoted: false }], intervalFields: e.fields, fieldPrecision: e.fieldPrecision }).type;
  }
  return coerceTo(cx, inner, type, 'explicit', { loc: e.loc });
}

// ---- names and parameters ------------------------------------------------------

export function bindColumn(cx: Cx, e: A.ColumnRef): Expr {
  const parts = e.name.map((id) => fold(cx, id));
  const position = posOf(cx, e.loc);
  const hit = cx.scope.findColumn(parts, position);
  if (!hit && parts.length <= 2) {
    // A bare FROM item name is its whole row (row_to_json(t), t IS NULL).
    const whole = wholeRow(cx, parts);
    if (whole) return whole;
  }
  if (!hit) {
    if (parts.length >= 2 && !cx.scope.hasEntry(parts.slice(0, -1))) {
      throw errAt(cx, SqlState.undefined_table, `missing FROM-clause entry for table "${parts[parts.length - 2]}"`, e.loc);
    }
    const text = parts.length >= 2 ? parts.join('.') : `"${parts[0]}"`;
    throw errAt(cx, SqlState.undefined_column, `column ${text} does not exist`, e.loc);
  }
  const { col, level } = hit;
  if (level === 0) return { k: 'col', type: col.type, index: col.index };
  return { k: 'outer', type: col.type, level, index: col.index };
}

function wholeRow(cx: Cx, parts: string[]): Expr | undefined {
  let level = 0;
  for (let s: Scope | undefined = cx.scope; s; s = s.parent, level++) {
    const entries = s.entriesNamed(parts);
    if (entries.length === 0) continue;
    const cols = entries[0]!.cols;
    for (const c of cols) noteColumnUse(entries[0]!, c);
    if (level > 0) s.markCorrelatedBelow(cx.scope);
    const fields: Expr[] = cols.map((c) => (level === 0 ? { k: 'col', type: c.type, index: c.index } : { k: 'outer', type: c.type, level, index: c.index }));
    return { k: 'row', type: recordOf(cols.map((c) => c.type), cols.map((c) => c.name)), fields };
  }
  return undefined;
}

function bindParam(cx: Cx, e: A.Param): Expr {
  if (e.style !== '$' || e.index === undefined) {
    throw errAt(cx, SqlState.syntax_error, 'only $n parameters are supported in this dialect', e.loc);
  }
  const index = e.index - 1;
  if (index < 0) throw errAt(cx, SqlState.undefined_parameter, `there is no parameter $${e.index}`, e.loc);
  const known = cx.env.paramTypes[index];
  while (cx.env.paramTypes.length <= index) cx.env.paramTypes.push(undefined);
  return { k: 'param', type: known ?? T.unknown, index };
}

// ---- operators --------------------------------------------------------------------

const OP_ALIASES: Record<string, string> = { '!=': '<>' };

/** A resolved operator call with its arguments coerced to the operator's input types. */
export function makeOperator(cx: Cx, name: string, left: Expr | null, right: Expr, loc?: A.Loc): Expr {
  const op = OP_ALIASES[name] ?? name;
  let r;
  try {
    r = resolveOperator(op, left ? inputType(cx, left) : null, inputType(cx, right));
  } catch (err) {
    if (err instanceof SbError && err.position === undefined) throw errAt(cx, err.code, err.message, loc, { hint: err.hint });
    throw err;
  }
  const args = left
    ? [coerceTo(cx, left, r.argTypes[0]!, 'implicit', { loc }), coerceTo(cx, right, r.argTypes[1]!, 'implicit', { loc })]
    : [coerceTo(cx, right, r.argTypes[0]!, 'implicit', { loc })];
  return { k: 'op', type: r.retType, op, oid: r.impl.oid, args, strict: r.impl.strict };
}

function bindUnary(cx: Cx, e: A.UnaryExpr): Expr {
  const op = e.op.toUpperCase();
  if (op === 'NOT') return { k: 'not', type: T.bool, arg: coerceBool(cx, bindExpr(cx, e.operand), 'NOT', e.loc) };
  // -1 is one constant (so -2147483648 is an integer), as in PostgreSQL's grammar, also through parentheses.
  if (op === '-' || op === '+') {
    const folded = foldSign(e);
    if (folded) return numberLiteral(cx, folded.text, folded.negative, e.loc);
  }
  return makeOperator(cx, e.op, null, bindExpr(cx, e.operand), e.loc);
}

/** A numeric constant under signs and parentheses: its digits and sign. */
function foldSign(e: A.Expr): { text: string; negative: boolean } | undefined {
  if (e.kind === 'number') return { text: e.value, negative: false };
  if (e.kind === 'nested') return foldSign(e.expr);
  if (e.kind === 'unary' && (e.op === '-' || e.op === '+')) {
    const inner = foldSign(e.operand);
    if (!inner) return undefined;
    return { text: inner.text, negative: e.op === '-' ? !inner.negative : inner.negative };
  }
  return undefined;
}

function bindBinary(cx: Cx, e: A.BinaryExpr): Expr {
  const op = e.op.toUpperCase();
  if (op === 'AND' || op === 'OR') {
    const args: Expr[] = [];
    // Flatten chains: a AND b AND c is one node.
    const collect = (x: A.Expr): void => {
      if (x.kind === 'binary' && x.op.toUpperCase() === op) {
        collect(x.left);
        collect(x.right);
      } else args.push(coerceBool(cx, bindExpr(cx, x), op, e.loc));
    };
    collect(e);
    return { k: op === 'AND' ? 'and' : 'or', type: T.bool, args };
  }
  const left = bindExpr(cx, e.left);
  let r = e.right;
  while (r.kind === 'nested') r = r.expr;
  // (a, b) = (SELECT x, y ...): PostgreSQL's ROWCOMPARE sublink.
  if (left.k === 'row' && r.kind === 'subquery') return rowSubqueryComparison(cx, e.op, left, r, e.loc);
  const right = bindExpr(cx, e.right);
  if (left.k === 'row' || right.k === 'row') return rowComparison(cx, e.op, left, right, e.loc);
  return makeOperator(cx, e.op, left, right, e.loc);
}

/** (a, b) op (c, d): = and <> pairwise, <, <=, >, >= lexicographically. */
export function rowComparison(cx: Cx, name: string, left: Expr, right: Expr, loc?: A.Loc): Expr {
  const op = OP_ALIASES[name] ?? name;
  if (left.k !== 'row' || right.k !== 'row') {
    throw errAt(cx, SqlState.feature_not_supported, 'comparing a row with a non-row value is not supported yet', loc);
  }
  const l = left.fields;
  const r = right.fields;
  if (l.length !== r.length) throw errAt(cx, SqlState.syntax_error, 'unequal number of entries in row expressions', loc);
  if (op === '=' || op === '<>') {
    const parts = l.map((x, i) => makeOperator(cx, op, x, r[i]!, loc));
    return parts.length === 1 ? parts[0]! : { k: op === '=' ? 'and' : 'or', type: T.bool, args: parts };
  }
  if (!['<', '<=', '>', '>='].includes(op)) {
    throw errAt(cx, SqlState.feature_not_supported, `operator ${op} is not supported for row expressions`, loc);
  }
  const strict = op === '<' || op === '>' ? op : op === '<=' ? '<' : '>';
  // a < c OR (a = c AND (b < d OR (b = d AND ...))), the last pair using op itself.
  let acc = makeOperator(cx, op, l[l.length - 1]!, r[r.length - 1]!, loc);
  for (let i = l.length - 2; i >= 0; i--) {
    const lt = makeOperator(cx, strict, l[i]!, r[i]!, loc);
    const eq = makeOperator(cx, '=', l[i]!, r[i]!, loc);
    acc = { k: 'or', type: T.bool, args: [lt, { k: 'and', type: T.bool, args: [eq, acc] }] };
  }
  return acc;
}

// ---- casts ---------------------------------------------------------------------------

function bindCast(cx: Cx, e: A.CastExpr): Expr {
  const { type } = resolveType(cx.env, e.type);
  if (e.syntax === 'try_cast' || e.syntax === 'convert') {
    throw errAt(cx, SqlState.feature_not_supported, `${e.syntax.toUpperCase()} is not supported in this dialect`, e.loc);
  }
  // ARRAY[]::int[] : an empty array takes its type from the cast.
  if (e.expr.kind === 'array' && e.expr.elements.length === 0) {
    if (type.id !== 'array') throw errAt(cx, '42846', `cannot cast type text[] to ${formatType(type)}`, e.loc);
    return { k: 'const', type, value: SqlArray.empty(type.elem!) };
  }
  if (e.expr.kind === 'array' && type.id === 'array') {
    // ARRAY['1','2']::int[]: the elements take the element type directly.
    const inner = bindArray(cx, e.expr, type.elem);
    return coerceTo(cx, inner, type, 'explicit', { loc: e.loc });
  }
  return coerceTo(cx, bindExpr(cx, e.expr), type, 'explicit', { loc: e.loc });
}

function bindCollate(cx: Cx, e: A.CollateExpr): Expr {
  const name = e.collation.map((id) => fold(cx, id)).join('.');
  const inner = bindExpr(cx, e.expr);
  if (!['C', 'POSIX', 'default', 'pg_catalog.C', 'pg_catalog.default', 'ucs_basic'].includes(name)) {
    throw errAt(cx, SqlState.undefined_object, `collation "${name}" for encoding "UTF8" does not exist`, e.loc);
  }
  return refresh(cx, inner).type.id === 'unknown' ? coerceTo(cx, inner, T.text, 'implicit') : inner;
}

function bindSubstring(cx: Cx, e: A.SubstringExpr): Expr {
  if (e.similar) {
    const args = e.escape ? [e.expr, e.similar, e.escape] : [e.expr, e.similar];
    return bindFuncCall(cx, { kind: 'func', name: [{ value: 'substring', quoted: false }], args, loc: e.loc });
  }
  const args: A.Expr[] = [e.expr];
  args.push(e.from ?? { kind: 'number', value: '1' });
  if (e.for) args.push(e.for);
  return bindFuncCall(cx, { kind: 'func', name: [{ value: 'substring', quoted: false }], args, loc: e.loc });
}

function bindTrim(cx: Cx, e: A.TrimExpr): Expr {
  const fn = e.spec === 'LEADING' ? 'ltrim' : e.spec === 'TRAILING' ? 'rtrim' : 'btrim';
  const args = e.chars ? [e.source, e.chars] : [e.source];
  return bindFuncCall(cx, { kind: 'func', name: [{ value: fn, quoted: false }], args, loc: e.loc });
}

/** The type of an array of an expression's type (for ANY(array) and ARRAY constructors). */
export function arrayTypeOf(t: SqlType): SqlType {
  return t.id === 'array' ? t : arrayOf(t);
}
