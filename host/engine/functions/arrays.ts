// Array functions and operators: dimensions (array_length/lower/upper/
// ndims/dims, cardinality), construction (array_append/prepend/cat, ||,
// array_fill, trim_array), search (array_position(s)), array_remove/
// replace, containment (@> <@ &&), array_to_string/string_to_array, and the
// set-returning unnest, generate_subscripts, string_to_table.

import { SbError, SqlState } from '../sb_error.ts';
import { arrayOf, T, type SqlType } from '../types/types.ts';
import { arraySubscriptError } from './errors.ts';
import { defFn, defOp, defSrf, type CallInfo } from './registry.ts';
import { compareValues } from '../types/compare.ts';
import { SqlArray, ARRAY_DIMS_MAX, ARRAY_ITEMS_MAX } from '../types/array.ts';
import { valueText } from './strings.ts';
import { codePoints } from './text_util.ts';

const I4 = T.int4;
const TX = T.text;
const AA = T.anyarray;
const CA = T.anycompatiblearray;
const CE = T.anycompatible;

const elemOf = (call: CallInfo, i: number): SqlType => call.argTypes[i]!.elem ?? T.text;
const arr = (v: unknown): SqlArray => v as SqlArray;

function notDistinct(t: SqlType, a: unknown, b: unknown): boolean {
  if (a === null || b === null) return a === null && b === null;
  return compareValues(t, a, b) === 0;
}

// ---- dimensions ----------------------------------------------------------------------

function dimIndex(a: SqlArray, d: number): number | null {
  return d >= 1 && d <= a.ndims ? d - 1 : null;
}

defFn('array_length', [AA, I4], I4, ([a, d]) => {
  const i = dimIndex(arr(a), d as number);
  return i === null ? null : arr(a).dims[i]!;
});
defFn('array_lower', [AA, I4], I4, ([a, d]) => {
  const i = dimIndex(arr(a), d as number);
  return i === null ? null : arr(a).lbounds[i]!;
});
defFn('array_upper', [AA, I4], I4, ([a, d]) => {
  const i = dimIndex(arr(a), d as number);
  return i === null ? null : arr(a).lbounds[i]! + arr(a).dims[i]! - 1;
});
defFn('array_ndims', [AA], I4, ([a]) => (arr(a).ndims === 0 ? null : arr(a).ndims));
defFn('array_dims', [AA], TX, ([a]) => {
  const x = arr(a);
  if (x.ndims === 0) return null;
  return x.dims.map((n, d) => `[${x.lbounds[d]}:${x.lbounds[d]! + n - 1}]`).join('');
});
defFn('cardinality', [AA], I4, ([a]) => arr(a).values.length);

// ---- construction -------------------------------------------------------------------------

function incompatible(): SbError {
  return new SbError('2202E', 'cannot concatenate incompatible arrays', {
    detail: 'Arrays with differing dimensions are not compatible for concatenation.',
  });
}

