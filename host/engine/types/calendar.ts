// The proleptic Gregorian calendar as PostgreSQL computes it: Julian day
// numbers (date2j/j2date), leap years, days per month, day of week, ISO weeks.
// Years are astronomical: 0 is 1 BC, -1 is 2 BC.

export const POSTGRES_EPOCH_JDATE = 2451545; // 2000-01-01
export const UNIX_EPOCH_JDATE = 2440588; // 1970-01-01
export const SECS_PER_DAY = 86400;
export const USECS_PER_DAY = 86_400_000_000;

const DAY_TAB = [
  [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
  [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
];

export function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysInMonth(y: number, m: number): number {
  return DAY_TAB[isLeap(y) ? 1 : 0]![m - 1]!;
}

/** Julian day number of a calendar date (valid from 4714-11-24 BC). */
export function date2j(year: number, month: number, day: number): number {
  if (month > 2) {
    month += 1;
    year += 4800;
  } else {
    month += 13;
    year += 4799;
  }
  const century = Math.floor(year / 100);
  let julian = year * 365 - 32167;
  julian += Math.floor(year / 4) - century + Math.floor(century / 4);
  julian += Math.floor((7834 * month) / 256) + day;
  return julian;
}

/** Calendar date of a Julian day number: [year, month, day]. */
export function j2date(jd: number): [number, number, number] {
  // Shift into a positive range by whole 400-year cycles so the unsigned arithmetic holds.
  let cycles = 0;
  let julian = jd + 32044;
  if (julian < 0) {
    cycles = Math.ceil(-julian / 146097);
    julian += cycles * 146097;
  }
  let quad = Math.floor(julian / 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + Math.floor(extra / 146097);
  quad = Math.floor(julian / 1461);
  julian -= quad * 1461;
  let y = Math.floor((julian * 4) / 1461);
  julian = (y !== 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
  y += quad * 4;
  const year = y - 4800 - cycles * 400;
  quad = Math.floor((julian * 2141) / 65536);
  const day = julian - Math.floor((7834 * quad) / 256);
  const month = ((quad + 10) % 12) + 1;
  return [year, month, day];
}

/** Day of week of a Julian day: 0 = Sunday .. 6 = Saturday. */
export function j2day(jd: number): number {
  const d = (jd + 1) % 7;
  return d < 0 ? d + 7 : d;
}

/** Days since 1970-01-01 of a calendar date. */
export function civilToUnixDays(year: number, month: number, day: number): number {
  return date2j(year, month, day) - UNIX_EPOCH_JDATE;
}

/** Julian day of the Monday starting ISO week 1 of `year`. */
function isoWeek1Start(year: number): number {
  const day4 = date2j(year, 1, 4);
  const day0 = j2day(day4 - 1); // 0 = Monday
  return day4 - day0;
}

/** ISO 8601 week number (date2isoweek). */
export function date2isoweek(year: number, mon: number, mday: number): number {
  const dayn = date2j(year, mon, mday);
  let day0 = isoWeek1Start(year);
  if (dayn < day0) day0 = isoWeek1Start(year - 1);
  let result = Math.floor((dayn - day0) / 7) + 1;
  if (result >= 52) {
    const next = isoWeek1Start(year + 1);
    if (dayn >= next) result = 1;
  }
  return result;
}

/** ISO 8601 week-numbering year (date2isoyear). */
export function date2isoyear(year: number, mon: number, mday: number): number {
  const dayn = date2j(year, mon, mday);
  let day0 = isoWeek1Start(year);
  if (dayn < day0) {
    day0 = isoWeek1Start(year - 1);
    year--;
  }
  const result = Math.floor((dayn - day0) / 7) + 1;
  if (result >= 52) {
    const next = isoWeek1Start(year + 1);
    if (dayn >= next) year++;
  }
  return year;
}

/** First day of ISO week `woy` of ISO year `year`, as [year, month, day] (isoweek2date). */
export function isoweek2date(woy: number, year: number): [number, number, number] {
  return j2date(isoWeek1Start(year) + (woy - 1) * 7);
}

/** Day of year, 1-based. */
export function dayOfYear(year: number, mon: number, mday: number): number {
  return date2j(year, mon, mday) - date2j(year, 1, 1) + 1;
}
