/** A household as the backtest output, the store and the events show it. */
import type { Household, HouseholdIndex } from '../graph/household-index.js';

export interface HouseholdSummary {
  householdId: string;
  /** Sorted in code-unit order. */
  signalIds: string[];
  personCount: number;
}

export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The distinct values that are neither undefined nor empty, in code-unit order. */
export function distinctSorted(values: Iterable<string | undefined>): string[] {
  const set = new Set<string>();
  for (const v of values) if (v !== undefined && v !== '') set.add(v);
  return [...set].sort(byCodeUnits);
}

export function householdSummary(index: HouseholdIndex, household: Household): HouseholdSummary {
  return {
    householdId: household.id,
    signalIds: household.signals.map((s) => s.id).sort(byCodeUnits),
    personCount: index.personCount(household),
  };
}
