// The standard aggregates: count, sum, avg, min/max, bool_and/bool_or/every,
// bit_and/bit_or/bit_xor, string_agg, array_agg, json(b)_agg and
// json(b)_object_agg, with PostgreSQL's result types (sum(int4) is int8,
// sum(int8) numeric, avg of integers an exact numeric...). States are
// mutable objects; step returns the state it was given.

import { SbError, SqlState } from '../sb_error.ts';
import { Interval } from '../types/interval.ts';
import { Numeric } from '../types/numeric.ts';
import { T, type SqlType } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { big, int8, type Int8 } from './int_math.ts';
import { toJsonbValue, toJsonText } from './json_convert.ts';
import { checkFloat4, checkFloat8 } from './ops_arith.ts';
import { defAgg, type CallInfo } from './registry.ts';
import { compareValues } from '../types/compare.ts';
import { Jsonb, quoteJsonString, type JsonValue } from '../types/jsonb.ts';
import { sortedObject } from '../types/json_parse.ts';
import { SqlArray } from '../types/array.ts';
import { valueText } from './strings.ts';

// ---- count -------------------------------------------------------------------------

interface Count {
  n: number;
}
defAgg({
  name: 'count', args: [], ret: T.int8, strict: false,
  init: (): Count => ({ n: 0 }),
  step: (s) => ((s as Count).n++, s),
  inverse: (s) => ((s as Count).n--, s),
  final: (s) => (s as Count).n,
});
defAgg({
  name: 'count', args: [T.any], ret: T.int8, strict: true,
  init: (): Count => ({ n: 0 }),
  step: (s) => ((s as Count).n++, s),
  inverse: (s) => ((s as Count).n--, s),
  final: (s) => (s as Count).n,
});

// ---- sum / avg over exact integers and numerics ----------------------------------------------

/**
 * Exact accumulator: integers add into a float64 while the total stays a
 * safe integer (no allocation per row), spilling into a bigint beyond;
 * numerics into a Numeric sum.
 */
interface Exact {
  n: number;
  small: number;
  int: bigint;
  num: Numeric | null;
  /** Largest display scale among the numerics added, and how many have it (PostgreSQL's maxScale / maxScaleCount). */
  maxScale: number;
  maxScaleCount: number;
}

const initExact = (): Exact => ({ n: 0, small: 0, int: 0n, num: null, maxScale: 0, maxScaleCount: 0 });

/**
 * Removing a row from a moving window frame. Undefined when the result scale
 * can no longer be known (the last value of the largest scale left), as
 * PostgreSQL's numeric_accum_inv: the executor then recomputes the frame.
 */
function removeExact(s: Exact, v: unknown): Exact | undefined {
  if (v instanceof Numeric && !v.isFinite()) return undefined;
  if (v instanceof Numeric && v.isFinite() && v.scale === s.maxScale && s.maxScale > 0) {
    if (--s.maxScaleCount === 0) return undefined;
  }
  return addExact(s, v, -1);
}

function addExact(s: Exact, v: unknown, sign: 1 | -1): Exact {
  s.n += sign;
  if (typeof v === 'number') {
    const r = sign > 0 ? s.small + v : s.small - v;
    // Exact whenever the result is a safe integer (a rounded result would not be).
    if (Number.isSafeInteger(r)) s.small = r;
    else {
      s.int += BigInt(s.small) + (sign > 0 ? BigInt(v) : -BigInt(v));
      s.small = 0;
    }
  } else if (v instanceof Numeric) {
    if (sign > 0 && v.isFinite()) {
      if (v.scale > s.maxScale) {
        s.maxScale = v.scale;
        s.maxScaleCount = 1;
      } else if (v.scale === s.maxScale) s.maxScaleCount++;
    }
    s.num = s.num === null ? (sign > 0 ? v : v.neg()) : sign > 0 ? s.num.add(v) : s.num.sub(v);
  }
  else s.int += sign > 0 ? big(v as Int8) : -big(v as Int8);
  return s;
}