/** array_cat with PostgreSQL's dimension rules (an N-1 dimensional operand is one element). */
export function arrayCat(a: SqlArray | null, b: SqlArray | null, elem: SqlType): SqlArray | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.isEmpty()) return b.isEmpty() ? SqlArray.empty(elem) : new SqlArray(elem, b.dims.slice(), b.lbounds.slice(), b.values.slice());
  if (b.isEmpty()) return new SqlArray(elem, a.dims.slice(), a.lbounds.slice(), a.values.slice());
  const same = (x: number[], y: number[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  if (a.ndims === b.ndims) {
    if (!same(a.dims.slice(1), b.dims.slice(1))) throw incompatible();
    return new SqlArray(elem, [a.dims[0]! + b.dims[0]!, ...a.dims.slice(1)], a.lbounds.slice(), [...a.values, ...b.values]);
  }
  if (a.ndims === b.ndims + 1) {
    if (!same(a.dims.slice(1), b.dims)) throw incompatible();
    return new SqlArray(elem, [a.dims[0]! + 1, ...a.dims.slice(1)], a.lbounds.slice(), [...a.values, ...b.values]);
  }
  if (b.ndims === a.ndims + 1) {
    if (!same(b.dims.slice(1), a.dims)) throw incompatible();
    return new SqlArray(elem, [b.dims[0]! + 1, ...b.dims.slice(1)], b.lbounds.slice(), [...a.values, ...b.values]);
  }
  throw new SbError('2202E', 'cannot concatenate incompatible arrays', {
    detail: `Arrays of ${a.ndims} and ${b.ndims} dimensions are not compatible for concatenation.`,
  });
}

function oneDim(a: SqlArray): void {
  if (a.ndims > 1) throw new SbError(SqlState.data_exception, 'argument must be empty or one-dimensional array');
}

export function arrayAppend(a: SqlArray | null, x: unknown, elem: SqlType): SqlArray {
  if (a === null || a.isEmpty()) return SqlArray.of(elem, [x]);
  oneDim(a);
  return new SqlArray(elem, [a.dims[0]! + 1], a.lbounds.slice(), [...a.values, x]);
}

function arrayPrepend(x: unknown, a: SqlArray | null, elem: SqlType): SqlArray {
  if (a === null || a.isEmpty()) return SqlArray.of(elem, [x]);
  oneDim(a);
  // PostgreSQL keeps the input's lower bound (the new element takes it).
  return new SqlArray(elem, [a.dims[0]! + 1], a.lbounds.slice(), [x, ...a.values]);
}

const nonStrict = { strict: false };
defFn('array_append', [CA, CE], CA, ([a, x], _c, call) => arrayAppend(a as SqlArray | null, x, elemOf(call, 0)), nonStrict);
defFn('array_prepend', [CE, CA], CA, ([x, a], _c, call) => arrayPrepend(x, a as SqlArray | null, elemOf(call, 1)), nonStrict);
defFn('array_cat', [CA, CA], CA, ([a, b], _c, call) => arrayCat(a as SqlArray | null, b as SqlArray | null, elemOf(call, 0)), nonStrict);
defOp('||', CA, CA, CA, (a, b, _c, call) => arrayCat(a as SqlArray | null, b as SqlArray | null, elemOf(call, 0)), nonStrict);
defOp('||', CA, CE, CA, (a, x, _c, call) => arrayAppend(a as SqlArray | null, x, elemOf(call, 0)), nonStrict);
defOp('||', CE, CA, CA, (x, a, _c, call) => arrayPrepend(x, a as SqlArray | null, elemOf(call, 1)), nonStrict);

function arrayFill(value: unknown, dimsArr: SqlArray | null, lbArr: SqlArray | null, elem: SqlType): SqlArray {
  if (dimsArr === null) throw new SbError(SqlState.null_value_not_allowed, 'dimension array or low bound array cannot be null');
  // The order of checks is array_fill_internal's (nulls before sizes).
  if (dimsArr.ndims > 1) throw arraySubscriptError('wrong number of array subscripts');
  const dims = dimsArr.values as Array<number | null>;
  if (dims.some((d) => d === null)) throw new SbError(SqlState.null_value_not_allowed, 'dimension values cannot be null');
  if (lbArr !== null) {
    if (lbArr.ndims > 1) throw arraySubscriptError('wrong number of array subscripts');
    if (lbArr.values.some((d) => d === null)) throw new SbError(SqlState.null_value_not_allowed, 'dimension values cannot be null');
    if (lbArr.values.length !== dims.length) throw arraySubscriptError('wrong number of array subscripts');
  }
  const lbs = lbArr === null ? dims.map(() => 1) : (lbArr.values as number[]);
  if (dims.length > ARRAY_DIMS_MAX) throw new SbError(SqlState.program_limit_exceeded, `number of array dimensions (${dims.length}) exceeds the maximum allowed (${ARRAY_DIMS_MAX})`);
  if (dims.length === 0) return SqlArray.empty(elem);
  // ArrayGetNItems: a negative dimension or too many items is a size error.
  // Products are checked against int32 as they go, the item limit only at the end (a zero dimension empties it).
  let total = 1;
  for (const d of dims as number[]) {
    if (d < 0) throw arraySizeError();
    total *= d;
    if (total > 2147483647) throw arraySizeError();
  }
  if (total > ARRAY_ITEMS_MAX) throw arraySizeError();
  // The engine's own bound: a JS array of PostgreSQL's 134M items would take gigabytes (docs/compat/postgresql.md, Functions).
  if (total > ARRAY_FILL_ITEMS_MAX) throw new SbError(SqlState.program_limit_exceeded, `array size exceeds the maximum allowed (${ARRAY_FILL_ITEMS_MAX})`);
  for (let i = 0; i < dims.length; i++) {
    // ArrayCheckBounds: dimension + lower bound must fit an int4.
    if (lbs[i]! + dims[i]! > 2147483647 || lbs[i]! + dims[i]! < -2147483648) {
      throw new SbError(SqlState.program_limit_exceeded, `array upper bound is too large: ${lbs[i]! + dims[i]!}`);
    }
  }
  if (total === 0) return SqlArray.empty(elem);
  return new SqlArray(elem, dims as number[], lbs, new Array<unknown>(total).fill(value));
}

/** Largest array array_fill builds (2^24 elements, ~128 MB of JS array). */
export const ARRAY_FILL_ITEMS_MAX = 1 << 24;

function arraySizeError(): SbError {
  return new SbError(SqlState.program_limit_exceeded, `array size exceeds the maximum allowed (${ARRAY_ITEMS_MAX})`);
}
defFn('array_fill', [T.anyelement, arrayOf(I4)], T.anyarray, ([v, d], _c, call) => arrayFill(v, d as SqlArray | null, null, call.argTypes[0]!), nonStrict);
defFn('array_fill', [T.anyelement, arrayOf(I4), arrayOf(I4)], T.anyarray, ([v, d, l], _c, call) => {
  if (d === null || l === null) throw new SbError(SqlState.null_value_not_allowed, 'dimension array or low bound array cannot be null');
  return arrayFill(v, d as SqlArray, l as SqlArray, call.argTypes[0]!);
}, nonStrict);

defFn('trim_array', [AA, I4], AA, ([a, n], _c, call) => {
  const x = arr(a);
  const k = n as number;
  const len = x.ndims === 0 ? 0 : x.dims[0]!;
  if (k < 0 || k > len) throw arraySubscriptError(`number of elements to trim must be between 0 and ${len}`);
  if (k === 0) return x;
  const per = x.values.length / len;
  const keep = len - k;
  if (keep === 0) return SqlArray.empty(elemOf(call, 0));
  return new SqlArray(x.elemType, [keep, ...x.dims.slice(1)], x.lbounds.slice(), x.values.slice(0, keep * per));
});

// ---- search and edit ------------------------------------------------------------------------

function noMultiDim(a: SqlArray, what: string): void {
  if (a.ndims > 1) throw new SbError(SqlState.feature_not_supported, `${what} in multidimensional arrays is not supported`);
}

function arrayPosition(a: SqlArray, x: unknown, t: SqlType, start?: number): number | null {
  noMultiDim(a, 'searching for elements');
  if (a.isEmpty()) return null;
  const lb = a.lbounds[0]!;
  const from = start === undefined ? 0 : Math.max(start - lb, 0);
  for (let i = from; i < a.values.length; i++) if (notDistinct(t, a.values[i], x)) return i + lb;
  return null;
}

defFn('array_position', [CA, CE], I4, ([a, x], _c, call) => (a === null ? null : arrayPosition(arr(a), x, elemOf(call, 0))), nonStrict);
defFn('array_position', [CA, CE, I4], I4, ([a, x, s], _c, call) => {
  if (a === null) return null;
  const v = arr(a);
  noMultiDim(v, 'searching for elements');
  if (v.ndims === 0) return null;
  // Searching for NULL in an array without NULLs returns before the start position is read.
  if (x === null && !v.values.includes(null)) return null;
  if (s === null) throw new SbError(SqlState.null_value_not_allowed, 'initial position must not be null');
  return arrayPosition(v, x, elemOf(call, 0), s as number);
}, nonStrict);
defFn('array_positions', [CA, CE], arrayOf(I4), ([a, x], _c, call) => {
  if (a === null) return null;
  const v = arr(a);
  noMultiDim(v, 'searching for elements');
  const out: number[] = [];
  const lb = v.lbounds[0] ?? 1;
  v.values.forEach((e, i) => {
    if (notDistinct(elemOf(call, 0), e, x)) out.push(i + lb);
  });
  return SqlArray.of(I4, out);
}, nonStrict);

defFn('array_remove', [CA, CE], CA, ([a, x], _c, call) => {
  if (a === null) return null;
  const v = arr(a);
  noMultiDim(v, 'removing elements');
  if (v.isEmpty()) return v;
  const kept = v.values.filter((e) => !notDistinct(elemOf(call, 0), e, x));
  if (kept.length === v.values.length) return v;
  return kept.length === 0 ? SqlArray.empty(elemOf(call, 0)) : new SqlArray(v.elemType, [kept.length], v.lbounds.slice(), kept);
}, nonStrict);

defFn('array_replace', [CA, CE, CE], CA, ([a, x, y], _c, call) => {
  if (a === null) return null;
  const v = arr(a);
  const t = elemOf(call, 0);
  return new SqlArray(v.elemType, v.dims.slice(), v.lbounds.slice(), v.values.map((e) => (notDistinct(t, e, x) ? y : e)));
}, nonStrict);

// ---- containment ------------------------------------------------------------------------------

function containsAll(a: SqlArray, b: SqlArray, t: SqlType): boolean {
  return b.values.every((x) => x !== null && a.values.some((y) => y !== null && compareValues(t, x, y) === 0));
}
defOp('@>', AA, AA, T.bool, (a, b, _c, call) => containsAll(arr(a), arr(b), elemOf(call, 0)), { commutator: '<@' });
defOp('<@', AA, AA, T.bool, (a, b, _c, call) => containsAll(arr(b), arr(a), elemOf(call, 0)), { commutator: '@>' });
defOp('&&', AA, AA, T.bool, (a, b, _c, call) =>
  arr(a).values.some((x) => x !== null && arr(b).values.some((y) => y !== null && compareValues(elemOf(call, 0), x, y) === 0)),
{ commutator: '&&' });

// ---- text conversion ----------------------------------------------------------------------

defFn('array_to_string', [AA, TX], TX, ([a, d], ctx, call) =>
  arr(a).values.filter((v) => v !== null).map((v) => valueText(v, elemOf(call, 0), ctx)).join(d as string),
{ volatility: 's' });
defFn('array_to_string', [AA, TX, TX], TX, ([a, d, n], ctx, call) => {
  if (a === null || d === null) return null;
  const parts = arr(a).values.flatMap((v) => (v === null ? (n === null ? [] : [n as string]) : [valueText(v, elemOf(call, 0), ctx)]));
  return parts.join(d as string);
}, { strict: false, volatility: 's' });

/** string_to_array / string_to_table pieces. */
function splitString(s: string, d: string | null, nullStr: string | null): Array<string | null> {
  if (s === '') return [];
  const parts = d === null ? codePoints(s) : d === '' ? [s] : s.split(d);
  return parts.map((p) => (nullStr !== null && p === nullStr ? null : p));
}
defFn('string_to_array', [TX, TX], arrayOf(TX), ([s, d]) => (s === null ? null : SqlArray.of(TX, splitString(s as string, d as string | null, null))), nonStrict);
defFn('string_to_array', [TX, TX, TX], arrayOf(TX), ([s, d, n]) =>
  s === null ? null : SqlArray.of(TX, splitString(s as string, d as string | null, n as string | null)),
nonStrict);
defSrf('string_to_table', [TX, TX], TX, ([s, d]) => (s === null ? [] : splitString(s as string, d as string | null, null)), nonStrict);
defSrf('string_to_table', [TX, TX, TX], TX, ([s, d, n]) => (s === null ? [] : splitString(s as string, d as string | null, n as string | null)), nonStrict);

// ---- set-returning -------------------------------------------------------------------------

defSrf('unnest', [AA], T.anyelement, ([a]) => arr(a).values);
function* subscripts(a: SqlArray, d: number, reverse: boolean): Generator<number> {
  if (d < 1 || d > a.ndims) return;
  const lb = a.lbounds[d - 1]!;
  const n = a.dims[d - 1]!;
  for (let i = 0; i < n; i++) yield reverse ? lb + n - 1 - i : lb + i;
}
defSrf('generate_subscripts', [AA, I4], I4, ([a, d]) => subscripts(arr(a), d as number, false));
defSrf('generate_subscripts', [AA, I4, T.bool], I4, ([a, d, r]) => subscripts(arr(a), d as number, r === true));
