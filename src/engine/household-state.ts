/**
 * What re-formed households put into a state batch: their summaries and
 * views, their indicators evaluated and diffed against those before, the
 * events numbered on, and the persons each names at its addresses. One
 * function for the live fold, which re-forms the households a batch
 * reaches, and for a backlog's, which forms each household once.
 */
import type { HouseholdChange, HouseholdIndex } from '../graph/household-index.js';
import type { CompiledRuleset, Indicator } from '../rules/index.js';
import type { FoldWrite, StateBatch, StoredEvent } from '../store/types.js';
import { personsByAddress } from './address-persons.js';
import { householdView, viewSummary } from './household-view.js';
import { indicatorChanges } from './indicator-changes.js';
import type { PreparedSignal } from './prepare.js';

export interface HouseholdsChanged {
  change: HouseholdChange;
  /** The index the households were formed in. */
  index: HouseholdIndex;
  /** The signals of the added households, as prepared. */
  prepared: ReadonlyMap<string, PreparedSignal>;
  /** The current indicators of the removed households, by id. */
  before: ReadonlyMap<string, Indicator>;
}

/**
 * Puts the changed households, their views and indicators' events (numbered
 * on from `lastSequence`, stamped `now`) into `state`, and their persons per
 * address into `fold`. Returns the events and the milliseconds the rules took.
 */
export function putHouseholds(
  { change, index, prepared, before }: HouseholdsChanged,
  compiled: CompiledRuleset,
  lastSequence: number,
  now: Date,
  state: StateBatch,
  fold: FoldWrite,
): { events: StoredEvent[]; evaluationMs: number } {
  let evaluationMs = 0;
  const after = new Map<string, Indicator>();
  const views = change.added.map((household) => {
    const inputs = household.signals.map((s) => prepared.get(s.id)?.rule);
    const evaluating = performance.now();
    const indicators = compiled.evaluate(
      inputs.filter((i) => i !== undefined),
      household.id,
    );
    evaluationMs += performance.now() - evaluating;
    for (const indicator of indicators) after.set(indicator.indicatorId, indicator);
    return householdView(
      household,
      index.personsOf(household),
      (id) => prepared.get(id)?.rule?.region,
      indicators,
    );
  });
  let sequence = lastSequence;
  const recordedAt = now.toISOString();
  const events = indicatorChanges(before, after).map(({ type, indicator }): StoredEvent => ({
    sequence: ++sequence,
    type,
    indicator,
    recordedAt,
  }));
  const putIds = new Set(change.added.map((h) => h.id));
  state.householdsPut = views.map(viewSummary);
  state.householdViews = views;
  state.householdsDeleted = [
    ...new Set(change.removed.map((h) => h.id).filter((id) => !putIds.has(id))),
  ];
  state.events = events;
  addressPersons(change, index, fold);
  return { events, evaluationMs };
}

/** Replaces the persons-per-address entries of the changed households. */
function addressPersons(change: HouseholdChange, index: HouseholdIndex, fold: FoldWrite): void {
  const deleted: { addressKey: string; householdId: string }[] = [];
  for (const household of change.removed) {
    const addresses = new Set<string>();
    for (const s of household.signals) if (s.addressKey !== undefined) addresses.add(s.addressKey);
    for (const addressKey of addresses) deleted.push({ addressKey, householdId: household.id });
  }
  const put: { addressKey: string; householdId: string; persons: number }[] = [];
  for (const household of change.added) {
    const counts = personsByAddress(household, (record) => index.personOf(record));
    for (const [addressKey, persons] of counts) {
      put.push({ addressKey, householdId: household.id, persons });
    }
  }
  fold.addressPersonsDeleted = deleted;
  fold.addressPersonsPut = put;
}
