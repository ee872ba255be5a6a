/**
 * The `radar backtest` output of CONTRACT §4, shared by `radar export` so the
 * two can be compared byte for byte.
 */
import type { Radar } from '../engine/index.js';
import type { Household, HouseholdIndex } from '../graph/household-index.js';
import { evaluateAcross, type Indicator } from '../rules/index.js';

export interface HouseholdSummary {
  householdId: string;
  /** Sorted in code-unit order. */
  signalIds: string[];
  personCount: number;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A household as the output (and the store) show it. */
export function householdSummary(index: HouseholdIndex, household: Household): HouseholdSummary {
  return {
    householdId: household.id,
    signalIds: household.signals.map((s) => s.id).sort(byCodeUnits),
    personCount: index.personCount(household),
  };
}

/** Households by smallest signal id, then indicators by rule, raisedAt, id. */
export function* radarOutputLines(
  households: readonly HouseholdSummary[],
  indicators: readonly Indicator[],
): Generator<string> {
  yield* householdLines(households);
  yield* indicatorLines(indicators);
}

/**
 * `radarOutputLines` of a radar's current state, with indicators evaluated
 * rule by rule as they are written: a backtest of millions of signals never
 * holds more than one rule's indicators.
 */
export function* radarStateLines(radar: Radar): Generator<string> {
  yield* householdLines(householdSummaries(radar));
  const { rules, households } = radar.ruleWork();
  for (const rule of rules) yield* indicatorLines(evaluateAcross(rule, households));
}

export function householdSummaries(radar: Radar): HouseholdSummary[] {
  const summaries: HouseholdSummary[] = [];
  for (const household of radar.households.households()) {
    summaries.push(householdSummary(radar.households, household));
  }
  return summaries;
}

export function* householdLines(households: readonly HouseholdSummary[]): Generator<string> {
  const sorted = [...households].sort((a, b) => byCodeUnits(a.signalIds[0]!, b.signalIds[0]!));
  for (const h of sorted) {
    yield JSON.stringify({
      type: 'household',
      householdId: h.householdId,
      signalIds: h.signalIds,
      personCount: h.personCount,
    });
  }
}

/** One rule's or many rules' indicators, by rule, raisedAt, id. */
export function* indicatorLines(indicators: readonly Indicator[]): Generator<string> {
  // Parsed once, not in the comparator: sorting calls it n log n times.
  const sorted = indicators
    .map((indicator) => ({ indicator, raisedAt: Date.parse(indicator.raisedAt) }))
    .sort(
      (a, b) =>
        byCodeUnits(a.indicator.ruleId, b.indicator.ruleId) ||
        a.raisedAt - b.raisedAt ||
        byCodeUnits(a.indicator.indicatorId, b.indicator.indicatorId),
    );
  for (const { indicator: i } of sorted) {
    yield JSON.stringify({
      type: 'indicator',
      indicatorId: i.indicatorId,
      ruleId: i.ruleId,
      ruleVersion: i.ruleVersion,
      level: i.level,
      householdId: i.householdId,
      raisedAt: i.raisedAt,
      lastFiredAt: i.lastFiredAt,
      value: i.value,
      signalIds: i.signalIds,
      explanation: i.explanation,
    });
  }
}
