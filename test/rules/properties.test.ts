import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileRule,
  compileRuleset,
  parseRules,
  ruleToYaml,
  toRuleInput,
  type Indicator,
} from '../../src/rules/index.js';
import { chainedRulesetArb, householdArb, ruleArb } from './arbitraries.js';
import { oracle, oracleRuleset } from './oracle.js';

const withoutExplanation = (indicators: Indicator[]) =>
  indicators.map(({ explanation: _, ...rest }) => rest);

describe('rule properties', () => {
  it('the sliding evaluator agrees with a literal transcription of the contract', () => {
    fc.assert(
      fc.property(ruleArb, householdArb, (rule, signals) => {
        const actual = compileRule(rule).evaluate(signals.map(toRuleInput), 'H');
        expect(withoutExplanation(actual)).toEqual(oracle(rule, signals, 'H'));
      }),
      { numRuns: 3000 },
    );
  });

  it('the result does not depend on the order signals are passed in', () => {
    const permuted = householdArb.chain((signals) =>
      fc.tuple(
        fc.constant(signals),
        fc.shuffledSubarray(signals, { minLength: signals.length, maxLength: signals.length }),
      ),
    );
    fc.assert(
      fc.property(ruleArb, permuted, (rule, [signals, shuffled]) => {
        const compiled = compileRule(rule);
        expect(compiled.evaluate(shuffled.map(toRuleInput), 'H')).toEqual(
          compiled.evaluate(signals.map(toRuleInput), 'H'),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('ruleToYaml then loading gives an equal rule', () => {
    fc.assert(
      fc.property(ruleArb, (rule) => {
        const text = ruleToYaml(rule);
        expect(parseRules(text, 'roundtrip.yaml').rules).toEqual([rule]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('rule properties: absence, first_seen and rules on indicators', () => {
  it('ruleToYaml then loading gives an equal ruleset, rules on indicators included', () => {
    fc.assert(
      fc.property(chainedRulesetArb, (rules) => {
        const text = rules.map(ruleToYaml).join('---\n');
        expect(parseRules(text, 'roundtrip.yaml').rules).toEqual(rules);
      }),
      { numRuns: 50 },
    );
  });

  it('a ruleset with rules on indicators agrees with a literal transcription, chains included', () => {
    fc.assert(
      fc.property(chainedRulesetArb, householdArb, (rules, signals) => {
        const actual = compileRuleset(rules).evaluate(signals.map(toRuleInput), 'H');
        expect(withoutExplanation(actual)).toEqual(oracleRuleset(rules, signals, 'H'));
      }),
      { numRuns: 1500 },
    );
  });

  it('a late signal changes indicators exactly as if it had always been there, and withdrawing it undoes that', () => {
    const withLate = householdArb.chain((signals) =>
      fc.tuple(fc.constant(signals), fc.nat({ max: Math.max(0, signals.length - 1) })),
    );
    fc.assert(
      fc.property(chainedRulesetArb, withLate, (rules, [signals, late]) => {
        const compiled = compileRuleset(rules);
        const before = signals.filter((_, i) => i !== late);
        // The live radar re-evaluates a household from its current signals: before and after.
        const without = compiled.evaluate(before.map(toRuleInput), 'H');
        const withIt = compiled.evaluate(
          [...before, ...signals.slice(late, late + 1)].map(toRuleInput),
          'H',
        );
        expect(withoutExplanation(withIt)).toEqual(oracleRuleset(rules, signals, 'H'));
        expect(withoutExplanation(without)).toEqual(oracleRuleset(rules, before, 'H'));
      }),
      { numRuns: 500 },
    );
  });

  it('order of the signals and of the rules in the ruleset does not change any rule’s indicators', () => {
    const permuted = householdArb.chain((signals) =>
      fc.tuple(
        fc.constant(signals),
        fc.shuffledSubarray(signals, { minLength: signals.length, maxLength: signals.length }),
      ),
    );
    fc.assert(
      fc.property(chainedRulesetArb, permuted, (rules, [signals, shuffled]) => {
        const byRule = (list: Indicator[]) =>
          [...list].sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : 1));
        expect(
          byRule(compileRuleset([...rules].reverse()).evaluate(shuffled.map(toRuleInput), 'H')),
        ).toEqual(byRule(compileRuleset(rules).evaluate(signals.map(toRuleInput), 'H')));
      }),
      { numRuns: 500 },
    );
  });
});
