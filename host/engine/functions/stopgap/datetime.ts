// TODO(types): calendar arithmetic, time zones and date/time text output,
// here until host/engine/types has its datetime module; then these move or
// become re-exports.
//
// Representations (docs/design/sql_engine.md, Values): date = days since
// 2000-01-01, time = µs since midnight, timestamp(tz) = µs since 2000-01-01
// UTC, ±Infinity for infinite values. Years are astronomical internally
// (0 = 1 BC), proleptic Gregorian as PostgreSQL.

import { SbError, SqlState } from '../../sb_error.ts';

export const USECS_PER_DAY = 86_400_000_000;
export const USECS_PER_HOUR = 3_600_000_000;
export const USECS_PER_MINUTE = 60_000_000;
export const USECS_PER_SEC = 1_000_000;
/** Julian day number of 2000-01-01. */
export const POSTGRES_EPOCH_JDATE = 2451545;
/** Seconds from 1970-01-01 to 2000-01-01. */
export const UNIX_EPOCH_OFFSET_SECS = 946_684_800;

/** Julian day limits: dates 4714-11-24 BC .. 5874897-12-31, timestamps .. 294276-12-31. */
export const DATE_DAYS_MIN = -POSTGRES_EPOCH_JDATE;
export const DATE_DAYS_MAX = 2147483494 - POSTGRES_EPOCH_JDATE;
export const TS_DAYS_END = 109203528 - POSTGRES_EPOCH_JDATE; // first day after 294276-12-31
export const TIMESTAMP_MIN = DATE_DAYS_MIN * USECS_PER_DAY;
export const TIMESTAMP_END = TS_DAYS_END * USECS_PER_DAY;

export function timestampOutOfRange(): SbError {
  return new SbError(SqlState.datetime_field_overflow, 'timestamp out of range');
}

export function dateOutOfRange(): SbError {
  return new SbError(SqlState.datetime_field_overflow, 'date out of range');
}

export function checkTimestamp(us: number): number {
  if (!Number.isFinite(us)) return us;
  if (!(us >= TIMESTAMP_MIN && us < TIMESTAMP_END)) throw timestampOutOfRange();
  return us;
}

export function checkDate(days: number): number {
  if (!Number.isFinite(days)) return days;
  if (!(days >= DATE_DAYS_MIN && days <= DATE_DAYS_MAX)) throw dateOutOfRange();
  return days;
}

export function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

const MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MDAYS[m - 1]!;
}

/** Days since 2000-01-01 of a proleptic Gregorian date (astronomical year). */
export function dateToDays(y: number, m: number, d: number): number {
  // Civil-from-days inverse over 400-year eras (exact for any integer year).
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 730425; // 730425 = days from 0000-03-01 to 2000-01-01
}

export interface Ymd {
  y: number;
  m: number;
  d: number;
}

export function daysToDate(days: number): Ymd {
  const z = days + 730425;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return { y, m, d };
}

/** Day of week, 0 = Sunday. */
export function dayOfWeek(days: number): number {
  return (((days + 6) % 7) + 7) % 7; // 2000-01-01 was a Saturday
}

export interface TsFields extends Ymd {
  h: number;
  mi: number;
  s: number;
  us: number;
}

export function splitMicros(us: number): { days: number; time: number } {
  const days = Math.floor(us / USECS_PER_DAY);
  return { days, time: us - days * USECS_PER_DAY };
}

export function timestampToFields(us: number): TsFields {
  const { days, time } = splitMicros(us);
  const ymd = daysToDate(days);
  return { ...ymd, ...timeToFields(time) };
}

export function timeToFields(time: number): { h: number; mi: number; s: number; us: number } {
  const h = Math.floor(time / USECS_PER_HOUR);
  let rest = time - h * USECS_PER_HOUR;
  const mi = Math.floor(rest / USECS_PER_MINUTE);
  rest -= mi * USECS_PER_MINUTE;
  const s = Math.floor(rest / USECS_PER_SEC);
  return { h, mi, s, us: Math.round(rest - s * USECS_PER_SEC) };
}

