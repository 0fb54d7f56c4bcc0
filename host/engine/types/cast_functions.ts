// pg_cast rows for the modelled types (context and whether the cast is
// binary-coercible) and the conversion each cast function performs:
// int4(numeric) rounds half away from zero, int4(float8) rounds half to even
// (rint), float4(float8) checks overflow/underflow, timestamp <-> timestamptz
// use the session TimeZone, jsonb casts to scalars check the JSON type...

import { SbError, SqlState } from '../sb_error.ts';
import { settingsOf, type TypeContext } from './context.ts';
import {
  dateToTimestamp, dateToTimestamptz, intervalToTime, localToTimestamptz, timeToInterval, timeToTimetz, timestampToDate,
  timestampToTime, timestamptzToDate, timestamptzToLocal, timestamptzToTime, timestamptzToTimetz, type TimetzValue,
} from './datetime.ts';
import { decimalToFloat32 } from './float_io.ts';
import { rint, type Interval } from './interval.ts';
import { Jsonb, jsonToText, jsonTypeName, type JsonValue } from './jsonb.ts';
import { Numeric } from './numeric.ts';
import { clipName, formatChar, normalizeInt8, parseChar, trimBpchar } from './scalar_io.ts';
import type { CoercionContext } from './casts.ts';
import { bitsFromInt, intFromBits } from './bit.ts';
import type { SqlType, TypeId } from './types.ts';

export type CastFn = (v: unknown, ctx: TypeContext, context: CoercionContext) => unknown;

interface CastEntry {
  context: CoercionContext;
  binary: boolean;
}

// source>target: i implicit, a assignment, e explicit; b = binary coercible (pg_cast.castmethod 'b').
const ROWS =
  'bool>int4:e bool>text:a bool>bpchar:a bool>varchar:a char>int4:e char>text:i char>bpchar:a char>varchar:a ' +
  'name>text:i name>bpchar:a name>varchar:a int8>int2:a int8>int4:a int8>oid:i int8>float4:i int8>float8:i ' +
  'int8>numeric:i int2>int8:i int2>int4:i int2>oid:i int2>float4:i int2>float8:i int2>numeric:i int4>bool:e ' +
  'int4>char:e int4>int8:i int4>int2:a int4>oid:ib int4>float4:i int4>float8:i int4>numeric:i text>char:a ' +
  'text>name:i text>bpchar:ib text>varchar:ib oid>int8:a oid>int4:ab json>jsonb:a float4>int8:a float4>int2:a ' +
  'float4>int4:a float4>float8:i float4>numeric:a float8>int8:a float8>int2:a float8>int4:a float8>float4:a ' +
  'float8>numeric:a bpchar>char:a bpchar>name:i bpchar>text:i bpchar>varchar:i varchar>char:a varchar>name:i ' +
  'varchar>text:ib varchar>bpchar:ib date>timestamp:i date>timestamptz:i time>interval:i time>timetz:i ' +
  'timestamp>date:a timestamp>time:a timestamp>timestamptz:i timestamptz>date:a timestamptz>time:a ' +
  'timestamptz>timestamp:a timestamptz>timetz:a interval>time:a timetz>time:a numeric>int8:a numeric>int2:a ' +
  'numeric>int4:a numeric>float4:i numeric>float8:i jsonb>bool:e jsonb>int8:e jsonb>int2:e jsonb>int4:e ' +
  'jsonb>json:a jsonb>float4:e jsonb>float8:e jsonb>numeric:e bit>varbit:ib varbit>bit:ib int4>bit:e int8>bit:e bit>int4:e ' +
  'bit>int8:e';

export const CAST_TABLE = new Map<string, CastEntry>();
for (const item of ROWS.split(' ')) {
  const [pair, flags] = item.split(':') as [string, string];
  const context: CoercionContext = flags[0] === 'i' ? 'implicit' : flags[0] === 'a' ? 'assignment' : 'explicit';
  CAST_TABLE.set(pair, { context, binary: flags.includes('b') });
}

