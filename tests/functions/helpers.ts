// Shared helpers for the function tests: resolve-and-call by SQL name and
// argument types, text output, and value constructors.

import {
  defaultEvalContext,
  resolveAggregate,
  resolveFunction,
  resolveOperator,
  type EvalContext,
  type FuncImpl,
  type SetFunctionImpl,
} from '../../host/engine/functions/index.ts';
import { Jsonb } from '../../host/engine/types/jsonb.ts';
import { SqlArray } from '../../host/engine/types/array.ts';
import { formatText } from '../../host/engine/types/text_io.ts';
import { tmToTimestamp, ymdToDate } from '../../host/engine/types/datetime.ts';
import { Interval } from '../../host/engine/types/interval.ts';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { arrayOf, T, type SqlType } from '../../host/engine/types/types.ts';

export { T, arrayOf, Numeric, Interval, SqlArray };

/** 2024-05-06 07:08:09.123456 UTC */
export const NOW = tmToTimestamp({ year: 2024, month: 5, day: 6, hour: 7, minute: 8, second: 9, usec: 123456 });

export function newCtx(opts: { timeZone?: string } = {}): EvalContext {
  return defaultEvalContext({ nowMicros: NOW, timeZone: opts.timeZone ?? 'UTC' });
}

export const ctx = newCtx();

export type Arg = [SqlType | 'unknown', unknown];

export function op(name: string, l: Arg | null, r: Arg, c: EvalContext = ctx): unknown {
  const res = resolveOperator(name, l === null ? null : l[0], r[0]);
  const lv = l === null ? null : l[1];
  if (res.impl.strict && (r[1] === null || (l !== null && lv === null))) return null;
  return res.impl.fn(lv, r[1], c, res.call);
}

/** Operator result as PostgreSQL's text output (null stays null). */
export function opText(name: string, l: Arg | null, r: Arg, c: EvalContext = ctx): string | null {
  const res = resolveOperator(name, l === null ? null : l[0], r[0]);
  const v = op(name, l, r, c);
  return v === null ? null : formatText(res.retType, v, c);
}

export function fn(name: string, ...args: Arg[]): unknown {
  return fnCtx(ctx, name, ...args);
}

export function fnCtx(c: EvalContext, name: string, ...args: Arg[]): unknown {
  const res = resolveFunction(name, args.map((a) => a[0]));
  const impl = res.impl as FuncImpl;
  const vals = args.map((a) => a[1]);
  if (impl.strict && vals.some((v) => v === null)) return null;
  if ((res.impl as SetFunctionImpl).retSet) return [...(res.impl as SetFunctionImpl).fn(vals, c, res.call)];
  return impl.fn(vals, c, res.call);
}

export function fnText(name: string, ...args: Arg[]): string | null {
  return fnTextCtx(ctx, name, ...args);
}

export function fnTextCtx(c: EvalContext, name: string, ...args: Arg[]): string | null {
  const res = resolveFunction(name, args.map((a) => a[0]));
  const v = fnCtx(c, name, ...args);
  if (v === null) return null;
  if (Array.isArray(v)) return v.map((x) => (x === null ? 'NULL' : Array.isArray(x) ? x.join('|') : formatText(res.retType, x, c))).join('\n');
  return formatText(res.retType, v, c);
}

export function agg(name: string, types: SqlType[], rows: unknown[][], c: EvalContext = ctx): string | null {
  const res = resolveAggregate(name, types);
  let state = res.impl.init(c, res.call);
  for (const row of rows) {
    if (res.impl.strict && row.some((v) => v === null)) continue;
    state = res.impl.step(state, row, c, res.call);
  }
  const v = res.impl.final(state, c, res.call);
  return v === null ? null : formatText(res.retType, v, c);
}

// ---- value constructors ----------------------------------------------------------

export const i2 = (v: number): Arg => [T.int2, v];
export const i4 = (v: number): Arg => [T.int4, v];
export const i8 = (v: number | bigint): Arg => [T.int8, v];
export const f4 = (v: number): Arg => [T.float4, Math.fround(v)];
export const f8 = (v: number): Arg => [T.float8, v];
export const num = (v: string): Arg => [T.numeric, Numeric.parse(v)];
export const txt = (v: string | null): Arg => [T.text, v];
export const unk = (v: string | null): Arg => ['unknown', v];
export const bool = (v: boolean | null): Arg => [T.bool, v];
export const bytea = (hex: string): Arg => [T.bytea, Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))];

export function dateVal(s: string): number {
  const m = /^(\d+)-(\d+)-(\d+)( BC)?$/.exec(s)!;
  const y = Number(m[1]);
  return ymdToDate(m[4] ? 1 - y : y, Number(m[2]), Number(m[3]));
}
export const date = (s: string): Arg => [T.date, s === 'infinity' ? Infinity : s === '-infinity' ? -Infinity : dateVal(s)];

export function tsVal(s: string): number {
  if (s === 'infinity') return Infinity;
  if (s === '-infinity') return -Infinity;
  const m = /^(\d+)-(\d+)-(\d+)(?:[ T](\d+):(\d+)(?::(\d+)(?:\.(\d+))?)?)?( BC)?$/.exec(s);
  if (m === null) throw new Error(`bad timestamp ${s}`);
  const y = Number(m[1]);
  return tmToTimestamp({
    year: m[8] ? 1 - y : y,
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    usec: Number((m[7] ?? '').padEnd(6, '0')),
  });
}
export const ts = (s: string): Arg => [T.timestamp, tsVal(s)];
/** A timestamptz given as UTC wall-clock text. */
export const tstz = (s: string): Arg => [T.timestamptz, tsVal(s)];
export const time = (s: string): Arg => {
  const [h, m, sec] = s.split(':').map(Number) as [number, number, number];
  return [T.time, Math.round(((h * 60 + m) * 60 + sec) * 1e6)];
};
export const iv = (months: number, days: number, micros: number): Arg => [T.interval, new Interval(months, days, micros)];
export const jsonb = (s: string): Arg => [T.jsonb, Jsonb.parse(s)];
export const json = (s: string): Arg => [T.json, s];
export function arr(elem: SqlType, values: unknown[]): Arg {
  return [arrayOf(elem), SqlArray.of(elem, values)];
}
export const textArr = (values: Array<string | null>): Arg => arr(T.text, values);
export const intArr = (values: Array<number | null>): Arg => arr(T.int4, values);

/** The SQLSTATE a thunk throws. */
export function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? `not an SbError: ${String(e)}`;
  }
  return 'no error';
}
