// Input functions of the date/time types (date_in, time_in, timetz_in,
// timestamp_in, timestamptz_in) and DecodeTimeOnly, on top of the field
// parser and DecodeDateTime.

import { SbError, SqlState } from '../sb_error.ts';
import { date2j, j2date, POSTGRES_EPOCH_JDATE } from './calendar.ts';
import { DATE_END, DATE_MIN, TIMESTAMP_END, TIMESTAMP_MIN, type TimetzValue } from './datetime.ts';
import { decodeDateTime } from './datetime_decode.ts';
import {
  currentLocal, decodeDate, decodeNumber, decodeNumberField, decodeTime, decodeTimezone, determineOffset, isValidJulian, newTm,
  strtol, timeOverflows, validateDate, badZone, type State,
} from './datetime_decode_fields.ts';
import {
  DATE_M, DATE_TOKENS, Dtk, DtErr, DtError, Ft, TIME_M, T_ADBC, T_AMPM, T_DTZ, T_DTZMOD, T_IGNORE, T_ISOTIME, T_RESERV,
  T_TZ, T_UNITS, T_UNKNOWN, dateTimeParseError, lookupToken, parseDateTimeFields, parseFraction,
  type DateTimeParseEnv, type Field, type ParsedTm,
} from './datetime_parse.ts';
import { roundMicros } from './interval.ts';
import { lookupAbbrev, resolveTimeZone, type TimeZone } from './timezone.ts';

const M = (t: number): number => 1 << t;
const AM = 0, PM = 1, HR24 = 2, BC = 1;
const USECS_PER_DAY = 86_400_000_000;

function fail(code: DtErr = DtErr.BadFormat): never {
  throw new DtError(code);
}

