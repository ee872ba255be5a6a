/**
 * The two date formats of the contract: RFC 3339 timestamps (`occurredAt`,
 * `receivedAt`) and calendar dates (`birthDate`). Hand-written parsers rather
 * than regular expressions or `Date.parse`: they run on every signal on the
 * backtest's hot path, allocate nothing, and accept exactly the documented
 * format (`Date.parse` also accepts many strings that are not RFC 3339).
 */

import { outOfRange } from '../at.js';

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
    lastMs = asAscii(s) ? parseTimestampBytes(scratch, 0, s.length) : NaN;
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

/**
 * The dates are read from bytes: the JSON fast path has them as bytes of
 * the line, and a string is first copied here. Every character of a valid
 * date is ASCII, so a string with any other is none.
 */
let scratch = new Uint8Array(64);

function asAscii(s: string): boolean {
  // A fraction of a second may have any number of digits.
  if (s.length > scratch.length) scratch = new Uint8Array(2 * s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return false;
    scratch[i] = c;
  }
  return true;
}

/** `parseTimestamp` of the ASCII text `bytes[start, end)`. */
export function parseTimestampBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 20) return NaN;
  const year = fourDigits(bytes, start);
  const month = twoDigits(bytes, start + 5);
  const day = twoDigits(bytes, start + 8);
  const hour = twoDigits(bytes, start + 11);
  const minute = twoDigits(bytes, start + 14);
  const second = twoDigits(bytes, start + 17);
  const t = (bytes[start + 10] ?? outOfRange(bytes, start + 10)) | 0x20; // lower-cases an ASCII letter
  if (
    bytes[start + 4] !== DASH ||
    bytes[start + 7] !== DASH ||
    t !== 0x74 ||
    bytes[start + 13] !== COLON ||
    bytes[start + 16] !== COLON ||
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

  let i = start + 19;
  let millis = 0;
  if (bytes[i] === DOT) {
    const digits = ++i;
    for (; i < end; i++) {
      const c = bytes[i] ?? outOfRange(bytes, i);
      if (!isDigit(c)) break;
      if (i - digits < 3) millis = millis * 10 + (c - 48);
    }
    if (i === digits) return NaN;
    for (let n = i - digits; n < 3; n++) millis *= 10;
  }

  let offsetMinutes: number;
  const sign = i < end ? (bytes[i] ?? outOfRange(bytes, i)) : -1;
  if ((sign | 0x20) === 0x7a && i + 1 === end) {
    offsetMinutes = 0;
  } else if ((sign === PLUS || sign === DASH) && i + 6 === end) {
    const offsetHour = twoDigits(bytes, i + 1);
    const offsetMinute = twoDigits(bytes, i + 4);
    if (bytes[i + 3] !== COLON || offsetHour < 0 || offsetHour > 23) return NaN;
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
  return s.length === 10 && asAscii(s) && isCalendarDateBytes(scratch, 0);
}

/** `isCalendarDate` of the ten ASCII bytes from `start`. */
export function isCalendarDateBytes(bytes: Uint8Array, start: number): boolean {
  return (
    bytes[start + 4] === DASH &&
    bytes[start + 7] === DASH &&
    isDate(fourDigits(bytes, start), twoDigits(bytes, start + 5), twoDigits(bytes, start + 8))
  );
}

/** A date written `YYYY-MM-DD` as the number yyyymmdd (not checked against the calendar), or undefined. */
export function calendarDateNumber(s: string): number | undefined {
  if (s.length !== 10 || !asAscii(s) || scratch[4] !== DASH || scratch[7] !== DASH)
    return undefined;
  const year = fourDigits(scratch, 0);
  const month = twoDigits(scratch, 5);
  const day = twoDigits(scratch, 8);
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
function fourDigits(bytes: Uint8Array, i: number): number {
  const high = twoDigits(bytes, i);
  const low = twoDigits(bytes, i + 2);
  return high < 0 || low < 0 ? -1 : high * 100 + low;
}

/**
 * The number written by two ASCII digits at `i`, or -1 if either is not a
 * digit. Callers stay within the text they read: past its end lie other
 * bytes.
 */
function twoDigits(bytes: Uint8Array, i: number): number {
  const tens = (bytes[i] ?? outOfRange(bytes, i)) - 48;
  const ones = (bytes[i + 1] ?? outOfRange(bytes, i + 1)) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
