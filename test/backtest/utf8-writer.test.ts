/** Bytes written straight into buffers must be the bytes the strings they stand for encode to. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleIndicatorLine } from '../../src/backtest/format.js';
import { ruleIndicatorWriter } from '../../src/backtest/indicator-bytes.js';
import { householdId } from '../../src/graph/household-index.js';
import { LEVELS, type Indicator } from '../../src/rules/index.js';
import { encoded } from '../../src/backtest/utf8-writer.js';
import { memoryWriter } from '../helpers/written.js';

/** Text with what UTF-8 and JSON treat apart: quotes, backslashes, control characters, wide and lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\ud800', '\udc00x', '😀', 'é'),
);
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 1e21, 5e-7, -2147483648, 2147483647, 2 ** 31),
);
/** Buffers from the smallest a writer takes, so that values cross their ends. */
const size = fc.integer({ min: 6, max: 80 });

describe('Utf8Writer', () => {
  it('property: text is written as Buffer.from writes it', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), size, (texts, n) => {
        const { writer, bytes } = memoryWriter(n);
        for (const t of texts) writer.text(t);
        // Each on its own: a pair split between two texts is two lone surrogates.
        expect(bytes()).toEqual(Buffer.concat(texts.map((t) => Buffer.from(t))));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: text encoded once is written as it was encoded', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), size, (texts, n) => {
        const { writer, bytes } = memoryWriter(n);
        for (const t of texts) writer.raw(encoded(t));
        expect(bytes()).toEqual(Buffer.concat(texts.map((t) => Buffer.from(t))));
      }),
      { numRuns: 1000 },
    );
  });

  it('property: a JSON string or number is written as JSON.stringify writes it', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(text, number), { maxLength: 6 }), size, (values, n) => {
        const { writer, bytes } = memoryWriter(n);
        for (const v of values) {
          if (typeof v === 'string') writer.jsonString(v);
          else writer.jsonNumber(v);
        }
        expect(bytes()).toEqual(Buffer.from(values.map((v) => JSON.stringify(v)).join('')));
      }),
      { numRuns: 2000 },
    );
  });

  it('hands over each buffer once filled, and nothing when there is nothing to flush', () => {
    const { writer, bytes } = memoryWriter(8);
    writer.flush();
    expect(bytes()).toEqual(Buffer.alloc(0));
    writer.text('é'.repeat(10));
    expect(bytes().toString()).toBe('é'.repeat(10));
  });
});

describe('ruleIndicatorWriter', () => {
  it("property: writes a rule's indicator line, newline and all, as ruleIndicatorLine makes it", () => {
    const time = fc
      .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
      .map((d) => d.toISOString());
    const indicator: fc.Arbitrary<Indicator> = fc.record({
      indicatorId: text,
      ruleId: text,
      ruleVersion: number,
      level: fc.constantFrom(...LEVELS),
      householdId: fc.string().map(householdId),
      raisedAt: time,
      lastFiredAt: time,
      value: number,
      signalIds: fc.array(text, { maxLength: 4 }),
      explanation: text,
    });
    fc.assert(
      fc.property(fc.array(indicator, { minLength: 1, maxLength: 3 }), size, (indicators, n) => {
        const [first] = indicators;
        const rule = { id: first!.ruleId, version: first!.ruleVersion, level: first!.level };
        const { writer, bytes } = memoryWriter(n);
        const write = ruleIndicatorWriter(rule);
        for (const i of indicators) write(writer, i);
        const line = ruleIndicatorLine(rule);
        expect(bytes()).toEqual(Buffer.from(indicators.map((i) => `${line(i)}\n`).join('')));
      }),
      { numRuns: 2000 },
    );
  });
});
