// Time zones: IANA names through Intl.DateTimeFormat (offsets to the second,
// DST, local mean time before standard time), fixed offsets, POSIX-style
// fixed specs ("UTC+3", "<+05>-5"), and PostgreSQL's default time zone
// abbreviation set (pg_timezone_abbrevs) for input. Offsets are seconds EAST
// of UTC (ISO sign) throughout this module.

import { SbError, SqlState } from '../sb_error.ts';
import { civilToUnixDays } from './calendar.ts';

export interface TimeZone {
  /** The name as the session shows it (e.g. 'America/New_York', 'UTC'). */
  readonly name: string;
  /** Fixed offset east of UTC in seconds, when the zone has no transitions. */
  readonly fixedOffset?: number;
  /** Offset east of UTC, in seconds, at a UTC instant given in seconds since 1970-01-01. */
  offsetAt(utcSeconds: number): number;
  /** The abbreviation PostgreSQL prints for the zone at that instant (SQL/Postgres/German DateStyles). */
  abbrevAt(utcSeconds: number): string;
}

/** PostgreSQL's numeric abbreviation for zones without one: "+05", "-03", "+0545". */
export function numericAbbrev(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return sign + String(h).padStart(2, '0') + (m !== 0 ? String(m).padStart(2, '0') : '');
}

export function fixedZone(offsetEast: number, name?: string, abbrev?: string): TimeZone {
  const ab = abbrev ?? (offsetEast === 0 ? 'UTC' : numericAbbrev(offsetEast));
  return { name: name ?? ab, fixedOffset: offsetEast, offsetAt: () => offsetEast, abbrevAt: () => ab };
}

export const UTC: TimeZone = fixedZone(0, 'UTC', 'UTC');

// ---- IANA zones via Intl ------------------------------------------------------

const SECS_PER_DAY = 86400;
/** 400 Gregorian years in seconds: calendars and DST rules repeat with this period. */
const CYCLE_SECS = 146097 * SECS_PER_DAY;
/** Latest instant JS Date can represent, minus a margin. */
const DATE_MAX_SECS = 8.64e12 - 2 * 366 * SECS_PER_DAY;

// Abbreviations Intl does not print in English locales, as tzdata names them.
const ABBREV_OVERRIDES: Record<string, [string, string]> = {
  'Asia/Tokyo': ['JST', 'JDT'],
  'Asia/Seoul': ['KST', 'KDT'],
  'Asia/Shanghai': ['CST', 'CDT'],
  'Asia/Hong_Kong': ['HKT', 'HKST'],
  'Asia/Taipei': ['CST', 'CDT'],
  'Asia/Manila': ['PST', 'PDT'],
  'Asia/Jakarta': ['WIB', 'WIB'],
  'Asia/Karachi': ['PKT', 'PKST'],
  'Asia/Jerusalem': ['IST', 'IDT'],
  'Asia/Tel_Aviv': ['IST', 'IDT'],
  'Europe/Moscow': ['MSK', 'MSD'],
  'Africa/Johannesburg': ['SAST', 'SAST'],
  'Africa/Lagos': ['WAT', 'WAT'],
  'Africa/Nairobi': ['EAT', 'EAT'],
  'Africa/Cairo': ['EET', 'EEST'],
  'Pacific/Honolulu': ['HST', 'HDT'],
  'Europe/Dublin': ['GMT', 'IST'],
  Eire: ['GMT', 'IST'],
};

interface DayCache {
  /** Offset over the day, or a transition: offsets before/after and the instant. */
  off: number;
  split?: { at: number; after: number };
}

class IanaZone implements TimeZone {
  readonly name: string;
  private readonly fmt: Intl.DateTimeFormat;
  private abbrevFmts: Intl.DateTimeFormat[] | undefined;
  private readonly days = new Map<number, DayCache>();

  constructor(name: string, fmt: Intl.DateTimeFormat) {
    this.name = name;
    this.fmt = fmt;
  }

