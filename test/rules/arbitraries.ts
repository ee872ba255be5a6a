/**
 * Random valid rules and small households. Values are drawn from narrow
 * ranges on purpose: few days, few ids, birth dates around the 18th and 65th
 * birthdays, timespans of whole days and half days, so that ties in time,
 * window edges and age edges come up in almost every run.
 */
import fc from 'fast-check';
import {
  CONDITION_OPERATORS,
  FILTER_KEYS,
  LEVELS,
  type Condition,
  type Correlation,
  type Filter,
  type FilterKey,
  type Rule,
} from '../../src/rules/index.js';
import { CATEGORIES, SAFETY_LEVELS, type Signal } from '../../src/signals/types.js';
import { at } from '../../src/at.js';

function matchArb<T>(value: fc.Arbitrary<T>) {
  const list = fc.array(value, { minLength: 1, maxLength: 3 });
  return fc.oneof(value, list, fc.record({ not: fc.oneof(value, list) }));
}

const KINDS = ['ADVIESVRAAG', 'MELDING', 'POLITIE'] as const;
const FEW_SOURCES = ['POLITIE', 'HUISARTS', 'ONDERWIJS'] as const;
const FEW_REGIONS = ['VT01', 'VT09'] as const;
const FEW_VIOLENCE = ['LICHAMELIJK', 'PSYCHISCH', 'KIND_GETUIGE'] as const;

const MATCHES: Record<FilterKey, fc.Arbitrary<unknown>> = {
  kind: matchArb(fc.constantFrom(...KINDS)),
  source: matchArb(fc.constantFrom(...FEW_SOURCES)),
  region: matchArb(fc.constantFrom(...FEW_REGIONS)),
  category: matchArb(fc.constantFrom(...CATEGORIES.slice(0, 3))),
  violenceTypes: matchArb(fc.constantFrom(...FEW_VIOLENCE)),
  safety: matchArb(fc.constantFrom(...SAFETY_LEVELS)),
  childrenPresent: matchArb(fc.boolean()),
  substantiated: matchArb(fc.boolean()),
  minorInvolved: matchArb(fc.boolean()),
  elderInvolved: matchArb(fc.boolean()),
};

/** At most two keys, so that filters still match a fair share of signals. */
export const filterArb: fc.Arbitrary<Filter> = fc
  .subarray([...FILTER_KEYS], { maxLength: 2 })
  .chain((keys) => fc.record(Object.fromEntries(keys.map((key) => [key, MATCHES[key]]))))
  .map((filter) => filter as Filter);

const conditionArb = (min: number, max: number): fc.Arbitrary<Condition> =>
  fc
    .uniqueArray(fc.constantFrom(...CONDITION_OPERATORS), { minLength: 1, maxLength: 2 })
    .chain((ops) =>
      fc
        .tuple(...ops.map(() => fc.integer({ min, max })))
        .map((bounds) => Object.fromEntries(ops.map((op, i) => [op, bounds[i]]))),
    );

const timespanArb = fc.constantFrom('0d', '1d', '2d', '3d', '36h', '5d', '2880m', '86400s');

const absentWithinArb = fc.constantFrom('0d', '1d', '2d', '36h', '3d');

const stepsArb = fc
  .array(filterArb, { minLength: 1, maxLength: 3 })
  .map((filters) => filters.map((filter, i) => ({ name: `stap-${i + 1}`, filter })));

