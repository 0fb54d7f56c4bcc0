// The session settings that change how values are read, printed and cast:
// DateStyle, IntervalStyle, TimeZone, extra_float_digits, bytea_output, and
// the transaction clock for 'now'/'today'. The functions' EvalContext
// satisfies this interface structurally, so callers pass it as is.

import { SbError, SqlState } from '../sb_error.ts';
import type { DateOrder, DateStyle, IntervalStyle } from './datetime_format.ts';
import { requireTimeZone, type TimeZone } from './timezone.ts';

/** Resolves reg* names and OIDs through the catalog (regclass, regtype...). */
export interface RegLookup {
  /** OID of the named object, or undefined if it does not exist. */
  regIn(type: string, name: string): number | undefined;
  /** Name of the object with that OID, or undefined (PostgreSQL then prints the number). */
  regOut(type: string, oid: number): string | undefined;
}

export interface TypeContext {
  /** TimeZone: IANA name, 'UTC', or a POSIX offset spec. */
  timeZone: string;
  /** DateStyle, e.g. 'ISO, MDY'. */
  dateStyle: string;
  /** IntervalStyle: postgres, postgres_verbose, sql_standard, iso_8601. */
  intervalStyle: string;
  /** extra_float_digits: > 0 gives shortest round-trip float output (PostgreSQL 12+). */
  extraFloatDigits: number;
  /** The transaction timestamp, µs since 2000-01-01 UTC. */
  now(): number;
  /** bytea_output: 'hex' (default) or 'escape'. */
  byteaOutput?: string;
  /** Other settings (bytea_output is read from here when byteaOutput is absent). */
  setting?(name: string): string | undefined;
  regLookup?: RegLookup;
}

export interface ResolvedSettings {
  dateStyle: DateStyle;
  dateOrder: DateOrder;
  intervalStyle: IntervalStyle;
  zone: TimeZone;
  byteaHex: boolean;
}

const DATESTYLE_CACHE = new Map<string, { style: DateStyle; order: DateOrder }>();

/** Parses a DateStyle value ('ISO, MDY', 'SQL, DMY', 'German', 'Postgres, YMD'...). */
export function parseDateStyle(value: string): { style: DateStyle; order: DateOrder } {
  let r = DATESTYLE_CACHE.get(value);
  if (r !== undefined) return r;
  let style: DateStyle = 'ISO';
  let order: DateOrder = 'MDY';
  let orderSet = false;
  for (const raw of value.split(/[\s,]+/)) {
    const w = raw.toLowerCase();
    if (w === '') continue;
    if (w === 'iso') style = 'ISO';
    else if (w === 'sql') style = 'SQL';
    else if (w === 'postgres') style = 'Postgres';
    else if (w === 'german') {
      style = 'German';
      if (!orderSet) order = 'DMY';
    } else if (w === 'mdy' || w === 'us' || w === 'noneuropean') {
      order = 'MDY';
      orderSet = true;
    } else if (w === 'dmy' || w === 'euro' || w === 'european') {
      order = 'DMY';
      orderSet = true;
    } else if (w === 'ymd') {
      order = 'YMD';
      orderSet = true;
    } else if (w === 'default') {
      style = 'ISO';
      order = 'MDY';
    } else {
      throw new SbError(SqlState.invalid_parameter_value, `invalid value for parameter "DateStyle": "${value}"`, {
        detail: `Unrecognized key word: "${raw}".`,
      });
    }
  }
  r = { style, order };
  DATESTYLE_CACHE.set(value, r);
  return r;
}

function intervalStyleOf(v: string): IntervalStyle {
  switch (v.toLowerCase()) {
    case 'postgres_verbose':
      return 'postgres_verbose';
    case 'sql_standard':
      return 'sql_standard';
    case 'iso_8601':
      return 'iso_8601';
    default:
      return 'postgres';
  }
}

/** The parsed settings of a context (cached per distinct setting values). */
export function settingsOf(ctx: TypeContext): ResolvedSettings {
  const ds = parseDateStyle(ctx.dateStyle);
  const bytea = ctx.byteaOutput ?? ctx.setting?.('bytea_output') ?? 'hex';
  return {
    dateStyle: ds.style,
    dateOrder: ds.order,
    intervalStyle: intervalStyleOf(ctx.intervalStyle),
    zone: requireTimeZone(ctx.timeZone),
    byteaHex: bytea.toLowerCase() !== 'escape',
  };
}

/** PostgreSQL's epoch (2000-01-01) in Unix milliseconds. */
const PG_EPOCH_UNIX_MS = 946_684_800_000;

/** A standalone context with PostgreSQL's defaults (ISO, MDY; postgres; UTC; extra_float_digits 1; hex). */
export function defaultTypeContext(overrides: Partial<TypeContext> = {}): TypeContext {
  const now = (Date.now() - PG_EPOCH_UNIX_MS) * 1000;
  return {
    timeZone: 'UTC',
    dateStyle: 'ISO, MDY',
    intervalStyle: 'postgres',
    extraFloatDigits: 1,
    now: () => now,
    byteaOutput: 'hex',
    ...overrides,
  };
}
