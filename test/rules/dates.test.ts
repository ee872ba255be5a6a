import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoString, longDate, shortDate, utcDateNumber } from '../../src/rules/dates.js';

/** From before year 0 to after 9999, so the toISOString fallback is crossed too. */
const instant = fc.integer({ min: -70_000_000_000_000, max: 260_000_000_000_000 });

describe('rule dates', () => {
  it('property: write an instant exactly as Date does', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const date = new Date(ms);
        const [year, month, day] = [
          date.getUTCFullYear(),
          date.getUTCMonth() + 1,
          date.getUTCDate(),
        ];
        expect(isoString(ms)).toBe(date.toISOString());
        expect(shortDate(ms)).toBe(`${day}-${month}-${year}`);
        expect(utcDateNumber(ms)).toBe(year * 10_000 + month * 100 + day);
      }),
      { numRuns: 2000 },
    );
  });

  it('names the month in Dutch, on leap days too', () => {
    expect(longDate(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('29 februari 2024');
    expect(longDate(Date.UTC(2024, 2, 1))).toBe('1 maart 2024');
  });
});
