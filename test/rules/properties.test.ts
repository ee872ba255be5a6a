import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileRule,
  parseRules,
  ruleToYaml,
  toRuleInput,
  type Indicator,
} from '../../src/rules/index.js';
import { householdArb, ruleArb } from './arbitraries.js';
import { oracle } from './oracle.js';

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
