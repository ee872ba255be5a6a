/**
 * Validation of absent steps, first_seen and rules on indicators: each
 * problem at file:line:col with its dotted key and a stable code.
 */
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/rules/index.js';
import { issuesOf } from './support.js';

const HEAD = (id = 'r1') => `id: ${id}
version: 1
title: Test
level: hoog
`;

const ABSENCE = `correlation:
  type: temporal_ordered
  timespan: 30d
  steps:
    - name: politie
      filter: { kind: POLITIE }
    - name: geen-melding
      absent: true
      within: 30d
      filter: { kind: MELDING }
`;

const ESCALATION = (id: string, rules: string) => `${HEAD(id)}filter:
  indicator:
    rule: ${rules}
    level: hoog
correlation:
  type: value_count
  field: rule
  timespan: 180d
  condition: { gte: 2 }
`;

const SIGNAL_RULE = (id: string) => `${HEAD(id)}correlation:
  type: event_count
  timespan: 30d
  condition: { gte: 2 }
`;

describe('absent steps', () => {
  it('accept an absent last step after a present one', () => {
    const [rule] = parseRules(HEAD() + ABSENCE, 'r.yaml').rules;
    expect(rule?.correlation).toMatchObject({ steps: [{}, { absent: true, within: '30d' }] });
  });

  it('refuse an absent step that is not the last', () => {
    const text =
      HEAD() +
      ABSENCE.replace(
        '    - name: politie\n',
        '    - name: politie\n      absent: true\n      within: 5d\n',
      );
    const issues = issuesOf(text);
    expect(issues).toContainEqual(
      expect.objectContaining({
        line: 10,
        col: 7,
        key: 'correlation.steps[0].absent',
        code: 'ABSENT_NOT_LAST',
      }),
    );
  });

  it('refuse an absent step in an unordered temporal rule', () => {
    const text =
      HEAD() +
      ABSENCE.replace('temporal_ordered', 'temporal').replace(
        '  steps:',
        '  condition: { gte: 1 }\n  steps:',
      );
    expect(issuesOf(text)).toEqual([
      expect.objectContaining({
        line: 13,
        col: 7,
        key: 'correlation.steps[1].absent',
        code: 'ABSENT_NOT_ORDERED',
      }),
    ]);
  });

  it('refuse an absent step with nothing before it', () => {
    const text =
      HEAD() + ABSENCE.replace('    - name: politie\n      filter: { kind: POLITIE }\n', '');
    expect(issuesOf(text)).toEqual([
      expect.objectContaining({
        line: 10,
        col: 7,
        key: 'correlation.steps[0].absent',
        code: 'ABSENT_ONLY_STEP',
      }),
    ]);
  });

  it('refuse a condition beside an absent step', () => {
    const text = HEAD() + ABSENCE.replace('  steps:', '  condition: { eq: 2 }\n  steps:');
    expect(issuesOf(text)).toEqual([
      expect.objectContaining({
        line: 8,
        col: 3,
        key: 'correlation.condition',
        code: 'ABSENT_WITH_CONDITION',
      }),
    ]);
  });

  it('need within beside absent, and a timespan in it', () => {
    const without = issuesOf(HEAD() + ABSENCE.replace('      within: 30d\n', ''));
    expect(without).toEqual([
      expect.objectContaining({
        line: 12,
        col: 7,
        key: 'correlation.steps[1].absent',
        code: 'MISSING_KEY',
      }),
    ]);
    expect(without[0]?.message).toBe("'absent' needs 'within' beside it");
    expect(issuesOf(HEAD() + ABSENCE.replace('within: 30d', 'within: 30 dagen'))).toEqual([
      expect.objectContaining({
        line: 13,
        col: 15,
        key: 'correlation.steps[1].within',
        code: 'BAD_FORM',
      }),
    ]);
    expect(issuesOf(HEAD() + ABSENCE.replace('absent: true', 'absent: false'))).toEqual([
      expect.objectContaining({
        line: 12,
        col: 15,
        key: 'correlation.steps[1].absent',
        code: 'WRONG_VALUE',
      }),
    ]);
  });
});

describe('first_seen', () => {
  const FIRST_SEEN = `correlation:
  type: first_seen
  field: source
  timespan: 730d
`;

  it('accepts a field and a lookback, the condition optional', () => {
    expect(parseRules(HEAD() + FIRST_SEEN, 'r.yaml').rules).toHaveLength(1);
  });

  it('needs a field', () => {
    expect(issuesOf(HEAD() + FIRST_SEEN.replace('  field: source\n', ''))).toEqual([
      expect.objectContaining({ line: 5, col: 1, key: 'correlation.field', code: 'MISSING_KEY' }),
    ]);
  });

  it('refuses a field of indicators on a rule on signals, and an unknown field', () => {
    expect(issuesOf(HEAD() + FIRST_SEEN.replace('field: source', 'field: rule'))).toEqual([
      expect.objectContaining({
        line: 7,
        col: 10,
        key: 'correlation.field',
        code: 'INDICATOR_FIELD_ON_SIGNALS',
      }),
    ]);
    expect(issuesOf(HEAD() + FIRST_SEEN.replace('field: source', 'field: bron'))).toEqual([
      expect.objectContaining({
        line: 7,
        col: 10,
        key: 'correlation.field',
        code: 'UNKNOWN_VALUE',
      }),
    ]);
  });
});