function outOfRange(typeName: string): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, `${typeName} out of range`);
}

const INT_NAMES: Partial<Record<TypeId, string>> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };
const INT_LIMITS: Partial<Record<TypeId, [bigint, bigint]>> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

function toBig(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

function intChecked(v: bigint, to: TypeId): number | bigint {
  const [lo, hi] = INT_LIMITS[to]!;
  if (v < lo || v > hi) throw outOfRange(INT_NAMES[to]!);
  return to === 'int8' ? normalizeInt8(v) : Number(v);
}

function floatToInt(f: number, to: TypeId): number | bigint {
  const r = rint(f);
  if (Number.isNaN(r) || !Number.isFinite(r)) throw outOfRange(INT_NAMES[to]!);
  if (to === 'int8') {
    if (r < -9223372036854775808 || r >= 9223372036854775808) throw outOfRange('bigint');
    return normalizeInt8(BigInt(r));
  }
  return intChecked(BigInt(r), to);
}

function float8ToFloat4(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f) && Number.isFinite(v)) throw new SbError(SqlState.numeric_value_out_of_range, 'value out of range: overflow');
  if (f === 0 && v !== 0) throw new SbError(SqlState.numeric_value_out_of_range, 'value out of range: underflow');
  return f;
}

function numericToFloat4(n: Numeric): number {
  if (n.isSpecial()) return n.toNumberApprox();
  const s = n.toString();
  const f = decimalToFloat32(s);
  if (!Number.isFinite(f) || (f === 0 && !n.isZero())) {
    throw new SbError(SqlState.numeric_value_out_of_range, `"${s}" is out of range for type real`);
  }
  return f;
}

function jsonbScalar(v: unknown, want: 'boolean' | 'number', typeName: string): JsonValue {
  const j = (v as Jsonb).value;
  const kind = jsonTypeName(j);
  if (kind !== want) throw new SbError(SqlState.invalid_parameter_value, `cannot cast jsonb ${kind} to type ${typeName}`);
  return j;
}

const JSONB_TARGET_NAMES: Partial<Record<TypeId, string>> = {
  int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', numeric: 'numeric',
};

