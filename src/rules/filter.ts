/**
 * Filters compiled to predicates once per ruleset, so that evaluating a
 * household only calls small closures over precomputed sets.
 */
import { at } from '../at.js';
import type { RuleInput } from './input.js';
import {
  onIndicators,
  type Filter,
  type FilterKey,
  type Match,
  type OnIndicators,
} from './types.js';

export type FieldValue = string | boolean;
export type Predicate = (input: RuleInput) => boolean;

type ScalarKey = Exclude<FilterKey, 'violenceTypes'>;

/** `undefined` is the absent field without a default: it equals no value. */
const READ_SCALAR: Record<ScalarKey, (input: RuleInput) => FieldValue | undefined> = {
  kind: (input) => input.kind,
  source: (input) => input.source,
  region: (input) => input.region,
  category: (input) => input.category,
  safety: (input) => input.safety,
  childrenPresent: (input) => input.childrenPresent,
  substantiated: (input) => input.substantiated,
  minorInvolved: (input) => input.minorInvolved,
  elderInvolved: (input) => input.elderInvolved,
};

/** The values a signal has for a filter key: none when absent, each element for a list field. */
export function readField(input: RuleInput, key: FilterKey): readonly FieldValue[] {
  if (key === 'violenceTypes') return input.violenceTypes;
  const value = READ_SCALAR[key](input);
  return value === undefined ? [] : [value];
}

function isNot<T>(match: Match<T>): match is { not: T | T[] } {
  return typeof match === 'object' && match !== null && !Array.isArray(match);
}

/** The values a match names, and whether it excludes them (`{ not: X }`). */
export function matchValues<T>(match: Match<T>): { values: T[]; negated: boolean } {
  const negated = isNot(match);
  const named = negated ? match.not : match;
  return { values: Array.isArray(named) ? named : [named], negated };
}

/** One filter key: a signal passes when it has a named value, or, negated, when it has none. */
export function compileMatch(key: FilterKey, match: Match<FieldValue>): Predicate {
  const { values, negated } = matchValues(match);
  // Most matches name one value: comparing to it beats a Set lookup.
  const only = values.length === 1 ? values[0] : undefined;
  const wanted = new Set<FieldValue>(values);
  if (key === 'violenceTypes') {
    if (only !== undefined) {
      return (input) => (input.violenceTypes as readonly FieldValue[]).includes(only) !== negated;
    }
    return (input) => {
      for (const value of input.violenceTypes) if (wanted.has(value)) return !negated;
      return negated;
    };
  }
  const read = READ_SCALAR[key];
  if (only !== undefined) return (input) => (read(input) === only) !== negated;
  return (input) => {
    const value = read(input);
    return (value !== undefined && wanted.has(value)) !== negated;
  };
}

/**
 * Keys are ANDed; an omitted or empty filter passes every signal, and the
 * filter of a rule on indicators none (it counts no signal itself). The list
 * of violence types is checked last: it is an object of its own, so reading
 * it costs a trip to memory that a failed scalar check saves.
 */
export function compileFilter(filter: Filter | OnIndicators | undefined): Predicate {
  if (onIndicators(filter)) return () => false;
  const predicates = filterEntries(filter)
    .sort(([a], [b]) => Number(a === 'violenceTypes') - Number(b === 'violenceTypes'))
    .map(([key, match]) => compileMatch(key, match));
  if (predicates.length === 0) return () => true;
  if (predicates.length === 1) return at(predicates, 0);
  return (input) => {
    for (const predicate of predicates) if (!predicate(input)) return false;
    return true;
  };
}

export function filterEntries(filter: Filter | undefined): [FilterKey, Match<FieldValue>][] {
  return filter === undefined ? [] : (Object.entries(filter) as [FilterKey, Match<FieldValue>][]);
}
