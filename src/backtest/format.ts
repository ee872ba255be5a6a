/**
 * The `radar backtest` output of CONTRACT §4, shared by `radar export` so the
 * two can be compared byte for byte.
 */
import type { Radar } from '../engine/index.js';
import { byCodeUnits, type HouseholdSummary } from '../engine/household-summary.js';
import { evaluateAcross, type Indicator } from '../rules/index.js';

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
  yield* householdLines(radar.householdSummaries());
  const { rules, households } = radar.ruleWork();
  for (const rule of rules) yield* indicatorLines(evaluateAcross(rule, households));
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