function exactInt(s: Exact): bigint {
  return s.int + BigInt(s.small);
}

function exactTotal(s: Exact): Numeric {
  const i = Numeric.fromInt(exactInt(s));
  return s.num === null ? i : s.num.add(i);
}

for (const t of [T.int2, T.int4]) {
  defAgg({
    name: 'sum', args: [t], ret: T.int8, strict: true,
    init: initExact, step: (s, [v]) => addExact(s as Exact, v, 1), inverse: (s, [v]) => removeExact(s as Exact, v),
    final: (s) => ((s as Exact).n === 0 ? null : (s as Exact).int === 0n ? (s as Exact).small || 0 : int8(exactInt(s as Exact))),
  });
}
for (const t of [T.int8, T.numeric]) {
  defAgg({
    name: 'sum', args: [t], ret: T.numeric, strict: true,
    init: initExact, step: (s, [v]) => addExact(s as Exact, v, 1), inverse: (s, [v]) => removeExact(s as Exact, v),
    final: (s) => ((s as Exact).n === 0 ? null : exactTotal(s as Exact)),
  });
}
for (const t of [T.int2, T.int4, T.int8, T.numeric]) {
  defAgg({
    name: 'avg', args: [t], ret: T.numeric, strict: true,
    init: initExact, step: (s, [v]) => addExact(s as Exact, v, 1), inverse: (s, [v]) => removeExact(s as Exact, v),
    final: (s) => ((s as Exact).n === 0 ? null : exactTotal(s as Exact).div(Numeric.fromInt((s as Exact).n))),
  });
}

// ---- floats ---------------------------------------------------------------------------------

interface FloatSum {
  n: number;
  sum: number;
}
for (const t of [T.float4, T.float8]) {
  const check = t.id === 'float4' ? checkFloat4 : checkFloat8;
  defAgg({
    name: 'sum', args: [t], ret: t, strict: true,
    init: (): FloatSum => ({ n: 0, sum: 0 }),
    step: (s, [v]) => {
      const st = s as FloatSum;
      const x = v as number;
      st.sum = check(st.sum + x, !Number.isFinite(st.sum) || !Number.isFinite(x), true);
      st.n++;
      return st;
    },
    final: (s) => ((s as FloatSum).n === 0 ? null : (s as FloatSum).sum),
  });
  // avg(float4/float8) is in agg_stats.ts: PostgreSQL accumulates it as the variance (overflow of the squares is 22003).
}

// ---- intervals --------------------------------------------------------------------------------

interface IvSum {
  n: number;
  sum: Interval;
}
const ivStep = (s: unknown, v: unknown, sign: 1 | -1): IvSum => {
  const st = s as IvSum;
  st.sum = sign > 0 ? st.sum.add(v as Interval) : st.sum.sub(v as Interval);
  st.n += sign;
  return st;
};
defAgg({
  name: 'sum', args: [T.interval], ret: T.interval, strict: true,
  init: (): IvSum => ({ n: 0, sum: Interval.ZERO }), step: (s, [v]) => ivStep(s, v, 1), inverse: (s, [v]) => ivStep(s, v, -1),
  final: (s) => ((s as IvSum).n === 0 ? null : (s as IvSum).sum),
});
defAgg({
  name: 'avg', args: [T.interval], ret: T.interval, strict: true,
  init: (): IvSum => ({ n: 0, sum: Interval.ZERO }), step: (s, [v]) => ivStep(s, v, 1), inverse: (s, [v]) => ivStep(s, v, -1),
  final: (s) => ((s as IvSum).n === 0 ? null : (s as IvSum).sum.div((s as IvSum).n)),
});

// ---- min / max ----------------------------------------------------------------------------------