  /** Exact offset at an instant, from the formatted local wall time. */
  private rawOffset(utcSeconds: number): number {
    let t = utcSeconds;
    while (t > DATE_MAX_SECS) {
      t -= CYCLE_SECS;
    }
    const parts = this.fmt.formatToParts(new Date(t * 1000));
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const p of parts) {
      switch (p.type) {
        case 'year':
          year = Number(p.value);
          break;
        case 'month':
          month = Number(p.value);
          break;
        case 'day':
          day = Number(p.value);
          break;
        case 'hour':
          hour = Number(p.value);
          break;
        case 'minute':
          minute = Number(p.value);
          break;
        case 'second':
          second = Number(p.value);
          break;
        case 'era':
          bc = p.value === 'BC' || p.value === 'B';
          break;
      }
    }
    if (bc) year = 1 - year;
    const local = civilToUnixDays(year, month, day) * SECS_PER_DAY + (hour % 24) * 3600 + minute * 60 + second;
    return local - Math.floor(t);
  }

  offsetAt(utcSeconds: number): number {
    const dayIndex = Math.floor(utcSeconds / SECS_PER_DAY);
    let c = this.days.get(dayIndex);
    if (c === undefined) {
      c = this.scanDay(dayIndex);
      if (this.days.size > 100_000) this.days.clear();
      this.days.set(dayIndex, c);
    }
    if (c.split !== undefined && utcSeconds >= c.split.at) return c.split.after;
    return c.off;
  }

  private scanDay(dayIndex: number): DayCache {
    const start = dayIndex * SECS_PER_DAY;
    const end = start + SECS_PER_DAY;
    const a = this.rawOffset(start);
    const b = this.rawOffset(end);
    if (a === b) {
      // Transitions and their reversal within one day do not occur in tzdata; check mid-day anyway.
      const m = this.rawOffset(start + SECS_PER_DAY / 2);
      if (m === a) return { off: a };
      return this.bisect(start, start + SECS_PER_DAY / 2, a, m);
    }
    return this.bisect(start, end, a, b);
  }

  private bisect(lo: number, hi: number, a: number, b: number): DayCache {
    // invariant: offset(lo) = a, offset(hi) = b != a
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.rawOffset(mid) === a) lo = mid;
      else hi = mid;
    }
    return { off: a, split: { at: hi, after: b } };
  }

  abbrevAt(utcSeconds: number): string {
    const offset = this.offsetAt(utcSeconds);
    // Local mean time (before standard time) has second-level offsets; tzdata calls it LMT.
    if (offset % 60 !== 0) return 'LMT';
    const override = ABBREV_OVERRIDES[this.name];
    if (override !== undefined) {
      const jan = this.offsetAt(utcSeconds - (utcSeconds % (365 * SECS_PER_DAY)));
      return offset > jan ? override[1] : override[0];
    }
    if (this.abbrevFmts === undefined) {
      const locales = ['en-US'];
      if (this.name.startsWith('Europe/') || this.name === 'GB' || this.name === 'Eire') locales.unshift('en-GB');
      if (this.name.startsWith('Australia/') || this.name === 'Pacific/Auckland') locales.unshift('en-AU');
      if (this.name === 'Asia/Kolkata' || this.name === 'Asia/Calcutta') locales.unshift('en-IN');
      this.abbrevFmts = locales.map((l) => new Intl.DateTimeFormat(l, { timeZone: this.name, timeZoneName: 'short' }));
    }
    let t = utcSeconds;
    while (t > DATE_MAX_SECS) t -= CYCLE_SECS;
    const named = this.intlAbbrev(t, offset);
    if (named !== undefined) return named;
    // ICU names only recent offsets: reuse this zone's name for the same offset in 2024.
    for (const probe of [1704110400, 1719835200]) {
      if (this.offsetAt(probe) === offset) {
        const modern = this.intlAbbrev(probe, offset);
        if (modern !== undefined) return modern;
      }
    }
    return numericAbbrev(offset);
  }

  private intlAbbrev(t: number, offset: number): string | undefined {
    for (const f of this.abbrevFmts!) {
      const name = f.formatToParts(new Date(t * 1000)).find((p) => p.type === 'timeZoneName')?.value ?? '';
      if (name !== '' && !/^(GMT|UTC)[+-]/.test(name)) return name === 'GMT' && offset !== 0 ? numericAbbrev(offset) : name;
    }
    return undefined;
  }
}

