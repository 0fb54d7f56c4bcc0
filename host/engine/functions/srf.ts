// generate_series for int4, int8, numeric, timestamp and timestamptz.
// (unnest, generate_subscripts, regexp_matches, regexp_split_to_table,
// string_to_table and the json(b) set-returning functions live beside their
// scalar relatives.) Each step adds to the previous value, as PostgreSQL
// does, so calendar steps drift at month ends exactly as there.

import { Interval } from '../types/interval.ts';
import { Numeric } from '../types/numeric.ts';
import { T } from '../types/types.ts';
import { invalidParameter } from './errors.ts';
import { big, type Int8 } from './int_math.ts';
import { timestampPlusInterval, timestamptzPlusInterval } from './ops_datetime.ts';
import { defSrf } from './registry.ts';
import { sessionZone } from './context.ts';

function stepZero(): Error {
  return invalidParameter('step size cannot equal zero');
}

function* intSeries(start: number, stop: number, step: number): Generator<number> {
  if (step === 0) throw stepZero();
  for (let v = start; step > 0 ? v <= stop : v >= stop; v += step) {
    yield v;
    // Stop before leaving the int4 range (PostgreSQL stops on overflow).
    if (v + step > 2147483647 || v + step < -2147483648) return;
  }
}

function* int8Series(start: Int8, stop: Int8, step: Int8): Generator<Int8> {
  const s = big(step);
  if (s === 0n) throw stepZero();
  const e = big(stop);
  const safe = (x: bigint): Int8 => (x >= -9007199254740991n && x <= 9007199254740991n ? Number(x) : x);
  for (let v = big(start); s > 0n ? v <= e : v >= e; v += s) {
    yield safe(v);
    if (v + s > 9223372036854775807n || v + s < -9223372036854775808n) return;
  }
}

function checkNumericArg(v: Numeric, what: string): void {
  if (v.isNaN()) throw invalidParameter(`${what} value cannot be NaN`);
  if (v.isInfinite()) throw invalidParameter(`${what} value cannot be infinity`);
}

function* numericSeries(start: Numeric, stop: Numeric, step: Numeric): Generator<Numeric> {
  checkNumericArg(start, 'start');
  checkNumericArg(stop, 'stop');
  if (step.isNaN()) throw invalidParameter('step size cannot be NaN');
  if (step.isInfinite()) throw invalidParameter('step size cannot be infinity');
  if (step.isZero()) throw stepZero();
  const up = step.sign() > 0;
  for (let v = start; up ? v.cmp(stop) <= 0 : v.cmp(stop) >= 0; v = v.add(step)) yield v;
}

function* timestampSeries(start: number, stop: number, step: Interval, add: (t: number, i: Interval) => number): Generator<number> {
  if (step.months === 0 && step.days === 0 && step.micros === 0) throw stepZero();
  const up = step.cmp(Interval.ZERO) > 0;
  for (let v = start; up ? v <= stop : v >= stop; v = add(v, step)) {
    yield v;
    if (!Number.isFinite(v)) return;
  }
}

defSrf('generate_series', [T.int4, T.int4], T.int4, ([a, b]) => intSeries(a as number, b as number, 1));
defSrf('generate_series', [T.int4, T.int4, T.int4], T.int4, ([a, b, s]) => intSeries(a as number, b as number, s as number));
defSrf('generate_series', [T.int8, T.int8], T.int8, ([a, b]) => int8Series(a as Int8, b as Int8, 1));
defSrf('generate_series', [T.int8, T.int8, T.int8], T.int8, ([a, b, s]) => int8Series(a as Int8, b as Int8, s as Int8));
defSrf('generate_series', [T.numeric, T.numeric], T.numeric, ([a, b]) => numericSeries(a as Numeric, b as Numeric, Numeric.ONE));
defSrf('generate_series', [T.numeric, T.numeric, T.numeric], T.numeric, ([a, b, s]) => numericSeries(a as Numeric, b as Numeric, s as Numeric));
defSrf('generate_series', [T.timestamp, T.timestamp, T.interval], T.timestamp, ([a, b, s]) =>
  timestampSeries(a as number, b as number, s as Interval, timestampPlusInterval),
);
defSrf('generate_series', [T.timestamptz, T.timestamptz, T.interval], T.timestamptz, ([a, b, s], ctx) =>
  timestampSeries(a as number, b as number, s as Interval, (t, i) => timestamptzPlusInterval(t, i, sessionZone(ctx))),
{ volatility: 's' });
