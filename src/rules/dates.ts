/**
 * Dates in explanations: UTC calendar dates, the same calendar the age
 * filters use, written without Intl so the text never depends on the
 * platform's locale data.
 */
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

/** `1 maart 2024` */
export function longDate(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** `1-3-2024` */
export function shortDate(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCDate()}-${date.getUTCMonth() + 1}-${date.getUTCFullYear()}`;
}