/** DecodeTimeOnly. With `wantTz`, tm.tz receives the zone offset (seconds east). */
function decodeTimeOnly(fields: Field[], wantTz: boolean, env: DateTimeParseEnv): ParsedTm {
  const tm = newTm();
  const st: State = { is2digits: false };
  const types = fields.map((f) => f.type);
  let fmask = 0;
  let ptype = 0;
  let mer = HR24;
  let isjulian = false;
  let bc = false;
  let namedTz: TimeZone | undefined;
  let tz: number | undefined;
  const nf = fields.length;
  for (let i = 0; i < nf; i++) {
    const f = fields[i]!;
    let tmask = 0;
    switch (types[i]) {
      case Ft.Date:
        if (!wantTz) fail();
        if (i === 0 && nf >= 2 && (types[nf - 1] === Ft.Date || types[1] === Ft.Time)) {
          tmask = decodeDate(f.text, fmask, tm, st, env);
        } else if (/^\d/.test(f.text)) {
          if ((fmask & TIME_M) === TIME_M) fail();
          const dash = f.text.indexOf('-');
          if (dash < 0) fail();
          tz = decodeTimezone(f.text.slice(dash));
          const r = decodeNumberField(f.text.slice(0, dash), fmask | DATE_M, tm, st);
          types[i] = r.kind;
          tmask = r.tmask | M(T_TZ);
        } else {
          const z = resolveTimeZone(f.text);
          if (z === undefined) badZone(f.text);
          namedTz = z;
          types[i] = Ft.Tz;
          tmask = M(T_TZ);
        }
        break;
      case Ft.Time:
        if (ptype !== 0) {
          if (ptype !== Dtk.Time) fail();
          ptype = 0;
        }
        tmask = decodeTime(f.text, tm);
        break;
      case Ft.Tz:
        if (!wantTz) fail();
        tz = decodeTimezone(f.text);
        tmask = M(T_TZ);
        break;
      case Ft.Number:
        if (ptype !== 0) {
          const [value, cp] = strtol(f.text);
          if (cp[0] !== '.' && cp !== '') fail();
          if (ptype === Dtk.Julian) {
            if (!wantTz) fail();
            if (value < 0) fail(DtErr.FieldOverflow);
            tmask = DATE_M;
            [tm.year, tm.month, tm.day] = j2date(value);
            isjulian = true;
            if (cp[0] === '.') {
              let t = parseFraction(cp) * USECS_PER_DAY;
              tm.hour = Math.floor(t / 3_600_000_000);
              t -= tm.hour * 3_600_000_000;
              tm.minute = Math.floor(t / 60_000_000);
              t -= tm.minute * 60_000_000;
              tm.second = Math.floor(t / 1e6);
              tm.usec = t - tm.second * 1e6;
              tmask |= TIME_M;
            }
          } else if (ptype === Dtk.Time) {
            const r = decodeNumberField(f.text, fmask | DATE_M, tm, st);
            types[i] = r.kind;
            tmask = r.tmask;
            if (tmask !== TIME_M) fail();
          } else fail();
          ptype = 0;
        } else {
          const flen = f.text.length;
          const dot = f.text.indexOf('.');
          if (dot >= 0) {
            if (i === 0 && nf >= 2 && types[nf - 1] === Ft.Date) tmask = decodeDate(f.text, fmask, tm, st, env);
            else if (dot > 2) {
              const r = decodeNumberField(f.text, fmask | DATE_M, tm, st);
              types[i] = r.kind;
              tmask = r.tmask;
            } else fail();
          } else if (flen > 4) {
            const r = decodeNumberField(f.text, fmask | DATE_M, tm, st);
            types[i] = r.kind;
            tmask = r.tmask;
          } else tmask = decodeNumber(flen, f.text, false, fmask | DATE_M, tm, st, env);
        }
        break;
      case Ft.String:
      case Ft.Special: {
        const ab = lookupAbbrev(f.text);
        let type: number;
        let val: number;
        if (ab !== undefined) {
          type = ab.isDst ? T_DTZ : T_TZ;
          val = ab.offset;
        } else {
          const tok = lookupToken(DATE_TOKENS, f.text);
          type = tok === undefined ? T_UNKNOWN : tok[0];
          val = tok === undefined ? 0 : tok[1];
        }
        if (type === T_IGNORE) continue;
        tmask = M(type);
        switch (type) {
          case T_RESERV:
            if (val === Dtk.Now) {
              tmask = TIME_M;
              const cur = currentLocal(env).tm;
              tm.hour = cur.hour;
              tm.minute = cur.minute;
              tm.second = cur.second;
              tm.usec = cur.usec;
            } else if (val === Dtk.Zulu) {
              tmask = TIME_M | M(T_TZ);
              tm.hour = 0;
              tm.minute = 0;
              tm.second = 0;
            } else fail();
            break;
          case T_DTZMOD:
            tmask |= M(T_DTZ);
            if (!wantTz) fail();
            tz = (tz ?? 0) + val;
            break;
          case T_DTZ:
            tmask |= M(T_TZ);
            if (!wantTz) fail();
            tz = val;
            types[i] = Ft.Tz;
            break;
          case T_TZ:
            if (!wantTz) fail();
            tz = val;
            types[i] = Ft.Tz;
            break;
          case T_AMPM:
            mer = val;
            break;
          case T_ADBC:
            bc = val === BC;
            break;
          case T_UNITS:
          case T_ISOTIME:
            tmask = 0;
            if (ptype !== 0) fail();
            ptype = val;
            break;
          case T_UNKNOWN: {
            const z = resolveTimeZone(f.text);
            if (z === undefined) fail();
            namedTz = z;
            tmask = M(T_TZ);
            break;
          }
          default:
            fail();
        }
        break;
      }
      default:
        fail();
    }
    if (tmask & fmask) fail();
    fmask |= tmask;
  }
  if (ptype !== 0) fail();
  validateDate(fmask, isjulian, bc, tm, st);
  if (mer !== HR24 && tm.hour > 12) fail(DtErr.FieldOverflow);
  if (mer === AM && tm.hour === 12) tm.hour = 0;
  else if (mer === PM && tm.hour !== 12) tm.hour += 12;
  if (timeOverflows(tm.hour, tm.minute, tm.second, tm.usec)) fail(DtErr.FieldOverflow);
  if ((fmask & TIME_M) !== TIME_M) fail();
  if (namedTz !== undefined) {
    if (fmask & M(T_DTZMOD)) fail();
    if (namedTz.fixedOffset !== undefined) tz = namedTz.fixedOffset;
    else {
      if ((fmask & DATE_M) !== DATE_M) fail();
      tz = determineOffset(tm, namedTz);
    }
  }
  if (wantTz && !(fmask & M(T_TZ))) {
    if (fmask & M(T_DTZMOD)) fail();
    const probe = { ...tm };
    if ((fmask & DATE_M) === 0) {
      const cur = currentLocal(env).tm;
      probe.year = cur.year;
      probe.month = cur.month;
      probe.day = cur.day;
    } else if ((fmask & DATE_M) !== DATE_M) fail();
    tz = determineOffset(probe, env.zone);
  }
  if (tz !== undefined) tm.tz = tz;
  return tm;
}

