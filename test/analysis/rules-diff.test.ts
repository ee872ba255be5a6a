/** The diff of two rulesets' indicators, household by household: pure, on indicators made by hand. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  changedFields,
  ruleChanged,
  rulesDiffLines,
  RulesDiffBuilder,
  type RulesDiff,
} from '../../src/analysis/rules-diff.js';
import type { Indicator } from '../../src/rules/index.js';

function indicator(fields: Partial<Indicator> & { indicatorId: string }): Indicator {
  return {
    ruleId: fields.indicatorId.split('/')[0]!,
    ruleVersion: 1,
    level: 'midden',
    householdId: 'H-1',
    raisedAt: '2024-01-05T10:00:00.000Z',
    lastFiredAt: '2024-01-05T10:00:00.000Z',
    value: 2,
    signalIds: ['S-1', 'S-2'],
    explanation: 'Regel',
    ...fields,
  };
}

function diffOf(
  households: [base: Indicator[], candidate: Indicator[]][],
  baseRules = ['a', 'b'],
  candidateRules = ['a', 'b'],
): RulesDiff {
  const builder = new RulesDiffBuilder(baseRules, candidateRules);
  households.forEach(([base, candidate], h) => builder.addHousehold(base, candidate, h));
  return builder.finish();
}

describe('changedFields', () => {
  const base = indicator({ indicatorId: 'a/S-1' });

  it('names level, value, signals and period, and nothing for the version or the explanation', () => {
    expect(changedFields(base, { ...base, ruleVersion: 2, explanation: 'anders' })).toEqual([]);
    expect(changedFields(base, { ...base, level: 'hoog' })).toEqual(['level']);
    expect(changedFields(base, { ...base, value: 3 })).toEqual(['value']);
    expect(changedFields(base, { ...base, signalIds: ['S-1'] })).toEqual(['signals']);
    expect(changedFields(base, { ...base, signalIds: ['S-1', 'S-3'] })).toEqual(['signals']);
    expect(changedFields(base, { ...base, lastFiredAt: '2024-02-01T00:00:00.000Z' })).toEqual([
      'period',
    ]);
    expect(changedFields(base, { ...base, level: 'hoog', value: 9, raisedAt: 'x' })).toEqual([
      'level',
      'value',
      'period',
    ]);
  });
});

describe('RulesDiffBuilder', () => {
  it('sorts each indicator into only in base, only in candidate, changed or unchanged', () => {
    const same = indicator({ indicatorId: 'a/S-1' });
    const gone = indicator({ indicatorId: 'a/S-2', householdId: 'H-2' });
    const grown = indicator({ indicatorId: 'a/S-3', householdId: 'H-2' });
    const fresh = indicator({
      indicatorId: 'a/S-4',
      householdId: 'H-3',
      raisedAt: '2024-03-01T00:00:00.000Z',
    });
    const other = indicator({ indicatorId: 'b/S-1' });
    const diff = diffOf([
      [
        [same, other],
        [same, other],
      ],
      [[gone, grown], [{ ...grown, value: 3, signalIds: ['S-1', 'S-2', 'S-3'] }]],
      [[], [fresh]],
    ]);
    const [a, b] = diff.rules;
    expect(diff.households).toBe(3);
    expect(a!.onlyInBase).toEqual([gone]);
    expect(a!.onlyInCandidate).toEqual([fresh]);
    expect(a!.changed.map((c) => [c.base.indicatorId, c.fields])).toEqual([
      ['a/S-3', ['value', 'signals']],
    ]);
    expect(a!.changedBy).toEqual({ level: 0, value: 1, signals: 1, period: 0 });
    expect(a!.unchanged).toBe(1);
    expect(a!.householdsAffected).toBe(2);
    expect([...a!.months]).toEqual([
      ['2024-01', { base: 3, candidate: 2 }],
      ['2024-03', { base: 0, candidate: 1 }],
    ]);
    expect(ruleChanged(a!)).toBe(true);
    expect(ruleChanged(b!)).toBe(false);
    expect(diff.householdRefs).toEqual(
      new Map([
        ['H-2', 1],
        ['H-3', 2],
      ]),
    );
  });

  it('says which ruleset has a rule, and refuses an indicator of a rule neither has', () => {
    const diff = diffOf([[[indicator({ indicatorId: 'a/S-1' })], []]], ['a', 'b'], ['b', 'c']);
    expect(diff.rules.map((r) => [r.ruleId, r.in])).toEqual([
      ['a', 'base'],
      ['b', 'both'],
      ['c', 'candidate'],
    ]);
    expect(() => diffOf([[[indicator({ indicatorId: 'x/S-1' })], []]])).toThrow(RangeError);
  });

  it('prints a summary line a rule, a line an indicator that changed, and says when a rule did not change', () => {
    const base = indicator({ indicatorId: 'a/S-1' });
    const diff = diffOf([
      [
        [base, indicator({ indicatorId: 'b/S-1' })],
        [
          { ...base, level: 'hoog' },
          indicator({ indicatorId: 'b/S-1' }),
          indicator({ indicatorId: 'a/S-9' }),
        ],
      ],
    ]);
    expect([...rulesDiffLines(diff)]).toEqual([
      'a: 0 only in base, 1 only in candidate, 1 changed (level 1), 0 unchanged; 1 household affected',
      '  + a/S-9 H-1 midden value 2 2024-01-05T10:00:00.000Z..2024-01-05T10:00:00.000Z [S-1,S-2]',
      '  ~ a/S-1 H-1: level midden -> hoog',
      'b: no change (1 indicator unchanged)',
      '2 rules over 1 households: 1 changed, 1 unchanged',
    ]);
  });

  const indicatorsArb = fc
    .uniqueArray(
      fc.record({
        rule: fc.constantFrom('a', 'b'),
        first: fc.integer({ min: 1, max: 6 }),
        value: fc.integer({ min: 1, max: 3 }),
        level: fc.constantFrom('midden' as const, 'hoog' as const),
      }),
      { selector: (i) => `${i.rule}/${i.first}`, maxLength: 8 },
    )
    .map((list) =>
      list.map((i) =>
        indicator({ indicatorId: `${i.rule}/S-${i.first}`, value: i.value, level: i.level }),
      ),
    );

  it('is antisymmetric: swapping base and candidate swaps only-in-base and only-in-candidate', () => {
    fc.assert(
      fc.property(indicatorsArb, indicatorsArb, (base, candidate) => {
        const forward = diffOf([[base, candidate]]);
        const backward = diffOf([[candidate, base]]);
        forward.rules.forEach((rule, r) => {
          const back = backward.rules[r]!;
          expect(back.onlyInBase).toEqual(rule.onlyInCandidate);
          expect(back.onlyInCandidate).toEqual(rule.onlyInBase);
          expect(back.changed.map((c) => [c.candidate, c.base, c.fields])).toEqual(
            rule.changed.map((c) => [c.base, c.candidate, c.fields]),
          );
          expect(back.unchanged).toBe(rule.unchanged);
          expect(back.householdsAffected).toBe(rule.householdsAffected);
        });
      }),
    );
  });

  it('accounts for every indicator of each side exactly once, and finds no change between a list and itself', () => {
    fc.assert(
      fc.property(indicatorsArb, indicatorsArb, (base, candidate) => {
        for (const rule of diffOf([[base, candidate]]).rules) {
          const of = (list: Indicator[]) => list.filter((i) => i.ruleId === rule.ruleId).length;
          expect(rule.onlyInBase.length + rule.changed.length + rule.unchanged).toBe(of(base));
          expect(rule.onlyInCandidate.length + rule.changed.length + rule.unchanged).toBe(
            of(candidate),
          );
        }
        expect(diffOf([[base, base]]).rules.filter(ruleChanged)).toEqual([]);
      }),
    );
  });
});
