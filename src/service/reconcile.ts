/**
 * At start the service rebuilds its radar from the stored signals; the
 * radar is a pure function of them and the rules. The households and
 * indicators stored beside them are what an earlier run computed, which is
 * the same after a plain restart, but not after a changed ruleset or an
 * upgrade that reads signals differently (a contract that normalises names
 * anew). This makes the stored state what the rebuilt radar says, with
 * indicator events for every indicator that changed, as any batch would.
 */
import { householdSummary, type HouseholdSummary } from '../engine/household-summary.js';
import { sameIndicator, type Household, type Radar } from '../engine/index.js';
import type { Indicator } from '../rules/index.js';
import type { RadarStore, StateBatch, StoredEvent } from '../store/index.js';

/** The write that makes the store agree with the radar; undefined when it already does. */
export async function reconcileWithRadar(
  radar: Radar,
  store: RadarStore,
  now = new Date(),
): Promise<StateBatch | undefined> {
  const storedIndicators = new Map<string, Indicator>();
  for await (const indicator of store.indicators())
    storedIndicators.set(indicator.indicatorId, indicator);
  const events: StoredEvent[] = [];
  let sequence = await store.lastSequence();
  const event = (type: StoredEvent['type'], indicator: Indicator): void => {
    events.push({ sequence: ++sequence, type, indicator, recordedAt: now.toISOString() });
  };
  /** Households whose indicators changed: their views list their levels and rules. */
  const reindexed = new Set<string>();
  for (const indicator of radar.indicators()) {
    const before = storedIndicators.get(indicator.indicatorId);
    storedIndicators.delete(indicator.indicatorId);
    if (before !== undefined && sameIndicator(before, indicator)) continue;
    event(before === undefined ? 'RAISED' : 'UPDATED', indicator);
    reindexed.add(indicator.householdId);
  }
  for (const gone of storedIndicators.values()) {
    event('WITHDRAWN', gone);
    reindexed.add(gone.householdId);
  }

  const storedHouseholds = new Map<string, string>();
  for await (const summary of store.households())
    storedHouseholds.set(summary.householdId, JSON.stringify(summary));
  const noViews = !(await hasAny(store.householdIds()));
  const householdsPut: HouseholdSummary[] = [];
  const changed: Household[] = [];
  for (const household of radar.households.households()) {
    const summary = householdSummary(radar.households, household);
    const before = storedHouseholds.get(summary.householdId);
    storedHouseholds.delete(summary.householdId);
    const same = before === JSON.stringify(summary);
    if (!same) householdsPut.push(summary);
    if (!same || noViews || reindexed.has(summary.householdId)) changed.push(household);
  }
  const householdsDeleted = [...storedHouseholds.keys()];
  if (events.length === 0 && changed.length === 0 && householdsDeleted.length === 0)
    return undefined;
  return {
    householdsPut,
    householdsDeleted,
    householdViews: changed.map((household) => radar.householdView(household)),
    events,
  };
}

async function hasAny(items: AsyncIterable<unknown>): Promise<boolean> {
  const iterator = items[Symbol.asyncIterator]();
  try {
    return (await iterator.next()).done !== true;
  } finally {
    await iterator.return?.();
  }
}
