/**
 * The two date formats of the contract: RFC 3339 timestamps (`occurredAt`,
 * `receivedAt`) and calendar dates (`birthDate`). Hand-written parsers rather
 * than regular expressions or `Date.parse`: they run on every signal on the
 * backtest's hot path, allocate nothing, and accept exactly the documented
 * format (`Date.parse` also accepts many strings that are not RFC 3339).
 */

const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;

/**
 * Milliseconds since the epoch of an RFC 3339 `date-time`
 * (`2024-03-01T10:00:00Z`, `2024-03-01T11:00:00.5+01:00`), or NaN when the
 * string is not one. `T` and `Z` may be lower case; fractions beyond
 * milliseconds are truncated. A leap second (`:60`) is refused: JavaScript
 * time cannot represent it, so every later comparison would be wrong.
 */
export function parseTimestamp(s: string): number {
  if (s !== lastTimestamp) {
    lastMs = parse(s);
    lastTimestamp = s;
  }
  return lastMs;
}

/**
 * The last timestamp read and its value: validation reads `occurredAt`, and
 * preparing the signal for the rules reads the same string again.
 */
let lastTimestamp: string | undefined;
let lastMs = NaN;

function parse(s: string): number {
  if (s.length < 20) return NaN;
  const year = fourDigits(s, 0);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  const t = s.charCodeAt(10) | 0x20; // lower-cases an ASCII letter
  if (
    s.charCodeAt(4) !== DASH ||
    s.charCodeAt(7) !== DASH ||
    t !== 0x74 ||
    s.charCodeAt(13) !== COLON ||
    s.charCodeAt(16) !== COLON ||
    !isDate(year, month, day) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return NaN;
  }

  let i = 19;
  let millis = 0;
  if (s.charCodeAt(i) === DOT) {
    const start = ++i;
    while (isDigit(s.charCodeAt(i))) {
      if (i - start < 3) millis = millis * 10 + (s.charCodeAt(i) - 48);
      i++;
    }
    if (i === start) return NaN;
    for (let n = i - start; n < 3; n++) millis *= 10;
  }

  let offsetMinutes: number;
  const sign = s.charCodeAt(i);
  if ((sign | 0x20) === 0x7a && i + 1 === s.length) {
    offsetMinutes = 0;
  } else if ((sign === PLUS || sign === DASH) && i + 6 === s.length) {
    const offsetHour = twoDigits(s, i + 1);
    const offsetMinute = twoDigits(s, i + 4);
    if (s.charCodeAt(i + 3) !== COLON || offsetHour < 0 || offsetHour > 23) return NaN;
    if (offsetMinute < 0 || offsetMinute > 59) return NaN;
    offsetMinutes = (sign === PLUS ? 1 : -1) * (offsetHour * 60 + offsetMinute);
  } else {
    return NaN;
  }

  const local =
    daysFromCivil(year, month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    millis;
  return local - offsetMinutes * 60_000;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). Plain arithmetic, exact for every four-digit year, where
 * Date.UTC is a call into the runtime and reads years 0–99 as 1900–1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  // Years counted from March, so that the leap day ends the year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Whether `s` is a real calendar date written `YYYY-MM-DD` (`2023-02-29` is not). */
export function isCalendarDate(s: string): boolean {
  return (
    s.length === 10 &&
    s.charCodeAt(4) === DASH &&
    s.charCodeAt(7) === DASH &&
    isDate(fourDigits(s, 0), twoDigits(s, 5), twoDigits(s, 8))
  );
}

/** A date written `YYYY-MM-DD` as the number yyyymmdd (not checked against the calendar), or undefined. */
export function calendarDateNumber(s: string): number | undefined {
  if (s.length !== 10 || s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH) return undefined;
  const year = fourDigits(s, 0);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  return year < 0 || month < 0 || day < 0 ? undefined : year * 10_000 + month * 100 + day;
}

function isDate(year: number, month: number, day: number): boolean {
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written by four ASCII digits at `i`, or -1 if any of them is not a digit. */
function fourDigits(s: string, i: number): number {
  const high = twoDigits(s, i);
  const low = twoDigits(s, i + 2);
  return high < 0 || low < 0 ? -1 : high * 100 + low;
}

/**
 * The number written by two ASCII digits at `i`, or -1 if either is not a
 * digit (past the end, `charCodeAt` gives NaN, which is none).
 */
function twoDigits(s: string, i: number): number {
  const tens = s.charCodeAt(i) - 48;
  const ones = s.charCodeAt(i + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
