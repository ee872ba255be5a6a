/** Small builders for rule tests: signals with contract defaults, and instants by day number. */
import { RuleValidationError, type RuleIssue } from '../../src/errors.js';
import { parseRules, toRuleInput, type RuleInput, type Rule } from '../../src/rules/index.js';
import type { Signal } from '../../src/signals/types.js';
import { at } from '../../src/at.js';

const BASE = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

/** `2024-01-01T10:00:00.000Z` plus `days` days (fractions allowed). */
export function day(days: number): string {
  return new Date(BASE + 10 * 3_600_000 + Math.round(days * DAY)).toISOString();
}

/** A signal as the decoder would produce it, with the contract's defaults. */
export function signal(fields: Partial<Signal> & { id: string; occurredAt: string }): Signal {
  return {
    kind: 'MELDING',
    receivedAt: fields.occurredAt,
    region: 'VT09',
    source: 'HUISARTS',
    violenceTypes: [],
    safety: 'ONBEKEND',
    childrenPresent: false,
    substantiated: true,
    persons: [{ ref: 'a', role: 'ONBEKEND' }],
    relations: [],
    retracts: [],
    ...fields,
  };
}

export function input(fields: Partial<Signal> & { id: string; occurredAt: string }): RuleInput {
  return toRuleInput(signal(fields));
}

export function onlyRule(yaml: string): Rule {
  const { rules } = parseRules(yaml, 'test.yaml');
  if (rules.length !== 1) throw new Error(`expected one rule, got ${rules.length}`);
  return at(rules, 0);
}

/** The issues a ruleset text raises; fails the test when it loads cleanly. */
export function issuesOf(text: string, file = 'r.yaml'): RuleIssue[] {
  try {
    parseRules(text, file);
  } catch (error) {
    if (error instanceof RuleValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected the ruleset to be rejected');
}
