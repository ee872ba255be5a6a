/**
 * Backtest equals live for absent steps, first_seen and rules on
 * indicators: the backtest's two passes over packed households, with the
 * households split between threads in any way, write exactly the lines of
 * evaluating every rule household by household, as the live radar does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indicatorLines } from '../../src/backtest/format.js';
import { EpisodeFinder, RuleEpisodes } from '../../src/backtest/rule-episodes.js';
import {
  compareRuleInputs,
  compileRuleset,
  evaluateAcross,
  toRuleInput,
  type HouseholdInputs,
} from '../../src/rules/index.js';
import { packHouseholds } from '../../src/rules/packed-households.js';
import { chainedRulesetArb, householdArb } from '../rules/arbitraries.js';

/** Up to five households, signal ids made unique across them by a prefix that keeps their order. */
const householdsArb = fc.array(householdArb, { minLength: 1, maxLength: 5 }).map((households) =>
  households.map((signals, h): HouseholdInputs => ({
    id: `H-${h}`,
    inputs: signals
      .map((signal) => toRuleInput({ ...signal, id: `${h}${signal.id}` }))
      .sort(compareRuleInputs),
  })),
);

describe('backtest equals live for the richer rule language', () => {
  it('property: episodes found in any split of the households make the lines live evaluation makes', () => {
    let chainedLines = 0;
    fc.assert(
      fc.property(chainedRulesetArb, householdsArb, fc.nat(), (ruleset, households, cut) => {
        const { rules } = compileRuleset(ruleset);
        const packed = packHouseholds(households);
        const split = cut % (households.length + 1);
        const lists = [
          [0, split],
          [split, households.length],
        ].map(([from, to]) => {
          const finder = new EpisodeFinder(rules, packed);
          finder.find(from!, to!);
          return finder.finish();
        });
        rules.forEach((rule, r) => {
          const live = [...indicatorLines(evaluateAcross(rule, households))];
          const backtest = [
            ...new RuleEpisodes(
              rule,
              packed,
              lists.map((list) => list[r]!),
            ).lines(),
          ];
          expect(backtest).toEqual(live);
          if (rule.onIndicators) chainedLines += live.length;
        });
      }),
      { numRuns: 300 },
    );
    // The property must have seen rules on indicators fire, not only agree on nothing.
    expect(chainedLines).toBeGreaterThan(50);
  });
});