export const correlationArb: fc.Arbitrary<Correlation> = fc.oneof(
  fc.record({
    type: fc.constant('event_count' as const),
    timespan: timespanArb,
    condition: conditionArb(0, 5),
  }),
  fc.record({
    type: fc.constant('value_count' as const),
    field: fc.constantFrom(...FILTER_KEYS),
    timespan: timespanArb,
    condition: conditionArb(0, 4),
  }),
  fc.record({
    type: fc.constant('score' as const),
    timespan: timespanArb,
    weights: fc.array(fc.record({ filter: filterArb, score: fc.integer({ min: -3, max: 6 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    condition: conditionArb(-2, 12),
  }),
  fc.record({
    type: fc.constant('temporal' as const),
    timespan: timespanArb,
    steps: stepsArb,
    condition: conditionArb(0, 3),
  }),
  fc.record(
    {
      type: fc.constant('temporal_ordered' as const),
      timespan: timespanArb,
      steps: stepsArb,
      condition: conditionArb(0, 3),
    },
    { requiredKeys: ['type', 'timespan', 'steps'] },
  ),
  fc.record({
    type: fc.constant('temporal_ordered' as const),
    timespan: timespanArb,
    steps: absentStepsArb(),
  }),
  firstSeenArb(fc.constantFrom(...FILTER_KEYS)),
);

/** Steps of which the last is absent: 1 or 2 present steps, then one that must not follow. */
function absentStepsArb() {
  return fc
    .tuple(fc.array(filterArb, { minLength: 1, maxLength: 2 }), filterArb, absentWithinArb)
    .map(([filters, absentFilter, within]) => [
      ...filters.map((filter, i) => ({ name: `stap-${i + 1}`, filter })),
      { name: 'geen-opvolging', absent: true as const, within, filter: absentFilter },
    ]);
}

function firstSeenArb<F extends string>(field: fc.Arbitrary<F>) {
  return fc.record(
    {
      type: fc.constant('first_seen' as const),
      field,
      timespan: timespanArb,
      condition: conditionArb(0, 3),
    },
    { requiredKeys: ['type', 'field', 'timespan'] },
  );
}

export const ruleArb: fc.Arbitrary<Rule> = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9-]{1,24}$/),
    version: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    title: fc.string({ minLength: 1, unit: 'binary' }),
    description: fc.string({ unit: 'binary' }),
    level: fc.constantFrom(...LEVELS),
    filter: filterArb,
    correlation: correlationArb,
  },
  { requiredKeys: ['id', 'version', 'title', 'level', 'correlation'] },
);

const IDS = ['S-1', 'S-2', 'S-9', 'S-10', 'S-a', 'S-B', 'A', 'B', 'C', 'D', 'E', 'F'];
/** Around 2024-01-03 someone born 2006-01-03 turns 18; around 2024-01-05, 1959-01-05 turns 65. */
const BIRTH_DATES = ['2006-01-03', '1959-01-05', '2012-07-01', '1950-02-01'];

const signalFieldsArb = fc.record(
  {
    day: fc.integer({ min: 0, max: 8 }),
    hour: fc.constantFrom(0, 12, 23),
    kind: fc.constantFrom(...KINDS),
    source: fc.constantFrom(...FEW_SOURCES),
    region: fc.constantFrom(...FEW_REGIONS),
    category: fc.constantFrom(...CATEGORIES.slice(0, 3)),
    violenceTypes: fc.subarray([...FEW_VIOLENCE]),
    safety: fc.constantFrom(...SAFETY_LEVELS),
    childrenPresent: fc.boolean(),
    substantiated: fc.boolean(),
    birthDates: fc.subarray(BIRTH_DATES),
  },
  {
    requiredKeys: [
      'day',
      'hour',
      'kind',
      'source',
      'region',
      'violenceTypes',
      'safety',
      'childrenPresent',
      'substantiated',
      'birthDates',
    ],
  },
);

/** One household's signals, ids unique, in generation order. */
export const householdArb: fc.Arbitrary<Signal[]> = fc
  .uniqueArray(fc.constantFrom(...IDS), { maxLength: IDS.length })
  .chain((ids) =>
    fc
      .tuple(...ids.map(() => signalFieldsArb))
      .map((fields) => fields.map((f, i) => toSignal(at(ids, i), f))),
  );

function toSignal(
  id: string,
  f: {
    day: number;
    hour: number;
    kind: Signal['kind'];
    source: NonNullable<Signal['source']>;
    region: string;
    category?: NonNullable<Signal['category']>;
    violenceTypes: Signal['violenceTypes'];
    safety: Signal['safety'];
    childrenPresent: boolean;
    substantiated: boolean;
    birthDates: string[];
  },
): Signal {
  const occurredAt = new Date(Date.UTC(2024, 0, 1 + f.day, f.hour)).toISOString();
  return {
    id,
    kind: f.kind,
    occurredAt,
    receivedAt: occurredAt,
    region: f.region,
    source: f.source,
    ...(f.category !== undefined && { category: f.category }),
    violenceTypes: f.violenceTypes,
    safety: f.safety,
    childrenPresent: f.childrenPresent,
    substantiated: f.substantiated,
    persons: [
      { ref: 'x', role: 'ONBEKEND' },
      ...f.birthDates.map((birthDate, i) => ({
        ref: `p${i}`,
        birthDate,
        role: 'BETROKKENE' as const,
      })),
    ],
    relations: [],
    retracts: [],
  };
}

const SIGNAL_RULE_IDS = ['r1', 'r2', 'r3'];

/**
 * Rulesets of up to three rules on signals and two on indicators, the
 * second of which may count the first: chains, levels and fields drawn so
 * that escalations fire in a fair share of households.
 */
export const chainedRulesetArb: fc.Arbitrary<Rule[]> = fc
  .tuple(
    fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
    fc.array(
      fc.record(
        {
          rule: fc.subarray([...SIGNAL_RULE_IDS, 'e1'], { minLength: 1 }),
          level: matchArb(fc.constantFrom(...LEVELS)),
        },
        { requiredKeys: [] },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    fc.array(indicatorCorrelationArb(), { minLength: 2, maxLength: 2 }),
    fc.array(fc.constantFrom(...LEVELS), { minLength: 2, maxLength: 2 }),
  )
  .map(([signalRules, filters, correlations, levels]) => {
    const base = signalRules.map((rule, i) => ({ ...rule, id: at(SIGNAL_RULE_IDS, i) }));
    const ids = base.map((rule) => rule.id);
    const chained = filters.map((indicator, i): Rule => {
      const named = indicator.rule?.filter((id) => ids.includes(id) || (id === 'e1' && i === 1));
      return {
        id: `e${i + 1}`,
        version: 1,
        title: 'Escalatie',
        level: at(levels, i),
        filter: {
          indicator: {
            ...(named !== undefined && named.length > 0 && { rule: named }),
            ...(indicator.level !== undefined && { level: indicator.level }),
          },
        },
        correlation: at(correlations, i),
      };
    });
    return [...base, ...chained];
  });

function indicatorCorrelationArb(): fc.Arbitrary<Correlation> {
  const field = fc.constantFrom('rule' as const, 'level' as const);
  return fc.oneof(
    fc.record({
      type: fc.constant('event_count' as const),
      timespan: timespanArb,
      condition: conditionArb(0, 3),
    }),
    fc.record({
      type: fc.constant('value_count' as const),
      field,
      timespan: timespanArb,
      condition: conditionArb(0, 3),
    }),
    firstSeenArb(field),
  );
}