interface Extreme {
  v: unknown;
  has: boolean;
}
const MINMAX_TYPES: SqlType[] = [
  T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.text, T.bpchar, T.date, T.time, T.timetz, T.timestamp, T.timestamptz,
  T.interval, T.oid, T.anyarray,
];
for (const t of MINMAX_TYPES) {
  for (const [name, better] of [['min', (c: number) => c < 0], ['max', (c: number) => c > 0]] as const) {
    defAgg({
      name, args: [t], ret: t, strict: true,
      init: (): Extreme => ({ v: null, has: false }),
      step: (s, [v], _ctx, call) => {
        const st = s as Extreme;
        if (!st.has || better(compareValues(call.argTypes[0]!, v, st.v))) {
          st.v = v;
          st.has = true;
        }
        return st;
      },
      final: (s) => ((s as Extreme).has ? (s as Extreme).v : null),
    });
  }
}

// ---- booleans and bits ----------------------------------------------------------------------------

interface Acc<V> {
  v: V | null;
}
for (const [name, and] of [['bool_and', true], ['every', true], ['bool_or', false]] as const) {
  defAgg({
    name, args: [T.bool], ret: T.bool, strict: true,
    init: (): Acc<boolean> => ({ v: null }),
    step: (s, [v]) => {
      const st = s as Acc<boolean>;
      st.v = st.v === null ? (v as boolean) : and ? st.v && (v as boolean) : st.v || (v as boolean);
      return st;
    },
    final: (s) => (s as Acc<boolean>).v,
  });
}

for (const t of [T.int2, T.int4, T.int8]) {
  for (const [name, op] of [
    ['bit_and', (a: bigint, b: bigint) => a & b],
    ['bit_or', (a: bigint, b: bigint) => a | b],
    ['bit_xor', (a: bigint, b: bigint) => a ^ b],
  ] as const) {
    defAgg({
      name, args: [t], ret: t, strict: true,
      init: (): Acc<bigint> => ({ v: null }),
      step: (s, [v]) => {
        const st = s as Acc<bigint>;
        st.v = st.v === null ? big(v as Int8) : op(st.v, big(v as Int8));
        return st;
      },
      final: (s) => {
        const v = (s as Acc<bigint>).v;
        return v === null ? null : t.id === 'int8' ? int8(BigInt.asIntN(64, v)) : Number(v);
      },
    });
  }
}

// ---- string_agg / array_agg -------------------------------------------------------------------------

interface Parts {
  parts: string[];
  any: boolean;
}
defAgg({
  name: 'string_agg', args: [T.text, T.text], ret: T.text, strict: false, orderSensitive: true,
  init: (): Parts => ({ parts: [], any: false }),
  step: (s, [v, d]) => {
    const st = s as Parts;
    if (v === null) return st;
    // Each value is preceded by its own row's delimiter; the first one's is dropped.
    if (st.any) st.parts.push((d as string | null) ?? '');
    st.parts.push(v as string);
    st.any = true;
    return st;
  },
  final: (s) => ((s as Parts).any ? (s as Parts).parts.join('') : null),
});

