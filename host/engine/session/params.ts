// Parameter values: what a client passes for $n, converted to the type the
// binder inferred (or the statement declared). Strings go through the type's
// input function, as PostgreSQL's text-format parameters do; JS values of the
// matching kind are taken as they are.

import { SbError, SqlState } from '../sb_error.ts';
import { Numeric } from '../types/numeric.ts';
import { parseText } from '../types/text_io.ts';
import { castValue } from '../types/casts.ts';
import type { TypeContext } from '../types/context.ts';
import { SqlArray } from '../types/array.ts';
import { T, type SqlType } from '../types/types.ts';
import { Interval } from '../types/interval.ts';
import { Jsonb } from '../types/jsonb.ts';

const PG_EPOCH_UNIX_MS = 946_684_800_000;

function wrong(i: number, t: SqlType, v: unknown): SbError {
  return new SbError(SqlState.invalid_parameter_value, `parameter $${i + 1} of type ${t.id} cannot take the value ${String(v)}`);
}

export function paramValue(v: unknown, t: SqlType, i: number, ctx: TypeContext): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return parseText(t, v, ctx);
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
      if (typeof v === 'number') {
        if (!Number.isInteger(v)) return castValue(v, T.float8, t, ctx);
        // In range: the value as it is (what the int8 cast returns; -0 becomes 0); out of range: the cast's 22003.
        if (t.id === 'int4' && v >= -2147483648 && v <= 2147483647) return v | 0;
        if (t.id === 'int2' && v >= -32768 && v <= 32767) return v | 0;
        return castValue(v, T.int8, t, ctx);
      }
      if (typeof v === 'bigint') return castValue(v, T.int8, t, ctx);
      if (typeof v === 'boolean' && t.id === 'int4') return v ? 1 : 0;
      break;
    case 'float4':
    case 'float8':
      if (typeof v === 'number') return t.id === 'float4' ? Math.fround(v) : v;
      if (typeof v === 'bigint') return Number(v);
      break;
    case 'numeric':
      if (v instanceof Numeric) return t.typmod >= 0 ? v.applyTypmod(t.typmod) : v;
      if (typeof v === 'number' || typeof v === 'bigint') return castValue(Numeric.parse(String(v)), T.numeric, t, ctx);
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      break;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return parseText(t, String(v), ctx);
      break;
    case 'bytea':
      if (v instanceof Uint8Array) return v;
      break;
    case 'timestamp':
    case 'timestamptz':
      if (v instanceof Date) return (v.getTime() - PG_EPOCH_UNIX_MS) * 1000;
      if (typeof v === 'number') return v;
      break;
    case 'date':
      if (v instanceof Date) return Math.floor((v.getTime() - PG_EPOCH_UNIX_MS) / 86_400_000);
      if (typeof v === 'number') return v;
      break;
    case 'interval':
      if (v instanceof Interval) return v;
      break;
    case 'json':
      return JSON.stringify(v);
    case 'jsonb':
      if (v instanceof Jsonb) return v;
      return parseText(t, JSON.stringify(v), ctx);
    case 'array':
      if (v instanceof SqlArray) return v;
      if (Array.isArray(v)) return SqlArray.of(t.elem!, v.map((x) => paramValue(x, t.elem!, i, ctx)));
      break;
    default:
      return v;
  }
  throw wrong(i, t, v);
}
