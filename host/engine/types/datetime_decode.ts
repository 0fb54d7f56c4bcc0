// Interpretation of parsed date/time fields: DecodeDateTime (date, timestamp,
// timestamptz input), following PostgreSQL's datetime.c. The field decoders
// are in datetime_decode_fields.ts; DecodeTimeOnly is in datetime_input.ts.

import { date2j, j2date } from './calendar.ts';
import {
  M, currentLocal, decodeDate, decodeNumber, decodeNumberField, decodeTime, decodeTimezone, determineOffset,
  fail, newTm, strtol, timeOverflows, validateDate, zoneByName, type State,
} from './datetime_decode_fields.ts';
import {
  DATE_M, DATE_TOKENS, Dtk, DtErr, Ft, TIME_M, T_ADBC, T_AMPM, T_DAY, T_DOW, T_DTZ, T_DTZMOD, T_IGNORE, T_ISOTIME, T_MONTH,
  T_RESERV, T_TZ, T_UNITS, T_UNKNOWN, lookupToken, parseFraction, type DateTimeParseEnv, type Field, type ParsedTm,
} from './datetime_parse.ts';
import { lookupAbbrev, resolveTimeZone, type TimeZone } from './timezone.ts';

const AM = 0, PM = 1, HR24 = 2, BC = 1;
const USECS_PER_DAY = 86_400_000_000;

export interface DecodedDateTime {
  /** Dtk.Date for an ordinary value, or Dtk.Epoch / Dtk.Late / Dtk.Early. */
  dtype: Dtk;
  tm: ParsedTm;
}

