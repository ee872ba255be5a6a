import { describe, expect, it } from 'vitest';
import { longDate, shortDate } from '../../src/rules/dates.js';

const DAY_MS = 86_400_000;

describe('rule date texts, kept per day', () => {
  it('gives every instant of a day the same text, and the next day its own', () => {
    const midnight = Date.UTC(2024, 1, 29);
    expect(shortDate(midnight + DAY_MS - 1)).toBe('29-2-2024');
    expect(shortDate(midnight)).toBe('29-2-2024');
    expect(shortDate(midnight + DAY_MS)).toBe('1-3-2024');
    expect(longDate(midnight - 1)).toBe('28 februari 2024');
  });

  it('stays right for days before 1970, whose day numbers are negative', () => {
    expect(shortDate(Date.UTC(1969, 11, 31, 23, 59, 59, 999))).toBe('31-12-1969');
    expect(shortDate(Date.UTC(1970, 0, 1))).toBe('1-1-1970');
  });

  it('stays right once more days were written than it keeps', () => {
    const first = Date.UTC(1900, 0, 1);
    for (let day = 0; day < 70_000; day++) shortDate(first + day * DAY_MS);
    expect(shortDate(first)).toBe('1-1-1900');
    const last = new Date(first + 69_999 * DAY_MS);
    expect(shortDate(last.getTime())).toBe(
      `${last.getUTCDate()}-${last.getUTCMonth() + 1}-${last.getUTCFullYear()}`,
    );
  });
});
