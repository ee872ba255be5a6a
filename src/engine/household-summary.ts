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

export function householdSummary(index: HouseholdIndex, household: Household): HouseholdSummary {
  return {
    householdId: household.id,
    signalIds: household.signals.map((s) => s.id).sort(byCodeUnits),
    personCount: index.personCount(household),
  };
}
