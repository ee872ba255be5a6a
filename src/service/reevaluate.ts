/**
 * Changed rules, unchanged households: every stored household is evaluated
 * anew from its signals as prepared (from `sig!`), a chunk of households at a
 * time, and its indicators brought in line, with an event for every
 * indicator that changed, as any batch would. Memory holds one chunk, not
 * the history; the households, persons and fold state stay as they are.
 */
import { indicatorChanges } from '../engine/indicator-changes.js';
import type { HouseholdView } from '../engine/household-view.js';
import { distinctSorted } from '../engine/household-summary.js';
import type { HouseholdSummary } from '../engine/household-summary.js';
import type { CompiledRuleset, RuleInput } from '../rules/index.js';
import type { RadarStore, StoredEvent } from '../store/index.js';

/** Households per write. */
const CHUNK = 500;

export interface Reevaluated {
  households: number;
  events: number;
}

export async function reevaluateHouseholds(
  store: RadarStore,
  compiled: CompiledRuleset,
  now = new Date(),
): Promise<Reevaluated> {
  let chunk: HouseholdSummary[] = [];
  let households = 0;
  let events = 0;
  for await (const household of store.households()) {
    chunk.push(household);
    if (chunk.length < CHUNK) continue;
    events += await reevaluateChunk(store, compiled, chunk, now);
    households += chunk.length;
    chunk = [];
  }
  events += await reevaluateChunk(store, compiled, chunk, now);
  households += chunk.length;
  return { households, events };
}

async function reevaluateChunk(
  store: RadarStore,
  compiled: CompiledRuleset,
  households: readonly HouseholdSummary[],
  now: Date,
): Promise<number> {
  if (households.length === 0) return 0;
  let sequence = await store.lastSequence();
  const events: StoredEvent[] = [];
  const views: HouseholdView[] = [];
  const found = await Promise.all(
    households.map(async ({ householdId, signalIds }) => {
      const [prepared, view, before] = await Promise.all([
        store.preparedSignals(signalIds),
        store.householdView(householdId),
        store.householdIndicators(householdId),
      ]);
      const inputs: RuleInput[] = [];
      for (const p of prepared.values()) if (p.rule !== undefined) inputs.push(p.rule);
      return { householdId, view, before, after: compiled.evaluate(inputs, householdId) };
    }),
  );
  for (const { view, before, after } of found) {
    const changes = indicatorChanges(
      new Map(before.map((i) => [i.indicatorId, i])),
      new Map(after.map((i) => [i.indicatorId, i])),
    );
    if (changes.length === 0) continue;
    for (const { type, indicator } of changes)
      events.push({ sequence: ++sequence, type, indicator, recordedAt: now.toISOString() });
    if (view !== undefined) {
      views.push({
        ...view,
        indicatorLevels: distinctSorted(after.map((i) => i.level)),
        indicatorRules: distinctSorted(after.map((i) => i.ruleId)),
        activeIndicatorCount: after.length,
      });
    }
  }
  if (events.length === 0) return 0;
  await store.write({ householdViews: views, events });
  return events.length;
}
