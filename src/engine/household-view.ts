/** A household as the API reads it: built where the household is formed, stored beside it. */
import type { Household, Person } from '../graph/household-index.js';
import type { Indicator } from '../rules/index.js';
import { byCodeUnits, distinctSorted, type HouseholdSummary } from './household-summary.js';

/**
 * A household as the API shows it, kept beside its summary so that a call
 * reads one value instead of the household's signals and persons. The
 * store indexes it by BSN, address key, region, indicator level and rule.
 */
export interface HouseholdView {
  householdId: string;
  smallestSignalId: string;
  /** Sorted in code-unit order. */
  signalIds: string[];
  /** The distinct regions of its signals, sorted: need to know is decided on them. */
  regions: string[];
  /** The distinct valid BSNs of its persons, sorted. */
  bsns: string[];
  /** The distinct address keys of its signals, sorted. */
  addressKeys: string[];
  /** The latest `occurredAt` of its signals, epoch milliseconds. */
  lastSignalAt: number;
  /** Its persons, by id, each with the person records (`signalId`, `ref`) resolved to it. */
  persons: { personId: string; records: [signalId: string, ref: string][] }[];
  /** Its current indicators' distinct levels and rule ids, sorted, and how many there are. */
  indicatorLevels: string[];
  indicatorRules: string[];
  activeIndicatorCount: number;
}

/**
 * The view of a household, from its signals, its resolved persons, the
 * region of each of its signals and its current indicators.
 */
export function householdView(
  household: Household,
  persons: Iterable<Person>,
  regionOf: (signalId: string) => string | undefined,
  indicators: readonly Indicator[],
): HouseholdView {
  const { signals } = household;
  const people = [...persons].map((person) => ({
    personId: person.id,
    records: person.records
      .map((r): [string, string] => [r.signal.id, r.ref])
      .sort((a, b) => byCodeUnits(a[0], b[0]) || byCodeUnits(a[1], b[1])),
  }));
  people.sort((a, b) => byCodeUnits(a.personId, b.personId));
  let lastSignalAt = -Infinity;
  for (const s of signals) if (s.t > lastSignalAt) lastSignalAt = s.t;
  return {
    householdId: household.id,
    smallestSignalId: household.smallestSignalId,
    signalIds: signals.map((s) => s.id).sort(byCodeUnits),
    regions: distinctSorted(signals.map((s) => regionOf(s.id))),
    bsns: distinctSorted(signals.flatMap((s) => s.records.map((r) => r.bsn))),
    addressKeys: distinctSorted(signals.map((s) => s.addressKey)),
    lastSignalAt,
    persons: people,
    indicatorLevels: distinctSorted(indicators.map((i) => i.level)),
    indicatorRules: distinctSorted(indicators.map((i) => i.ruleId)),
    activeIndicatorCount: indicators.length,
  };
}

/** The household as the backtest output shows it, read off its view. */
export function viewSummary(view: HouseholdView): HouseholdSummary {
  return {
    householdId: view.householdId,
    signalIds: view.signalIds,
    personCount: view.persons.length,
  };
}