function run<T>(input: string, typeName: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DtError) throw dateTimeParseError(e, input, typeName);
    throw e;
  }
}

/** Rounds a time of day to `precision` fractional digits (AdjustTimeForTypmod). */
export function adjustTime(time: number, precision: number): number {
  if (precision < 0 || precision >= 6) return time;
  const scale = 10 ** (6 - precision);
  return Math.trunc((time + scale / 2) / scale) * scale;
}

/** Rounds a timestamp to `precision` fractional digits (AdjustTimestampForTypmod). */
export function adjustTimestamp(ts: number, precision: number): number {
  if (!Number.isFinite(ts) || precision < 0 || precision >= 6) return ts;
  const r = roundMicros(ts, precision);
  if (r < TIMESTAMP_MIN || r >= TIMESTAMP_END) throw new SbError(SqlState.datetime_field_overflow, 'timestamp out of range');
  return r;
}

/** date_in */
export function parseDate(input: string, env: DateTimeParseEnv): number {
  const { dtype, tm } = run(input, 'date', () => decodeDateTime(parseDateTimeFields(input), true, env));
  switch (dtype) {
    case Dtk.Epoch:
      return date2j(1970, 1, 1) - POSTGRES_EPOCH_JDATE;
    case Dtk.Late:
      return Infinity;
    case Dtk.Early:
      return -Infinity;
  }
  const outOfRange = (): SbError => new SbError(SqlState.datetime_field_overflow, `date out of range: "${input}"`);
  if (!isValidJulian(tm.year, tm.month)) throw outOfRange();
  const d = date2j(tm.year, tm.month, tm.day) - POSTGRES_EPOCH_JDATE;
  if (d < DATE_MIN || d >= DATE_END) throw outOfRange();
  return d;
}

function tmToTs(tm: ParsedTm, input: string, offset: number): number {
  const outOfRange = (): SbError => new SbError(SqlState.datetime_field_overflow, `timestamp out of range: "${input}"`);
  if (!isValidJulian(tm.year, tm.month)) throw outOfRange();
  const days = date2j(tm.year, tm.month, tm.day) - POSTGRES_EPOCH_JDATE;
  const local = days * USECS_PER_DAY + ((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1e6 + tm.usec;
  const ts = local - offset * 1e6;
  if (ts < TIMESTAMP_MIN || ts >= TIMESTAMP_END) throw outOfRange();
  return ts;
}

function parseTs(input: string, env: DateTimeParseEnv, withZone: boolean, precision: number): number {
  const typeName = withZone ? 'timestamp with time zone' : 'timestamp';
  const { dtype, tm } = run(input, typeName, () => decodeDateTime(parseDateTimeFields(input), true, env));
  let ts: number;
  switch (dtype) {
    case Dtk.Epoch:
      ts = withZone ? -946684800_000000 : -946684800_000000;
      break;
    case Dtk.Late:
      return Infinity;
    case Dtk.Early:
      return -Infinity;
    default:
      ts = tmToTs(tm, input, withZone ? tm.tz ?? 0 : 0);
  }
  return adjustTimestamp(ts, precision);
}

/** timestamp_in (any zone in the input is ignored, as PostgreSQL does). */
export function parseTimestamp(input: string, env: DateTimeParseEnv, precision = -1): number {
  return parseTs(input, env, false, precision);
}

/** timestamptz_in */
export function parseTimestamptz(input: string, env: DateTimeParseEnv, precision = -1): number {
  return parseTs(input, env, true, precision);
}

/** time_in */
export function parseTime(input: string, env: DateTimeParseEnv, precision = -1): number {
  const tm = run(input, 'time without time zone', () => decodeTimeOnly(parseDateTimeFields(input), true, env));
  const t = ((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1e6 + tm.usec;
  return adjustTime(t, precision);
}

/** timetz_in */
export function parseTimetz(input: string, env: DateTimeParseEnv, precision = -1): TimetzValue {
  const tm = run(input, 'time with time zone', () => decodeTimeOnly(parseDateTimeFields(input), true, env));
  const t = ((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1e6 + tm.usec;
  return { micros: adjustTime(t, precision), offsetSeconds: tm.tz ?? 0 };
}

export { decodeTimeOnly };