export function fieldsToTimestamp(f: TsFields): number {
  return dateToDays(f.y, f.m, f.d) * USECS_PER_DAY + f.h * USECS_PER_HOUR + f.mi * USECS_PER_MINUTE + f.s * USECS_PER_SEC + f.us;
}

// ---- time zones -------------------------------------------------------------

interface Zone {
  /** Offset east of UTC in seconds at a UTC instant (seconds since 2000-01-01). */
  offsetAt(utcSecs: number): number;
  /** The abbreviation shown for a fixed zone, if any. */
  fixed: boolean;
}

const zoneCache = new Map<string, Zone>();

function fixedZone(offsetSecs: number): Zone {
  return { offsetAt: () => offsetSecs, fixed: true };
}

/** POSIX-style "UTC+5" / "<+05>-05" / "+05:30" (sign inverted: positive is west of Greenwich). */
function parsePosixOffset(name: string): number | undefined {
  const m = /^(?:<[^>]*>|[A-Za-z]{3,})?([+-]?)(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?$/.exec(name);
  if (m === null) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? secs : -secs;
}

function intlZone(name: string): Zone | undefined {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  const cache = new Map<number, number>();
  return {
    fixed: false,
    offsetAt(utcSecs: number): number {
      const key = Math.floor(utcSecs);
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      // Intl covers ±8.64e15 ms; beyond it PostgreSQL extrapolates rules too, we clamp.
      const ms = Math.max(-8.6e15, Math.min(8.6e15, (key + UNIX_EPOCH_OFFSET_SECS) * 1000));
      const parts = fmt.formatToParts(new Date(ms));
      let y = 0;
      let mo = 0;
      let d = 0;
      let h = 0;
      let mi = 0;
      let s = 0;
      let bc = false;
      for (const p of parts) {
        switch (p.type) {
          case 'year':
            y = Number(p.value);
            break;
          case 'month':
            mo = Number(p.value);
            break;
          case 'day':
            d = Number(p.value);
            break;
          case 'hour':
            h = Number(p.value);
            break;
          case 'minute':
            mi = Number(p.value);
            break;
          case 'second':
            s = Number(p.value);
            break;
          case 'era':
            bc = p.value.startsWith('B');
            break;
        }
      }
      if (bc) y = 1 - y;
      const local = dateToDays(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
      const utc = Math.floor(ms / 1000) - UNIX_EPOCH_OFFSET_SECS;
      const off = local - utc;
      if (cache.size > 4096) cache.clear();
      cache.set(key, off);
      return off;
    },
  };
}

// PostgreSQL's default timezone abbreviation set (pg_timezone_abbrevs): offsets east of UTC in seconds.
const ABBREV_TEXT =
  'acdt:37800,acsst:37800,acst:34200,act:-18000,acwst:31500,adt:-' +
  '10800,aedt:39600,aesst:39600,aest:36000,aft:16200,akdt:-28800,akst:-' +
  '32400,almst:25200,almt:21600,amst:14400,amt:-14400,anast:43200,anat:43200,arst:-10800,art:-10800,ast:-' +
  '14400,awsst:32400,awst:28800,azost:0,azot:-' +
  '3600,azst:14400,azt:14400,bdst:7200,bdt:21600,bnt:28800,bort:28800,bot:-14400,bra:-10800,brst:-7200,brt:-' +
  '10800,bst:3600,btt:21600,cadt:37800,cast:34200,cct:28800,cdt:-' +
  '18000,cest:7200,cet:3600,cetdst:7200,chadt:49500,chast:45900,chut:36000,ckt:-36000,clst:-10800,clt:-' +
  '10800,cot:-18000,cst:-21600,cxt:25200,davt:25200,ddut:36000,easst:-18000,east:-18000,eat:10800,edt:-' +
  '14400,eest:10800,eet:7200,eetdst:10800,egst:0,egt:-3600,est:-18000,fet:10800,fjst:46800,fjt:43200,fkst:-' +
  '10800,fkt:-10800,fnst:-3600,fnt:-7200,galt:-21600,gamt:-32400,gest:14400,get:14400,gft:-' +
  '10800,gilt:43200,gmt:0,gyt:-14400,hkt:28800,hst:-' +
  '36000,ict:25200,idt:10800,iot:21600,irkst:28800,irkt:28800,irt:12600,ist:7200,jayt:32400,jst:32400,kdt:36000,k' +
  'gst:21600,kgt:21600,kost:39600,krast:25200,krat:25200,kst:32400,lhdt:39600,lhst:37800,ligt:36000,lint:50400,lk' +
  't:19800,magst:39600,magt:39600,mart:-34200,mawt:18000,mdt:-' +
  '21600,mest:7200,mesz:7200,met:3600,metdst:7200,mez:3600,mht:43200,mmt:23400,mpt:36000,msd:14400,msk:10800,mst:' +
  '-25200,must:18000,mut:14400,mvt:18000,myt:28800,ndt:-9000,nft:-12600,novst:25200,novt:25200,npt:20700,nst:-' +
  '12600,nut:-39600,nzdt:46800,nzst:43200,nzt:43200,omsst:21600,omst:21600,pdt:-25200,pet:-' +
  '18000,petst:43200,pett:43200,pgt:36000,pht:28800,pkst:21600,pkt:18000,pmdt:-7200,pmst:-10800,pont:39600,pst:-' +
  '28800,pwt:32400,pyst:-10800,pyt:-10800,ret:14400,sadt:37800,sast:7200,sct:14400,sgt:28800,taht:-' +
  '36000,tft:18000,tjt:18000,tkt:46800,tmt:18000,tot:46800,trut:36000,tvt:43200,uct:0,ulast:32400,ulat:28800,ut:0' +
  ',utc:0,uyst:-7200,uyt:-10800,uzst:21600,uzt:18000,vet:-' +
  '14400,vlast:36000,vlat:36000,volt:10800,vut:39600,wadt:28800,wakt:43200,wast:25200,wat:3600,wdt:32400,wet:0,we' +
  'tdst:3600,wft:43200,wgst:-7200,wgt:-' +
  '10800,xjt:21600,yakst:32400,yakt:32400,yapt:36000,yekst:21600,yekt:18000,z:0,zulu:0';
const ABBREVS = new Map<string, number>(
  ABBREV_TEXT.split(',').map((kv) => {
    const [k, v] = kv.split(':') as [string, string];
    return [k, Number(v)];
  }),
);

/** A zone argument of AT TIME ZONE / timezone(): an abbreviation first (case-insensitive), then a zone name. */
export function zoneForArgument(name: string): string {
  const off = ABBREVS.get(name.toLowerCase());
  if (off === undefined) {
    lookupZone(name);
    return name;
  }
  const key = `\u0000abbrev:${off}`;
  if (!zoneCache.has(key)) zoneCache.set(key, fixedZone(off));
  return key;
}

export function invalidTimeZone(name: string): SbError {
  return new SbError(SqlState.invalid_parameter_value, `time zone "${name}" not recognized`);
}

/** The zone named by a TimeZone setting or an AT TIME ZONE argument. */
export function lookupZone(name: string): Zone {
  let z = zoneCache.get(name);
  if (z !== undefined) return z;
  const upper = name.toUpperCase();
  if (upper === 'UTC' || upper === 'GMT' || upper === 'Z' || upper === 'ZULU' || upper === 'ETC/UTC' || upper === 'UCT') {
    z = fixedZone(0);
  } else {
    const posix = parsePosixOffset(name);
    if (posix !== undefined) z = fixedZone(posix);
    else {
      z = intlZone(name);
      if (z === undefined) throw invalidTimeZone(name);
    }
  }
  zoneCache.set(name, z);
  return z;
}

/** Offset east of UTC (seconds) in effect at a UTC timestamp (µs since 2000). */
export function zoneOffsetAt(zone: string, utcMicros: number): number {
  if (!Number.isFinite(utcMicros)) return 0;
  return lookupZone(zone).offsetAt(Math.floor(utcMicros / USECS_PER_SEC));
}

/** UTC timestamp of a local wall-clock time in a zone, resolving DST gaps and overlaps as PostgreSQL does. */
export function localToUtc(zone: string, localMicros: number): number {
  if (!Number.isFinite(localMicros)) return localMicros;
  const z = lookupZone(zone);
  const localSecs = Math.floor(localMicros / USECS_PER_SEC);
  if (z.fixed) return localMicros - z.offsetAt(0) * USECS_PER_SEC;
  const before = z.offsetAt(localSecs - 86400 * 2);
  const after = z.offsetAt(localSecs + 86400 * 2);
  let off: number;
  if (before === after) {
    off = z.offsetAt(localSecs - before);
  } else {
    const beforeTime = localSecs - before;
    const afterTime = localSecs - after;
    // Find the transition instant between the two candidates.
    let lo = Math.min(beforeTime, afterTime) - 86400 * 2;
    let hi = Math.max(beforeTime, afterTime) + 86400 * 2;
    const offLo = z.offsetAt(lo);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (z.offsetAt(mid) === offLo) lo = mid;
      else hi = mid;
    }
    const boundary = hi;
    const ob = z.offsetAt(boundary - 1);
    const oa = z.offsetAt(boundary);
    const bt = localSecs - ob;
    const at = localSecs - oa;
    if (bt < boundary && at < boundary) off = ob;
    else if (bt >= boundary && at >= boundary) off = oa;
    else off = bt > at ? ob : oa;
  }
  return localMicros - off * USECS_PER_SEC;
}

export function utcToLocal(zone: string, utcMicros: number): number {
  if (!Number.isFinite(utcMicros)) return utcMicros;
  return utcMicros + zoneOffsetAt(zone, utcMicros) * USECS_PER_SEC;
}

// ---- text output (DateStyle ISO) ---------------------------------------------

function pad(n: number, w: number): string {
  const s = String(Math.abs(n));
  return s.length >= w ? s : '0'.repeat(w - s.length) + s;
}

function yearText(y: number): { text: string; bc: boolean } {
  if (y <= 0) return { text: pad(1 - y, 4), bc: true };
  return { text: pad(y, 4), bc: false };
}

export function formatDate(days: number): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const { y, m, d } = daysToDate(days);
  const yt = yearText(y);
  return `${yt.text}-${pad(m, 2)}-${pad(d, 2)}${yt.bc ? ' BC' : ''}`;
}