/** The conversion of the pg_cast function from `from` to `to` (base types; typmods handled by the caller). */
export function castFunction(from: SqlType, to: SqlType): CastFn {
  const f = from.id;
  const t = to.id;
  const regFrom = ['oid', 'regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace', 'regrole'].includes(f);
  const regTo = ['oid', 'regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace', 'regrole'].includes(t);
  if (regFrom && regTo) return (v) => v;
  // bit(n) from an integer keeps its low n bits (the target's length comes with `to`).
  if (t === 'bit' && (f === 'int4' || f === 'int8')) return (v) => bitsFromInt(v as number | bigint, f === 'int4' ? 32 : 64, to.typmod);
  if (f === 'bit' && (t === 'int4' || t === 'int8')) return (v) => intFromBits(v as string, t === 'int4' ? 32 : 64);
  if ((f === 'bit' || f === 'varbit') && (t === 'bit' || t === 'varbit')) return (v) => v;
  switch (f) {
    case 'bool':
      if (t === 'int4') return (v) => (v ? 1 : 0);
      return (v) => (v ? 'true' : 'false');
    case 'char':
      if (t === 'int4') return (v) => {
        const s = v as string;
        const b = s === '' ? 0 : s.charCodeAt(0) & 0xff;
        return b >= 128 ? b - 256 : b;
      };
      return (v) => formatChar(v as string);
    case 'name':
      return (v) => v;
    case 'int2':
    case 'int4':
    case 'int8':
      switch (t) {
        case 'int2':
        case 'int4':
        case 'int8':
          return (v) => intChecked(toBig(v), t);
        case 'float4':
          return (v) => Math.fround(Number(v));
        case 'float8':
          return (v) => Number(v);
        case 'numeric':
          return (v) => Numeric.fromInt(v as number | bigint);
        case 'bool':
          return (v) => v !== 0;
        case 'char':
          return (v) => {
            const n = v as number;
            if (n < -128 || n > 127) throw new SbError(SqlState.numeric_value_out_of_range, '"char" out of range');
            return n === 0 ? '' : String.fromCharCode(n & 0xff);
          };
        default:
          if (regTo) {
            return (v) => {
              const n = toBig(v);
              if (f === 'int8' && (n < 0n || n > 4294967295n)) throw outOfRange('OID');
              return Number(BigInt.asUintN(32, n));
            };
          }
      }
      break;
    case 'float4':
    case 'float8':
      switch (t) {
        case 'int2':
        case 'int4':
        case 'int8':
          return (v) => floatToInt(v as number, t);
        case 'float4':
          return (v) => float8ToFloat4(v as number);
        case 'float8':
          return (v) => v;
        case 'numeric':
          return (v) => (f === 'float4' ? Numeric.fromFloat4(v as number) : Numeric.fromFloat8(v as number));
      }
      break;
    case 'numeric':
      switch (t) {
        case 'int2':
        case 'int4':
        case 'int8':
          return (v) => intChecked((v as Numeric).toBigInt(INT_NAMES[t]), t);
        case 'float4':
          return (v) => numericToFloat4(v as Numeric);
        case 'float8':
          return (v) => (v as Numeric).toNumber();
      }
      break;
    case 'text':
    case 'varchar':
    case 'bpchar':
      if (t === 'char') return (v) => parseChar(f === 'bpchar' ? trimBpchar(v as string) : (v as string));
      if (t === 'name') return (v) => clipName(f === 'bpchar' ? trimBpchar(v as string) : (v as string));
      if (f === 'bpchar' && (t === 'text' || t === 'varchar')) return (v) => trimBpchar(v as string);
      return (v) => v;
    case 'json':
      return (v) => Jsonb.parse(v as string);
    case 'jsonb':
      if (t === 'json') return (v) => jsonToText((v as Jsonb).value);
      if (t === 'bool') return (v) => jsonbScalar(v, 'boolean', 'boolean');
      return (v, ctx, context) => {
        const n = jsonbScalar(v, 'number', JSONB_TARGET_NAMES[t]!) as Numeric;
        if (t === 'numeric') return n;
        return castFunction({ id: 'numeric', typmod: -1 }, to)(n, ctx, context);
      };
    case 'date':
      if (t === 'timestamp') return (v) => dateToTimestamp(v as number);
      return (v, ctx) => dateToTimestamptz(v as number, settingsOf(ctx).zone);
    case 'time':
      if (t === 'interval') return (v) => timeToInterval(v as number);
      return (v, ctx) => timeToTimetz(v as number, settingsOf(ctx).zone, ctx.now());
    case 'timetz':
      return (v) => (v as TimetzValue).micros;
    case 'timestamp':
      if (t === 'date') return (v) => timestampToDate(v as number);
      if (t === 'time') return (v) => (Number.isFinite(v) ? timestampToTime(v as number) : null);
      return (v, ctx) => localToTimestamptz(v as number, settingsOf(ctx).zone);
    case 'timestamptz':
      if (t === 'date') return (v, ctx) => timestamptzToDate(v as number, settingsOf(ctx).zone);
      if (t === 'time') return (v, ctx) => (Number.isFinite(v) ? timestamptzToTime(v as number, settingsOf(ctx).zone) : null);
      if (t === 'timetz') return (v, ctx) => (Number.isFinite(v) ? timestamptzToTimetz(v as number, settingsOf(ctx).zone) : null);
      return (v, ctx) => timestamptzToLocal(v as number, settingsOf(ctx).zone);
    case 'interval':
      return (v) => intervalToTime(v as Interval);
  }
  if (regFrom) {
    // oid -> int4 wraps; oid -> int8 is unsigned.
    if (t === 'int4') return (v) => (v as number) | 0;
    if (t === 'int8') return (v) => v;
  }
  return (v) => v;
}