const IANA_CACHE = new Map<string, IanaZone | null>();

function ianaZone(name: string): IanaZone | undefined {
  const key = name.toLowerCase();
  let z = IANA_CACHE.get(key);
  if (z === undefined) {
    try {
      const fmt = new Intl.DateTimeFormat('en-US', {
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
      z = new IanaZone(fmt.resolvedOptions().timeZone, fmt);
    } catch {
      z = null;
    }
    IANA_CACHE.set(key, z);
  }
  return z ?? undefined;
}

// ---- abbreviations (PostgreSQL's "Default" timezone_abbreviations set) ---------

const ABBREV_DATA =
  'acdt:37800d acsst:37800d acst:34200 act:-18000 acwst:31500 adt:-10800d aedt:39600d aesst:39600d aest:36000 ' +
  'aft:16200 akdt:-28800d akst:-32400 almst:25200d almt:21600 amst:14400 amt:-14400 anast:43200 anat:43200 ' +
  'arst:-10800 art:-10800 ast:-14400 awsst:32400d awst:28800 azost:0d azot:-3600 azst:14400 azt:14400 bdst:7200d ' +
  'bdt:21600 bnt:28800 bort:28800 bot:-14400 bra:-10800 brst:-7200d brt:-10800 bst:3600d btt:21600 cadt:37800d ' +
  'cast:34200 cct:28800 cdt:-18000d cest:7200d cet:3600 cetdst:7200d chadt:49500d chast:45900 chut:36000 ' +
  'ckt:-36000 clst:-10800d clt:-10800d cot:-18000 cst:-21600 cxt:25200 davt:25200 ddut:36000 easst:-18000d ' +
  'east:-18000d eat:10800 edt:-14400d eest:10800d eet:7200 eetdst:10800d egst:0d egt:-3600 est:-18000 fet:10800 ' +
  'fjst:46800d fjt:43200 fkst:-10800 fkt:-10800 fnst:-3600d fnt:-7200 galt:-21600 gamt:-32400 gest:14400 ' +
  'get:14400 gft:-10800 gilt:43200 gmt:0 gyt:-14400 hkt:28800 hst:-36000 ict:25200 idt:10800d iot:21600 ' +
  'irkst:28800 irkt:28800 irt:12600 ist:7200 jayt:32400 jst:32400 kdt:36000d kgst:21600d kgt:21600 kost:39600 ' +
  'krast:25200 krat:25200 kst:32400 lhdt:39600d lhst:37800 ligt:36000 lint:50400 lkt:19800 magst:39600 ' +
  'magt:39600 mart:-34200 mawt:18000 mdt:-21600d mest:7200d mesz:7200d met:3600 metdst:7200d mez:3600 mht:43200 ' +
  'mmt:23400 mpt:36000 msd:14400d msk:10800 mst:-25200 must:18000d mut:14400 mvt:18000 myt:28800 ndt:-9000d ' +
  'nft:-12600 novst:25200 novt:25200 npt:20700 nst:-12600 nut:-39600 nzdt:46800d nzst:43200 nzt:43200 ' +
  'omsst:21600 omst:21600 pdt:-25200d pet:-18000 petst:43200 pett:43200 pgt:36000 pht:28800 pkst:21600d ' +
  'pkt:18000 pmdt:-7200d pmst:-10800 pont:39600 pst:-28800 pwt:32400 pyst:-10800d pyt:-10800 ret:14400 ' +
  'sadt:37800d sast:7200 sct:14400 sgt:28800 taht:-36000 tft:18000 tjt:18000 tkt:46800 tmt:18000 tot:46800 ' +
  'trut:36000 tvt:43200 uct:0 ulast:32400d ulat:28800 ut:0 utc:0 uyst:-7200d uyt:-10800 uzst:21600d uzt:18000 ' +
  'vet:-14400 vlast:36000 vlat:36000 volt:10800 vut:39600 wadt:28800d wakt:43200 wast:25200 wat:3600 wdt:32400d ' +
  'wet:0 wetdst:3600d wft:43200 wgst:-7200d wgt:-10800 xjt:21600 yakst:32400 yakt:32400 yapt:36000 yekst:21600d ' +
  'yekt:18000 z:0 zulu:0';

export interface ZoneAbbrev {
  /** Offset east of UTC in seconds. */
  offset: number;
  isDst: boolean;
}

const ABBREVS = new Map<string, ZoneAbbrev>();
for (const item of ABBREV_DATA.split(' ')) {
  const [name, rest] = item.split(':') as [string, string];
  ABBREVS.set(name, { offset: parseInt(rest, 10), isDst: rest.endsWith('d') });
}

/** A time zone abbreviation from the default set (lower-case lookup), e.g. 'est' -> -18000. */
export function lookupAbbrev(lower: string): ZoneAbbrev | undefined {
  return ABBREVS.get(lower);
}

// ---- resolution -----------------------------------------------------------

/** POSIX fixed-offset specs: "UTC+3", "<+05>-5", "EST5", "+5" (POSIX sign: positive is WEST). */
function posixFixed(spec: string): TimeZone | undefined {
  const m = /^(?:<([^>]*)>|([A-Za-z]+))?([+-]?)(\d{1,3})(?::(\d{2})(?::(\d{2}))?)?$/.exec(spec);
  if (m === null) return undefined;
  const h = Number(m[4]);
  const mi = m[5] !== undefined ? Number(m[5]) : 0;
  const s = m[6] !== undefined ? Number(m[6]) : 0;
  // tzcode's getsecs: up to a week less an hour.
  if (h > 167 || mi > 59 || s > 59) return undefined;
  const west = (h * 3600 + mi * 60 + s) * (m[3] === '-' ? -1 : 1);
  const east = -west || 0;
  const abbrev = m[1] ?? m[2] ?? numericAbbrev(east);
  return fixedZone(east, spec, abbrev);
}

const RESOLVED = new Map<string, TimeZone | null>();

/**
 * A zone by name as SET TIME ZONE and AT TIME ZONE accept it: IANA names
 * (case-insensitive), 'UTC'/'GMT', POSIX fixed specs. undefined if unknown.
 */
export function resolveTimeZone(name: string): TimeZone | undefined {
  let z = RESOLVED.get(name);
  if (z !== undefined) return z ?? undefined;
  const lower = name.toLowerCase();
  if (lower === 'utc' || lower === 'etc/utc' || lower === 'zulu' || lower === 'uct' || lower === 'etc/uct' || lower === 'universal') {
    z = fixedZone(0, 'UTC', 'UTC');
  } else if (lower === 'gmt' || lower === 'etc/gmt' || lower === 'greenwich') {
    z = fixedZone(0, 'GMT', 'GMT');
  } else {
    z = ianaZone(name) ?? posixFixed(name) ?? null;
  }
  RESOLVED.set(name, z);
  return z ?? undefined;
}

/** Like resolveTimeZone, but throws 22023 `time zone "x" not recognized`. */
export function requireTimeZone(name: string): TimeZone {
  const z = resolveTimeZone(name);
  if (z === undefined) throw new SbError(SqlState.invalid_parameter_value, `time zone "${name}" not recognized`);
  return z;
}

/**
 * The zone named in AT TIME ZONE / timezone(text, ts): an abbreviation from
 * the default set first (fixed offset), then a full zone name.
 */
export function zoneForAtTimeZone(name: string): TimeZone {
  const ab = lookupAbbrev(name.toLowerCase());
  if (ab !== undefined) return fixedZone(ab.offset, name, name.toUpperCase());
  return requireTimeZone(name);
}

/**
 * Converts local wall-clock seconds (since 1970, as if UTC) to the UTC
 * instant, resolving DST gaps and overlaps as PostgreSQL does: in a
 * spring-forward gap the offset before the transition applies; in a
 * fall-back overlap the offset after it.
 */
export function localToUtc(zone: TimeZone, localSeconds: number): { utc: number; offset: number } {
  if (zone.fixedOffset !== undefined) return { utc: localSeconds - zone.fixedOffset, offset: zone.fixedOffset };
  const prev = localSeconds - SECS_PER_DAY;
  const before = zone.offsetAt(prev);
  const after = zone.offsetAt(localSeconds + SECS_PER_DAY);
  if (before === after) {
    const mid = zone.offsetAt(localSeconds - before);
    if (mid === before) return { utc: localSeconds - before, offset: before };
    // A transition and its reversal within two days: take the offset that maps back consistently.
    return { utc: localSeconds - mid, offset: mid };
  }
  // Find the transition instant (first second with the "after" offset).
  let lo = prev;
  let hi = localSeconds + SECS_PER_DAY;
  while (hi - lo > 1) {
    const m = Math.floor((lo + hi) / 2);
    if (zone.offsetAt(m) === before) lo = m;
    else hi = m;
  }
  const boundary = hi;
  const beforeTime = localSeconds - before;
  const afterTime = localSeconds - after;
  if (beforeTime < boundary && afterTime < boundary) return { utc: beforeTime, offset: before };
  if (beforeTime > boundary && afterTime >= boundary) return { utc: afterTime, offset: after };
  if (beforeTime > afterTime) return { utc: beforeTime, offset: before };
  return { utc: afterTime, offset: after };
}

// ---- SET TIME ZONE values -------------------------------------------------------

/** The POSIX spec PostgreSQL names a fixed offset by (pg_tzset_offset): +5.5 h -> "<+05:30>-05:30". */
export function offsetZoneName(offsetEast: number): string {
  const a = Math.abs(offsetEast);
  let t = String(Math.floor(a / 3600)).padStart(2, '0');
  const m = Math.floor((a % 3600) / 60);
  const sec = a % 60;
  if (m !== 0 || sec !== 0) t += ':' + String(m).padStart(2, '0');
  if (sec !== 0) t += ':' + String(sec).padStart(2, '0');
  return offsetEast >= 0 ? `<+${t}>-${t}` : `<-${t}>+${t}`;
}

function badZoneSetting(value: string, detail: string): SbError {
  return new SbError(SqlState.invalid_parameter_value, `invalid value for parameter "TimeZone": "${value}"`, { detail });
}

/** A fixed offset as a TimeZone setting; PostgreSQL's POSIX parser takes under a week of hours. */
export function offsetZoneSetting(offsetEast: number, shown: string): string {
  if (!(Math.abs(offsetEast) < 168 * 3600)) throw badZoneSetting(shown, 'UTC timezone offset is out of range.');
  return offsetZoneName(offsetEast);
}

/**
 * SET TIME ZONE INTERVAL '...': hours, minutes and seconds only (months and
 * days are refused, 22023), fractions of a second dropped.
 */
export function intervalZoneSetting(months: number, days: number, micros: number, shown: string): string {
  if (months !== 0) throw badZoneSetting(shown, 'Cannot specify months in time zone interval.');
  if (days !== 0) throw badZoneSetting(shown, 'Cannot specify days in time zone interval.');
  return offsetZoneSetting(Math.trunc(micros / 1_000_000), shown);
}

/**
 * A TimeZone setting as PostgreSQL's check_timezone reads it: a number is
 * hours east of UTC (SET TIME ZONE -3, SET TimeZone = 5.5), stored as its
 * POSIX spec; anything else is a zone name, kept as written.
 */
export function timeZoneSetting(value: string): string {
  if (!/^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(value)) return value;
  const hours = Number(value);
  const east = Math.trunc(hours * 3600);
  if (!Number.isFinite(hours)) throw badZoneSetting(value, 'UTC timezone offset is out of range.');
  return offsetZoneSetting(east, value);
}
