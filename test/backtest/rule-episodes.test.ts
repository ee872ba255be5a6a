/**
 * The backtest's two passes over packed households: episodes found in any
 * split of the households between threads must make exactly the lines that
 * evaluating each rule across every household and sorting writes.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { indicatorLines } from '../../src/backtest/format.js';
import {
  EpisodeFinder,
  PART_INDICATORS,
  PartLines,
  RuleEpisodes,
  inWriteOrder,
  lineParts,
} from '../../src/backtest/rule-episodes.js';
import { SHIPPED_RULES } from '../../src/config/config.js';
import { Radar } from '../../src/engine/index.js';
import {
  evaluateAcross,
  loadRuleset,
  type CompiledRule,
  type RuleInput,
} from '../../src/rules/index.js';
import {
  packHouseholds,
  packedId,
  unpackHouseholds,
  type PackedHouseholds,
} from '../../src/rules/packed-households.js';
import { decodeJson } from '../../src/signals/index.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { memoryWriter } from '../helpers/written.js';

/** A rule input whose id and time a test sets. */
const sampleInput: RuleInput = {
  id: 'S-0',
  t: 0,
  kind: 'MELDING',
  source: undefined,
  region: undefined,
  category: undefined,
  safety: 'ONBEKEND',
  childrenPresent: false,
  substantiated: true,
  violenceTypes: [],
  minorInvolved: false,
  elderInvolved: false,
};

let rules: CompiledRule[];
let packed: PackedHouseholds;
let expected: string[][];

beforeAll(async () => {
  const radar = new Radar({ ruleset: await loadRuleset(SHIPPED_RULES), formOnce: true });
  for (const line of generateSignalLines({ count: 4000, seed: 5, malformed: 0 })) {
    radar.ingest(decodeJson(line).signal);
  }
  radar.settle();
  ({ rules, households: packed } = radar.packedRuleWork());
  const households = unpackHouseholds(packed);
  expected = rules.map((rule) => [...indicatorLines(evaluateAcross(rule, households))]);
});

describe('RuleEpisodes', () => {
  it('writes what evaluating across every household writes, from one thread', () => {
    const finder = new EpisodeFinder(rules, packed);
    finder.find(0, packed.householdIds.length);
    const lists = finder.finish();
    expect(expected.filter((lines) => lines.length > 1).length).toBeGreaterThan(3);
    rules.forEach((rule, r) => {
      expect([...new RuleEpisodes(rule, packed, [lists[r]!]).lines()]).toEqual(expected[r]);
    });
  });

  it('property: households split between finders in any way give the same lines', () => {
    const count = packed.householdIds.length;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: count }), { maxLength: 4 }), (cuts) => {
        const bounds = [0, ...cuts.sort((a, b) => a - b), count];
        const finders = bounds.slice(1).map((to, k) => {
          const finder = new EpisodeFinder(rules, packed);
          finder.find(bounds[k]!, to);
          return finder.finish();
        });
        // Lists in reverse, so that the merge cannot rely on coming in household order.
        finders.reverse();
        rules.forEach((rule, r) => {
          const lists = finders.map((lists) => lists[r]!);
          expect([...new RuleEpisodes(rule, packed, lists).lines()]).toEqual(expected[r]);
        });
      }),
      { numRuns: 20 },
    );
  });
});

describe('PartLines', () => {
  it('makes in parts, in any order, what the rules make whole', () => {
    const finder = new EpisodeFinder(rules, packed);
    finder.find(0, packed.householdIds.length);
    const lists = [finder.finish()];
    const parts = lineParts(lists, rules.length, 40);
    expect(parts.length).toBeGreaterThan(2 * rules.length);
    expect(parts.every(({ from, to }) => to - from <= 40 && to > from)).toBe(true);
    expect(lineParts(lists, rules.length).every(({ from }) => from % PART_INDICATORS === 0)).toBe(
      true,
    );
    // From the last part down, switching rules as it goes: any order a thread claims them in.
    const made = new PartLines(rules, packed, lists);
    const texts = parts.map(() => '');
    for (let i = parts.length - 1; i >= 0; i--) {
      const { writer, text } = memoryWriter();
      made.write(parts[i]!, writer);
      texts[i] = text();
    }
    expect(texts.join('')).toEqual(
      expected
        .flat()
        .map((line) => `${line}\n`)
        .join(''),
    );
  });
});

describe('inWriteOrder', () => {
  it('property: orders inputs by time, then by id in code-unit order, as a comparator sort does', () => {
    const ids = fc.stringMatching(/^[A-Za-z0-9-]{1,6}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(ids, { minLength: 1, maxLength: 60 }),
        fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(2 ** 40 + 7)), {
          minLength: 60,
          maxLength: 60,
        }),
        (signalIds, times) => {
          const n = signalIds.length;
          const packed = packHouseholds([
            {
              id: 'H-1',
              inputs: signalIds.map((id, i) => ({ ...sampleInput, id, t: times[i]! * 86_400_000 })),
            },
          ]);
          // Entries in reverse, so that entry order is not the answer.
          const inputs = Int32Array.from({ length: n }, (_, e) => n - 1 - e);
          const expected = [...inputs.keys()].sort((a, b) => {
            const [ta, tb] = [packed.t[inputs[a]!]!, packed.t[inputs[b]!]!];
            const [ia, ib] = [packedId(packed, inputs[a]!), packedId(packed, inputs[b]!)];
            return ta - tb || (ia < ib ? -1 : ia > ib ? 1 : 0);
          });
          expect([...inWriteOrder(packed, inputs)]).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