/** DecodeDateTime. With `wantTz`, tm.tz receives the offset (given, or from the session zone). */
export function decodeDateTime(fields: Field[], wantTz: boolean, env: DateTimeParseEnv): DecodedDateTime {
  const tm = newTm();
  const st: State = { is2digits: false };
  let fmask = 0;
  let ptype = 0;
  let mer = HR24;
  let haveTextMonth = false;
  let isjulian = false;
  let bc = false;
  let dtype: Dtk = Dtk.Date;
  let namedTz: TimeZone | undefined;
  let tz: number | undefined;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    let tmask = 0;
    switch (f.type) {
      case Ft.Date:
        if (ptype === Dtk.Julian) {
          if (!wantTz) fail();
          const [jday, cp] = strtol(f.text);
          if (jday < 0) fail(DtErr.FieldOverflow);
          [tm.year, tm.month, tm.day] = j2date(jday);
          isjulian = true;
          tz = decodeTimezone(cp);
          tmask = DATE_M | TIME_M | M(T_TZ);
          ptype = 0;
        } else if (ptype !== 0 || (fmask & (M(T_MONTH) | M(T_DAY))) === (M(T_MONTH) | M(T_DAY))) {
          if (!wantTz) fail();
          if (/^\d/.test(f.text) || ptype !== 0) {
            if (ptype !== 0) {
              if (ptype !== Dtk.Time) fail();
              ptype = 0;
            }
            if ((fmask & TIME_M) === TIME_M) fail();
            const dash = f.text.indexOf('-');
            if (dash < 0) fail();
            tz = decodeTimezone(f.text.slice(dash));
            tmask = decodeNumberField(f.text.slice(0, dash), fmask, tm, st).tmask | M(T_TZ);
          } else {
            namedTz = zoneByName(f.text);
            tmask = M(T_TZ);
          }
        } else {
          tmask = decodeDate(f.text, fmask, tm, st, env);
        }
        break;
      case Ft.Time:
        if (ptype !== 0) {
          if (ptype !== Dtk.Time) fail();
          ptype = 0;
        }
        tmask = decodeTime(f.text, tm);
        if (timeOverflows(tm.hour, tm.minute, tm.second, tm.usec)) fail(DtErr.FieldOverflow);
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
            if (value < 0) fail(DtErr.FieldOverflow);
            tmask = DATE_M;
            [tm.year, tm.month, tm.day] = j2date(value);
            isjulian = true;
            if (cp[0] === '.') {
              const t = parseFraction(cp) * USECS_PER_DAY;
              setTimeFromMicros(tm, t);
              tmask |= TIME_M;
            }
          } else if (ptype === Dtk.Time) {
            const r = decodeNumberField(f.text, fmask | DATE_M, tm, st);
            tmask = r.tmask;
            if (tmask !== TIME_M) fail();
          } else fail();
          ptype = 0;
          dtype = Dtk.Date;
        } else {
          const flen = f.text.length;
          const dot = f.text.indexOf('.');
          if (dot >= 0 && !(fmask & DATE_M)) tmask = decodeDate(f.text, fmask, tm, st, env);
          else if (dot >= 0 && dot > 2) tmask = decodeNumberField(f.text, fmask, tm, st).tmask;
          else if (flen >= 6 && (!(fmask & DATE_M) || !(fmask & TIME_M))) tmask = decodeNumberField(f.text, fmask, tm, st).tmask;
          else tmask = decodeNumber(flen, f.text, haveTextMonth, fmask, tm, st, env);
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
            switch (val) {
              case Dtk.Now: {
                tmask = DATE_M | TIME_M | M(T_TZ);
                dtype = Dtk.Date;
                const cur = currentLocal(env);
                Object.assign(tm, cur.tm);
                tz = cur.offset;
                break;
              }
              case Dtk.Yesterday:
              case Dtk.Today:
              case Dtk.Tomorrow: {
                tmask = DATE_M;
                dtype = Dtk.Date;
                const cur = currentLocal(env).tm;
                const delta = val === Dtk.Yesterday ? -1 : val === Dtk.Tomorrow ? 1 : 0;
                [tm.year, tm.month, tm.day] = j2date(date2j(cur.year, cur.month, cur.day) + delta);
                break;
              }
              case Dtk.Zulu:
                tmask = TIME_M | M(T_TZ);
                dtype = Dtk.Date;
                tm.hour = 0;
                tm.minute = 0;
                tm.second = 0;
                tz = 0;
                break;
              case Dtk.Epoch:
              case Dtk.Late:
              case Dtk.Early:
                tmask = DATE_M | TIME_M | M(T_TZ);
                dtype = val;
                break;
              default:
                fail();
            }
            break;
          case T_MONTH:
            if (fmask & M(T_MONTH) && !haveTextMonth && !(fmask & M(T_DAY)) && tm.month >= 1 && tm.month <= 31) {
              tm.day = tm.month;
              tmask = M(T_DAY);
            }
            haveTextMonth = true;
            tm.month = val;
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
            break;
          case T_TZ:
            if (!wantTz) fail();
            tz = val;
            break;
          case T_AMPM:
            mer = val;
            break;
          case T_ADBC:
            bc = val === BC;
            break;
          case T_DOW:
            break;
          case T_UNITS:
            tmask = 0;
            if (ptype !== 0) fail();
            ptype = val;
            break;
          case T_ISOTIME:
            tmask = 0;
            if ((fmask & DATE_M) !== DATE_M) fail();
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
  if (dtype === Dtk.Date) {
    validateDate(fmask, isjulian, bc, tm, st);
    if (mer !== HR24 && tm.hour > 12) fail(DtErr.FieldOverflow);
    if (mer === AM && tm.hour === 12) tm.hour = 0;
    else if (mer === PM && tm.hour !== 12) tm.hour += 12;
    if ((fmask & DATE_M) !== DATE_M) fail();
    if (namedTz !== undefined) {
      if (fmask & M(T_DTZMOD)) fail();
      tz = determineOffset(tm, namedTz);
    }
    if (wantTz && !(fmask & M(T_TZ))) {
      if (fmask & M(T_DTZMOD)) fail();
      tz = determineOffset(tm, env.zone);
    }
  }
  if (tz !== undefined) tm.tz = tz;
  return { dtype, tm };
}

function setTimeFromMicros(tm: ParsedTm, t: number): void {
  tm.hour = Math.floor(t / 3_600_000_000);
  t -= tm.hour * 3_600_000_000;
  tm.minute = Math.floor(t / 60_000_000);
  t -= tm.minute * 60_000_000;
  tm.second = Math.floor(t / 1_000_000);
  tm.usec = t - tm.second * 1_000_000;
}
