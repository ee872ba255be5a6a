/** The output lines are written by hand; they must be exactly what `JSON.stringify` writes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { householdLines, indicatorLines, ruleIndicatorLine } from '../../src/backtest/format.js';
import { householdId } from '../../src/graph/household-index.js';
import { LEVELS, type Indicator } from '../../src/rules/index.js';

/** Text with what JSON escapes: quotes, backslashes, control characters, lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('"', '\\', '\n', '\u0000', '\u007f', '\ud800', 'é', '\u2028'),
);
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, NaN, Infinity, 1e21, 5e-7));

const indicator: fc.Arbitrary<Indicator> = fc.record({
  indicatorId: text,
  ruleId: text,
  ruleVersion: number,
  level: fc.constantFrom(...LEVELS),
  householdId: text,
  raisedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  lastFiredAt: text,
  value: number,
  signalIds: fc.array(text, { maxLength: 4 }),
  explanation: text,
});

describe('output lines', () => {
  it('property: an indicator line is JSON.stringify of the indicator with its type first', () => {
    fc.assert(
      fc.property(indicator, (i) => {
        expect([...indicatorLines([i])]).toEqual([JSON.stringify({ type: 'indicator', ...i })]);
      }),
      { numRuns: 2000 },
    );
  });

  it("property: a rule's indicator line is the same, for the household ids and times the radar writes", () => {
    const time = fc
      .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
      .map((d) => d.toISOString());
    const radars = fc.record({ household: fc.string(), raisedAt: time, lastFiredAt: time });
    fc.assert(
      fc.property(indicator, radars, (i, { household, raisedAt, lastFiredAt }) => {
        const written = { ...i, householdId: householdId(household), raisedAt, lastFiredAt };
        const rule = { id: i.ruleId, version: i.ruleVersion, level: i.level };
        expect(ruleIndicatorLine(rule)(written)).toBe(
          JSON.stringify({ type: 'indicator', ...written }),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a household line is JSON.stringify of the household with its type first', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(text, { minLength: 1, maxLength: 4 }),
        number,
        (householdId, signalIds, personCount) => {
          const h = { householdId, signalIds, personCount };
          expect([...householdLines([h])]).toEqual([JSON.stringify({ type: 'household', ...h })]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