function fracText(us: number): string {
  if (us === 0) return '';
  return '.' + pad(us, 6).replace(/0+$/, '');
}

export function formatTime(time: number): string {
  const f = timeToFields(time);
  return `${pad(f.h, 2)}:${pad(f.mi, 2)}:${pad(f.s, 2)}${fracText(f.us)}`;
}

export function formatOffset(offsetSecs: number): string {
  const sign = offsetSecs < 0 ? '-' : '+';
  const a = Math.abs(offsetSecs);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  let out = sign + pad(h, 2);
  if (m !== 0 || s !== 0) out += ':' + pad(m, 2);
  if (s !== 0) out += ':' + pad(s, 2);
  return out;
}

export function formatTimestamp(us: number): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  const f = timestampToFields(us);
  const yt = yearText(f.y);
  return `${yt.text}-${pad(f.m, 2)}-${pad(f.d, 2)} ${pad(f.h, 2)}:${pad(f.mi, 2)}:${pad(f.s, 2)}${fracText(f.us)}${yt.bc ? ' BC' : ''}`;
}

export function formatTimestamptz(us: number, zone: string): string {
  if (!Number.isFinite(us)) return formatTimestamp(us);
  const off = zoneOffsetAt(zone, us);
  const f = timestampToFields(us + off * USECS_PER_SEC);
  const yt = yearText(f.y);
  return `${yt.text}-${pad(f.m, 2)}-${pad(f.d, 2)} ${pad(f.h, 2)}:${pad(f.mi, 2)}:${pad(f.s, 2)}${fracText(f.us)}${formatOffset(off)}${yt.bc ? ' BC' : ''}`;
}

export function formatTimetz(v: { micros: number; offsetSeconds: number }): string {
  return formatTime(v.micros) + formatOffset(v.offsetSeconds);
}
