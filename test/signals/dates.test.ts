import { describe, expect, it } from 'vitest';
import {
  isCalendarDate,
  isCalendarDateBytes,
  parseTimestamp,
  parseTimestampBytes,
} from '../../src/signals/dates.js';

describe('parseTimestamp', () => {
  it.each([
    ['2024-03-01T10:00:00Z', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01t10:00:00z', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T11:00:00+01:00', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T08:30:00-01:30', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T10:00:00.5Z', '2024-03-01T10:00:00.500Z'],
    ['2024-03-01T10:00:00.123456789Z', '2024-03-01T10:00:00.123Z'],
    ['2024-02-29T23:59:59-00:00', '2024-02-29T23:59:59.000Z'],
    ['0050-03-01T00:00:00Z', '0050-03-01T00:00:00.000Z'],
    [`2024-03-01T10:00:00.25${'9'.repeat(100)}Z`, '2024-03-01T10:00:00.259Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(new Date(parseTimestamp(text)).toISOString()).toBe(iso);
  });

  it.each([
    '2024-03-01',
    '2024-03-01T10:00:00',
    '2024-03-01 10:00:00Z',
    '2024-03-01T10:00Z',
    '2024-03-01T10:00:00.Z',
    '2024-03-01T10:00:00+0100',
    '2024-03-01T10:00:00+24:00',
    '2024-03-01T10:00:00Z ',
    '2023-02-29T10:00:00Z',
    '2024-13-01T10:00:00Z',
    '2024-03-01T10:60:00Z',
    '2016-12-31T23:59:60Z',
    '+002024-03-01T10:00:00Z',
    '２０２４-03-01T10:00:00Z',
  ])('refuses %s', (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });
});

describe('parseTimestampBytes', () => {
  /** `text` in the middle of a line, as the JSON fast path reads it: digits and letters around it. */
  const inLine = (text: string) => {
    const bytes = Buffer.from(`9"${text}"9Z`, 'latin1');
    return parseTimestampBytes(bytes, 2, 2 + text.length);
  };

  it.each(['2024-03-01T10:00:00Z', '2024-03-01T10:00:00.5Z', '2024-03-01T11:00:00+01:00'])(
    'reads %s in a line as parseTimestamp reads it alone',
    (text) => {
      expect(inLine(text)).toBe(parseTimestamp(text));
    },
  );

  it.each(['2024-03-01T10:00:00', '2024-03-01T10:00:00.', '2024-03-01T10:00:00+01'])(
    'reads no further than the end of %s',
    (text) => {
      expect(inLine(text)).toBeNaN();
    },
  );
});

describe('isCalendarDate', () => {
  it.each(['2024-02-29', '2000-02-29', '1988-04-12', '2023-12-31'])('accepts %s', (text) => {
    expect(isCalendarDate(text)).toBe(true);
  });

  it.each([
    '1900-02-29',
    '2023-04-31',
    '2023-00-10',
    '2023-1-10',
    '12-04-1988',
    '2023-04-12T00:00:00Z',
  ])('refuses %s', (text) => {
    expect(isCalendarDate(text)).toBe(false);
  });

  it('reads the same from the bytes of a line', () => {
    const bytes = Buffer.from('x"2024-02-29","2023-02-29"', 'latin1');
    expect(isCalendarDateBytes(bytes, 2)).toBe(true);
    expect(isCalendarDateBytes(bytes, 15)).toBe(false);
  });
});
