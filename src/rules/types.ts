/**
 * A correlation rule as analysts write it (CONTRACT §3). Rules are plain data:
 * what the loader returns is exactly what the YAML said — no defaults filled
 * in — so `ruleToYaml` and loading again give an equal rule.
 */
import type { Category, Safety, SignalKind, Source, ViolenceType } from '../signals/types.js';

export const LEVELS = ['laag', 'midden', 'hoog', 'kritiek'] as const;
export type Level = (typeof LEVELS)[number];

/** A scalar means equals, a list means any of, `{ not: X }` means none of X. */
export type Match<T> = T | T[] | { not: T | T[] };

export interface Filter {
  kind?: Match<SignalKind>;
  source?: Match<Source>;
  region?: Match<string>;
  category?: Match<Category>;
  violenceTypes?: Match<ViolenceType>;
  safety?: Match<Safety>;
  childrenPresent?: Match<boolean>;
  substantiated?: Match<boolean>;
  /** Derived: a person younger than 18 on the UTC calendar date of `occurredAt`. */
  minorInvolved?: Match<boolean>;
  /** Derived: a person aged 65 or more on the UTC calendar date of `occurredAt`. */
  elderInvolved?: Match<boolean>;
}
export type FilterKey = keyof Filter;

export const FILTER_KEYS = [
  'kind',
  'source',
  'region',
  'category',
  'violenceTypes',
  'safety',
  'childrenPresent',
  'substantiated',
  'minorInvolved',
  'elderInvolved',
] as const satisfies readonly FilterKey[];

export const CONDITION_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];
/** Several operators are ANDed. */
export type Condition = Partial<Record<ConditionOperator, number>>;

export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'score',
  'temporal',
  'temporal_ordered',
  'first_seen',
] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

interface CorrelationBase {
  /** `<integer><s|m|h|d>`, e.g. `365d`. */
  timespan: string;
}

export interface EventCountCorrelation extends CorrelationBase {
  type: 'event_count';
  condition: Condition;
}

/** What a rule on indicators counts distinct values of: the indicators' rule ids or levels. */
export const INDICATOR_FIELDS = ['rule', 'level'] as const;
export type IndicatorField = (typeof INDICATOR_FIELDS)[number];

/** A filter key for a rule on signals, an indicator field for a rule on indicators. */
export type CountedField = FilterKey | IndicatorField;

export interface ValueCountCorrelation extends CorrelationBase {
  type: 'value_count';
  field: CountedField;
  condition: Condition;
}

export interface Weight {
  filter: Filter;
  /** An integer, so that sums over a window are exact. */
  score: number;
}

export interface ScoreCorrelation extends CorrelationBase {
  type: 'score';
  weights: Weight[];
  condition: Condition;
}

export interface Step {
  name: string;
  filter: Filter;
  /**
   * Only on the last step of a `temporal_ordered` rule: the step before it
   * is *not* followed within `within` by a signal matching `filter`.
   */
  absent?: true;
  /** With `absent`: how long the absence must last, a timespan. */
  within?: string;
}

export interface TemporalCorrelation extends CorrelationBase {
  type: 'temporal';
  steps: Step[];
  condition: Condition;
}

export interface TemporalOrderedCorrelation extends CorrelationBase {
  type: 'temporal_ordered';
  steps: Step[];
  /** Optional; evaluation defaults it to `{ eq: steps.length }`. */
  condition?: Condition;
}

/** The value at a signal is how many of its values of `field` no earlier member of its window has. */
export interface FirstSeenCorrelation extends CorrelationBase {
  type: 'first_seen';
  field: CountedField;
  /** Optional; evaluation defaults it to `{ gte: 1 }`. */
  condition?: Condition;
}

export type Correlation =
  | EventCountCorrelation
  | ValueCountCorrelation
  | ScoreCorrelation
  | TemporalCorrelation
  | TemporalOrderedCorrelation
  | FirstSeenCorrelation;

/**
 * The filter of a rule on indicators: which indicators of other rules of the
 * same household count, instead of signals. Omitting `rule` means every rule
 * on signals, so that only rules named explicitly can form a cycle.
 */
export interface IndicatorFilter {
  rule?: string | string[];
  level?: Match<Level>;
}

export interface OnIndicators {
  indicator: IndicatorFilter;
}

export interface Rule {
  /** `[a-z0-9-]+`, unique in the ruleset. */
  id: string;
  /** Positive integer, bumped on every change. */
  version: number;
  title: string;
  description?: string;
  level: Level;
  /** Which signals count, omitted meaning all; or, with `indicator`, which indicators of other rules. */
  filter?: Filter | OnIndicators;
  correlation: Correlation;
}

/** Whether a rule's filter selects indicators of other rules rather than signals. */
export function onIndicators(filter: Rule['filter']): filter is OnIndicators {
  return filter !== undefined && 'indicator' in filter;
}

/** Where a rule came from, so an API can show the analyst's own text. */
export interface RuleSource {
  file: string;
  /** 1-based line of the document's first line in `file`. */
  line: number;
  /** The YAML document as written, comments included. */
  text: string;
}

/** Rules with unique ids, in file order (files sorted by name), each with its source. */
export interface Ruleset {
  readonly rules: readonly Rule[];
  /** Keyed by rule id. */
  readonly sources: ReadonlyMap<string, RuleSource>;
}

/** One episode of a rule firing for one household: CONTRACT §4's indicator line without `type`. */
export interface Indicator {
  indicatorId: string;
  ruleId: string;
  ruleVersion: number;
  level: Level;
  householdId: string;
  /** ISO 8601 UTC with milliseconds, `new Date(ms).toISOString()`. */
  raisedAt: string;
  lastFiredAt: string;
  value: number;
  /** Sorted in code-unit order. */
  signalIds: string[];
  /** Dutch, for a Veilig Thuis professional; never personal data. */
  explanation: string;
}