interface ByteParts {
  chunks: Uint8Array[];
  any: boolean;
}
defAgg({
  name: 'string_agg', args: [T.bytea, T.bytea], ret: T.bytea, strict: false, orderSensitive: true,
  init: (): ByteParts => ({ chunks: [], any: false }),
  step: (s, [v, d]) => {
    const st = s as ByteParts;
    if (v === null) return st;
    if (st.any && d !== null) st.chunks.push(d as Uint8Array);
    st.chunks.push(v as Uint8Array);
    st.any = true;
    return st;
  },
  final: (s) => {
    const st = s as ByteParts;
    if (!st.any) return null;
    const out = new Uint8Array(st.chunks.reduce((n, c) => n + c.length, 0));
    let off = 0;
    for (const c of st.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  },
});

interface Items {
  items: unknown[];
}
defAgg({
  name: 'array_agg', args: [T.anynonarray], ret: T.anyarray, strict: false, orderSensitive: true,
  init: (): Items => ({ items: [] }),
  step: (s, [v]) => ((s as Items).items.push(v), s),
  // final copies: window aggregates call it again after further steps.
  final: (s, _ctx, call) => ((s as Items).items.length === 0 ? null : SqlArray.of(call.argTypes[0]!, (s as Items).items.slice())),
});

defAgg({
  name: 'array_agg', args: [T.anyarray], ret: T.anyarray, strict: false, orderSensitive: true,
  init: (): Items => ({ items: [] }),
  step: (s, [v]) => {
    if (v === null) throw new SbError(SqlState.null_value_not_allowed, 'cannot accumulate null arrays');
    const a = v as SqlArray;
    if (a.isEmpty()) throw new SbError('2202E', 'cannot accumulate empty arrays');
    const st = s as Items;
    const first = st.items[0] as SqlArray | undefined;
    if (first !== undefined && (first.ndims !== a.ndims || first.dims.some((d, i) => d !== a.dims[i]))) {
      throw new SbError('2202E', 'cannot accumulate arrays of different dimensionality');
    }
    st.items.push(a);
    return st;
  },
  final: (s, _ctx, call) => {
    const items = (s as Items).items as SqlArray[];
    if (items.length === 0) return null;
    const first = items[0]!;
    return new SqlArray(call.argTypes[0]!.elem!, [items.length, ...first.dims], [1, ...first.lbounds], items.flatMap((a) => a.values));
  },
});

// ---- json ---------------------------------------------------------------------------------------------

interface JsonParts {
  parts: string[];
}
function structured(t: SqlType): boolean {
  return t.id === 'array' || t.id === 'record';
}
defAgg({
  name: 'json_agg', args: [T.anyelement], ret: T.json, strict: false, orderSensitive: true,
  init: (): JsonParts => ({ parts: [] }),
  step: (s, [v], ctx, call) => {
    const st = s as JsonParts;
    const sep = st.parts.length === 0 ? '' : v !== null && structured(call.argTypes[0]!) ? ', \n ' : ', ';
    st.parts.push(sep + toJsonText(v, call.argTypes[0]!, ctx));
    return st;
  },
  final: (s) => ((s as JsonParts).parts.length === 0 ? null : '[' + (s as JsonParts).parts.join('') + ']'),
});
defAgg({
  name: 'jsonb_agg', args: [T.anyelement], ret: T.jsonb, strict: false, orderSensitive: true,
  init: (): Items => ({ items: [] }),
  step: (s, [v], ctx, call) => ((s as Items).items.push(toJsonbValue(v, call.argTypes[0]!, ctx)), s),
  final: (s) => ((s as Items).items.length === 0 ? null : new Jsonb((s as Items).items.slice() as JsonValue[])),
});

function objectKey(k: unknown, t: SqlType, ctx: EvalContext): string {
  if (k === null) throw new SbError(SqlState.invalid_parameter_value, 'field name must not be null');
  return valueText(k, t, ctx);
}
defAgg({
  name: 'json_object_agg', args: [T.any, T.any], ret: T.json, strict: false, orderSensitive: true,
  init: (): JsonParts => ({ parts: [] }),
  step: (s, [k, v], ctx, call: CallInfo) => {
    const key = objectKey(k, call.argTypes[0]!, ctx);
    (s as JsonParts).parts.push(`${quoteJsonString(key)} : ${toJsonText(v, call.argTypes[1]!, ctx)}`);
    return s;
  },
  final: (s) => ((s as JsonParts).parts.length === 0 ? null : '{ ' + (s as JsonParts).parts.join(', ') + ' }'),
});
interface Pairs {
  m: Map<string, JsonValue>;
  any: boolean;
}
defAgg({
  name: 'jsonb_object_agg', args: [T.any, T.any], ret: T.jsonb, strict: false, orderSensitive: true,
  init: (): Pairs => ({ m: new Map(), any: false }),
  step: (s, [k, v], ctx, call: CallInfo) => {
    const st = s as Pairs;
    st.m.set(objectKey(k, call.argTypes[0]!, ctx), toJsonbValue(v, call.argTypes[1]!, ctx));
    st.any = true;
    return st;
  },
  final: (s) => ((s as Pairs).any ? new Jsonb(sortedObject((s as Pairs).m)) : null),
});

