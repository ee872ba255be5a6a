/**
 * Rules on indicators (Sigma's correlation chaining): `M` is made of the
 * indicators of other rules in the same household, each taken at its
 * raisedAt with its indicatorId as id, and counted as signals are.
 */
import { matchValues } from './filter.js';
import type { Point } from './order.js';
import { onIndicators, type CountedField, type Level, type Match, type Rule } from './types.js';
import {
  eventCount,
  firstSeen,
  spanOf,
  valueCount,
  type FieldReader,
  type PassFactory,
} from './window.js';

/** An indicator as a member of a rule on indicators: `id` its indicatorId, `t` its raisedAt. */
export interface IndicatorPoint extends Point {
  readonly ruleId: string;
  readonly level: Level;
  /** Its `signalIds`, worked out only for an indicator that ends up in a rule's indicator. */
  signalIds(): readonly string[];
}

const FIELDS: Record<'rule' | 'level', FieldReader<IndicatorPoint>> = {
  rule: {
    read: (point) => [point.ruleId],
    describe: (values) => `regel ${values.join(', ')}`,
  },
  level: {
    read: (point) => [point.level],
    describe: (values) => `niveau ${values.join(', ')}`,
  },
};

function fieldOf(field: CountedField, ruleId: string): FieldReader<IndicatorPoint> {
  if (field !== 'rule' && field !== 'level') {
    throw new TypeError(`rule ${ruleId} counts indicators, which have no field ${field}`);
  }
  return FIELDS[field];
}

/**
 * The indicators that count: of the rules the filter names (the evaluator
 * gathers only theirs) and at the levels it names.
 */
function levelFilter(level: Match<Level> | undefined): (point: IndicatorPoint) => boolean {
  if (level === undefined) return () => true;
  const { values, negated } = matchValues(level);
  return (point) => values.includes(point.level) !== negated;
}

export function indicatorPassFactory(rule: Rule): PassFactory<IndicatorPoint> {
  if (!onIndicators(rule.filter)) throw new TypeError(`rule ${rule.id} counts signals`);
  const filter = levelFilter(rule.filter.indicator.level);
  const correlation = rule.correlation;
  switch (correlation.type) {
    case 'event_count':
      return eventCount(filter);
    case 'value_count':
      return valueCount(filter, fieldOf(correlation.field, rule.id));
    case 'first_seen':
      return firstSeen(
        filter,
        fieldOf(correlation.field, rule.id),
        spanOf(correlation.timespan, rule.id),
      );
    default:
      throw new TypeError(`rule ${rule.id} counts indicators and cannot be ${correlation.type}`);
  }
}
