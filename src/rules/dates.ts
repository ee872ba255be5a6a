/**
 * The rules' instants written out: ISO 8601 in indicators, UTC calendar
 * dates in explanations and age facts. Plain arithmetic on the proleptic
 * Gregorian calendar rather than Date (four times the cost, and a backtest
 * writes millions) or Intl (the text must not depend on the platform's
 * locale data).
 */
const DAY_MS = 86_400_000;

const MONTHS = [
  'januari',
  'februari',
  'maart',
  'april',
  'mei',
  'juni',
  'juli',
  'augustus',
  'september',
  'oktober',
  'november',
  'december',
];

interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

/** The UTC calendar date of an instant (Howard Hinnant's civil_from_days). */
function civilDate(ms: number): CivilDate {
  const z = Math.floor(ms / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  // Months counted from March, so that the leap day ends the year.
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * Texts of calendar dates by day since the epoch. An explanation names a
 * few dates per signal and a backtest's signals span a few thousand days,
 * so each text is built once. Cleared when full, so that a long-running
 * radar fed dates from everywhere keeps its memory bounded.
 */
class DayTexts {
  private readonly texts = new Map<number, string>();

  constructor(private readonly write: (date: CivilDate) => string) {}

  of(ms: number): string {
    const days = Math.floor(ms / DAY_MS);
    let text = this.texts.get(days);
    if (text === undefined) {
      if (this.texts.size >= DAY_TEXTS_KEPT) this.texts.clear();
      text = this.write(civilDate(ms));
      this.texts.set(days, text);
    }
    return text;
  }
}

/** About 180 years of days. */
const DAY_TEXTS_KEPT = 1 << 16;

const LONG_DATES = new DayTexts(({ year, month, day }) => `${day} ${MONTHS[month - 1]} ${year}`);
const SHORT_DATES = new DayTexts(({ year, month, day }) => `${day}-${month}-${year}`);

/** `1 maart 2024` */
export function longDate(ms: number): string {
  return LONG_DATES.of(ms);
}

/** `1-3-2024` */
export function shortDate(ms: number): string {
  return SHORT_DATES.of(ms);
}

/** The UTC calendar date of an instant as the number `yyyymmdd`. */
export function utcDateNumber(ms: number): number {
  const { year, month, day } = civilDate(ms);
  return year * 10_000 + month * 100 + day;
}

/** The char code of the decimal digit at `place` (1, 10, 100, …) of `n`. */
function digit(n: number, place: number): number {
  return 48 + (Math.floor(n / place) % 10);
}

/**
 * `new Date(ms).toISOString()`, built from char codes so the string is flat
 * and an indicator keeps no tree of pieces. Years outside 0000–9999, which
 * toISOString writes with a sign, are left to it.
 */
export function isoString(ms: number): string {
  const { year, month, day } = civilDate(ms);
  if (year < 0 || year > 9999) return new Date(ms).toISOString();
  const time = ms - Math.floor(ms / DAY_MS) * DAY_MS;
  const hour = Math.floor(time / 3_600_000);
  const minute = Math.floor(time / 60_000) % 60;
  const second = Math.floor(time / 1000) % 60;
  const milli = time % 1000;
  // 45 '-', 84 'T', 58 ':', 46 '.', 90 'Z'
  // prettier-ignore
  return String.fromCharCode(
    digit(year, 1000), digit(year, 100), digit(year, 10), digit(year, 1), 45,
    digit(month, 10), digit(month, 1), 45, digit(day, 10), digit(day, 1), 84,
    digit(hour, 10), digit(hour, 1), 58, digit(minute, 10), digit(minute, 1), 58,
    digit(second, 10), digit(second, 1), 46,
    digit(milli, 100), digit(milli, 10), digit(milli, 1), 90,
  );
}