describe('rules on indicators', () => {
  const rules = (...docs: string[]) => docs.join('---\n');

  it('accept an escalation over named rules', () => {
    const ruleset = parseRules(
      rules(SIGNAL_RULE('a'), SIGNAL_RULE('b'), ESCALATION('e', '[a, b]')),
      'r.yaml',
    );
    expect(ruleset.rules.map((r) => r.id)).toEqual(['a', 'b', 'e']);
  });

  it('refuse a rule that does not exist, at its name', () => {
    const issues = issuesOf(rules(SIGNAL_RULE('a'), ESCALATION('e', '[a, onbekend]')));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 16,
        col: 15,
        key: 'filter.indicator.rule[1]',
        code: 'UNKNOWN_RULE',
      }),
    ]);
    expect(issues[0]?.message).toBe("no rule 'onbekend' in the ruleset");
  });

  it('report a named rule that is invalid by its own issues, not as unknown', () => {
    const broken = SIGNAL_RULE('a').replace('gte: 2', 'gte: twee');
    expect(issuesOf(rules(broken, ESCALATION('e', '[a]'))).map((i) => i.code)).toEqual([
      'WRONG_TYPE',
    ]);
  });

  it('refuse a cycle, once, naming every rule on it', () => {
    const issues = issuesOf(
      rules(
        ESCALATION('x', '[y]'),
        SIGNAL_RULE('a'),
        ESCALATION('y', '[a, z]'),
        ESCALATION('z', 'x'),
      ),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 7,
        col: 12,
        key: 'filter.indicator.rule[0]',
        code: 'RULE_CYCLE',
      }),
    ]);
    expect(issues[0]?.message).toBe('rules on indicators form a cycle: x -> y -> z -> x');
  });

  it('refuse a rule that counts its own indicators', () => {
    const issues = issuesOf(ESCALATION('e', 'e'));
    expect(issues).toEqual([
      expect.objectContaining({
        line: 7,
        col: 11,
        key: 'filter.indicator.rule',
        code: 'RULE_CYCLE',
      }),
    ]);
    expect(issues[0]?.message).toBe('rules on indicators form a cycle: e -> e');
  });

  it('refuse signal keys beside indicator, signal fields and signal-only types', () => {
    const mixed = ESCALATION('e', 'a').replace('filter:\n', 'filter:\n  kind: MELDING\n');
    expect(issuesOf(rules(SIGNAL_RULE('a'), mixed))).toEqual([
      expect.objectContaining({ line: 15, col: 3, key: 'filter.kind', code: 'UNKNOWN_KEY' }),
    ]);
    const field = ESCALATION('e', 'a').replace('field: rule', 'field: source');
    expect(issuesOf(rules(SIGNAL_RULE('a'), field))).toEqual([
      expect.objectContaining({
        line: 20,
        col: 10,
        key: 'correlation.field',
        code: 'SIGNAL_FIELD_ON_INDICATORS',
      }),
    ]);
    const scored = `${HEAD('e')}filter:
  indicator: { level: hoog }
correlation:
  type: score
  timespan: 30d
  weights: [{ score: 1, filter: {} }]
  condition: { gte: 1 }
`;
    expect(issuesOf(scored)).toEqual([
      expect.objectContaining({
        line: 8,
        col: 9,
        key: 'correlation.type',
        code: 'INDICATOR_RULE_TYPE',
      }),
    ]);
  });

  it('refuse an unknown level; accept an empty indicator filter, which counts every rule on signals', () => {
    expect(
      issuesOf(
        rules(
          SIGNAL_RULE('a'),
          ESCALATION('e', 'a').replace('level: hoog\ncorr', 'level: hogg\ncorr'),
        ),
      ),
    ).toEqual([
      expect.objectContaining({
        line: 17,
        col: 12,
        key: 'filter.indicator.level',
        code: 'UNKNOWN_VALUE',
      }),
    ]);
    const empty = `${HEAD('e')}filter:\n  indicator: {}\ncorrelation:\n  type: event_count\n  timespan: 30d\n  condition: { gte: 2 }\n`;
    expect(parseRules(empty, 'r.yaml').rules).toHaveLength(1);
  });
});
