// Comparison operators (= <> < <= > >=) for every comparable type, including
// PostgreSQL's cross-type families (int2/int4/int8, float4/float8,
// date/timestamp/timestamptz, name/text), and IS [NOT] DISTINCT FROM helpers
// for the executor.

import { T, type SqlType } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { defOp, type CallInfo } from './registry.ts';
import { compareValues, compareCodePoints } from '../types/compare.ts';
import { isValidTimestamp, localToTimestamptz, USECS_PER_DAY } from '../types/datetime.ts';
import { sessionZone } from './context.ts';

type Cmp = (a: unknown, b: unknown, ctx: EvalContext, call: CallInfo) => number;

const OPS: Array<[string, (c: number) => boolean, string, string]> = [
  ['=', (c) => c === 0, '=', '<>'],
  ['<>', (c) => c !== 0, '<>', '='],
  ['<', (c) => c < 0, '>', '>='],
  ['<=', (c) => c <= 0, '>=', '>'],
  ['>', (c) => c > 0, '<', '<='],
  ['>=', (c) => c >= 0, '<=', '<'],
];

/** Registers the six comparison operators for (l, r) with a three-way comparator. */
export function defComparisons(l: SqlType, r: SqlType, cmp: Cmp): void {
  for (const [name, test, commutator, negator] of OPS) {
    defOp(name, l, r, T.bool, (a, b, ctx, call) => test(cmp(a, b, ctx, call)), { commutator, negator });
  }
}

const byType =
  (t: SqlType): Cmp =>
  (a, b) =>
    compareValues(t, a, b);

// Hot path: the executor calls these per row. Types whose JS value order is
// the SQL order get the JS operators directly (one call, no three-way step).
type Pred = (a: unknown, b: unknown) => boolean;
interface PredSet {
  eq: Pred;
  ne: Pred;
  lt: Pred;
  le: Pred;
  gt: Pred;
  ge: Pred;
}

function defPredicates(l: SqlType, r: SqlType, p: PredSet): void {
  const fns: Record<string, Pred> = { '=': p.eq, '<>': p.ne, '<': p.lt, '<=': p.le, '>': p.gt, '>=': p.ge };
  for (const [name, , commutator, negator] of OPS) {
    const f = fns[name]!;
    defOp(name, l, r, T.bool, (a, b) => f(a, b), { commutator, negator });
  }
}

/** number and bigint mix exactly under == and < (int8 beyond 2^53 is a bigint); infinities order as SQL's. */
const JS_ORDER: PredSet = {
  // eslint-disable-next-line eqeqeq
  eq: (a, b) => (a as number) == (b as number),
  // eslint-disable-next-line eqeqeq
  ne: (a, b) => (a as number) != (b as number),
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
};

/** Floats: NaN equals NaN and sorts above every other value (float8_cmp_internal). */
const FLOAT_ORDER: PredSet = {
  eq: (a, b) => a === b || (a !== a && b !== b),
  ne: (a, b) => !(a === b || (a !== a && b !== b)),
  lt: (a, b) => (a as number) < (b as number) || (a === a && b !== b),
  le: (a, b) => (a as number) <= (b as number) || b !== b,
  gt: (a, b) => (a as number) > (b as number) || (a !== a && b === b),
  ge: (a, b) => (a as number) >= (b as number) || a !== a,
};

/** Text in the C collation: equality is identity, order is by code point. */
const TEXT_ORDER: PredSet = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a !== b && compareCodePoints(a as string, b as string) < 0,
  le: (a, b) => a === b || compareCodePoints(a as string, b as string) < 0,
  gt: (a, b) => a !== b && compareCodePoints(a as string, b as string) > 0,
  ge: (a, b) => a === b || compareCodePoints(a as string, b as string) > 0,
};

// Integers: every pair, compared exactly (number and bigint mix).
for (const l of [T.int2, T.int4, T.int8]) for (const r of [T.int2, T.int4, T.int8]) defPredicates(l, r, JS_ORDER);

// Floats: NaN sorts above everything and equals itself.
for (const l of [T.float4, T.float8]) for (const r of [T.float4, T.float8]) defPredicates(l, r, FLOAT_ORDER);

for (const t of [T.date, T.time, T.timestamp, T.timestamptz, T.oid]) defPredicates(t, t, JS_ORDER);
// bit strings ('0'/'1' strings): bitwise order, a shorter prefix first, is code point order.
for (const t of [T.text, T.name, T.uuid, T.bit, T.varbit]) defPredicates(t, t, TEXT_ORDER);

for (const t of [T.bool, T.numeric, T.bpchar, T.char, T.bytea, T.timetz, T.interval, T.jsonb]) {
  defComparisons(t, t, byType(t));
}
// Polymorphic: the element (or field) types come from the call site.
for (const t of [T.anyarray, T.record]) {
  defComparisons(t, t, (a, b, _ctx, call) => compareValues(call.argTypes[0]!, a, b));
}

const textCmp: Cmp = (a, b) => {
  const c = compareCodePoints(a as string, b as string);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
};
defComparisons(T.name, T.text, textCmp);
defComparisons(T.text, T.name, textCmp);

// xid and cid have equality only.
defOp('=', T.xid, T.xid, T.bool, (a, b) => a === b, { commutator: '=', negator: '<>' });
defOp('<>', T.xid, T.xid, T.bool, (a, b) => a !== b, { commutator: '<>', negator: '=' });
defOp('=', T.xid, T.int4, T.bool, (a, b) => Number(a) === Number(b), { negator: '<>' });
defOp('<>', T.xid, T.int4, T.bool, (a, b) => Number(a) !== Number(b), { negator: '=' });
defOp('=', T.cid, T.cid, T.bool, (a, b) => a === b, { commutator: '=' });

// ---- date / timestamp / timestamptz across types ----------------------------------

// Cross-type comparisons convert without raising: a value beyond the
// timestamp range compares above (below) every finite timestamp but short of
// infinity, as PostgreSQL's date2timestamp_opt_overflow callers do.
const BEYOND = Number.MAX_VALUE;

/** date -> timestamp (midnight); infinities map to themselves. */
function dateToTimestamp(d: number): number {
  if (!Number.isFinite(d)) return d;
  const ts = d * USECS_PER_DAY;
  return isValidTimestamp(ts) ? ts : d < 0 ? -BEYOND : BEYOND;
}

/** timestamp -> timestamptz: the wall-clock time read in the session time zone. */
function timestampToTimestamptz(ts: number, ctx: EvalContext): number {
  if (!Number.isFinite(ts) || Math.abs(ts) === BEYOND) return ts;
  try {
    return localToTimestamptz(ts, sessionZone(ctx));
  } catch {
    return ts < 0 ? -BEYOND : BEYOND;
  }
}

/** date -> timestamptz: local midnight in the session time zone. */
function dateToTimestamptz(d: number, ctx: EvalContext): number {
  return timestampToTimestamptz(dateToTimestamp(d), ctx);
}

const cmp3 = (x: number, y: number): number => (x < y ? -1 : x > y ? 1 : 0);

defComparisons(T.date, T.timestamp, (a, b) => cmp3(dateToTimestamp(a as number), b as number));
defComparisons(T.timestamp, T.date, (a, b) => cmp3(a as number, dateToTimestamp(b as number)));
defComparisons(T.date, T.timestamptz, (a, b, ctx) => cmp3(dateToTimestamptz(a as number, ctx), b as number));
defComparisons(T.timestamptz, T.date, (a, b, ctx) => cmp3(a as number, dateToTimestamptz(b as number, ctx)));
defComparisons(T.timestamp, T.timestamptz, (a, b, ctx) => cmp3(timestampToTimestamptz(a as number, ctx), b as number));
defComparisons(T.timestamptz, T.timestamp, (a, b, ctx) => cmp3(a as number, timestampToTimestamptz(b as number, ctx)));

// ---- IS DISTINCT FROM -------------------------------------------------------------

/** a IS DISTINCT FROM b for values of one type (NULLs are not distinct from each other). */
export function isDistinctFrom(t: SqlType, a: unknown, b: unknown): boolean {
  if (a === null || b === null) return (a === null) !== (b === null);
  return compareValues(t, a, b) !== 0;
}

/** IS DISTINCT FROM through a resolved '=' operator (cross-type comparisons). */
export function isDistinctVia(eq: (a: unknown, b: unknown) => unknown, a: unknown, b: unknown): boolean {
  if (a === null || b === null) return (a === null) !== (b === null);
  return eq(a, b) !== true;
}
