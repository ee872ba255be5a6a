/**
 * A household view as the store keeps it under `hv!`. A view lists its
 * household's signal ids, and each person record names one again; the
 * household's summary under `hh!`, written in the same batch, lists them
 * too. Rewritten whole whenever the household changes, those copies were
 * most of what a view put, so the view leaves the list to the summary and
 * a record names its signal by its place in that list.
 */
import type { HouseholdView } from '../engine/household-view.js';

/** A view without its signal ids, each record's signal its index in its summary's `signalIds`. */
export interface ViewValue extends Omit<HouseholdView, 'signalIds' | 'persons'> {
  persons: { personId: string; records: [signalIndex: number, ref: string][] }[];
}

/**
 * What `hv!` holds: a view as above, or the view whole. It is whole where
 * the summary beside it does not list its signals (a view put without its
 * household, as a store's caller may), and where an older radar wrote it.
 */
export type StoredView = ViewValue | HouseholdView;

/**
 * The view as stored beside a summary that lists `signalIds` (undefined
 * when there will be none): without the list if it is the view's own.
 */
export function encodeView(
  view: HouseholdView,
  signalIds: readonly string[] | undefined,
): StoredView {
  if (signalIds === undefined || !sameList(view.signalIds, signalIds)) return view;
  const index = new Map(signalIds.map((id, i) => [id, i]));
  const persons: ViewValue['persons'] = [];
  for (const { personId, records } of view.persons) {
    const indexed: [number, string][] = [];
    for (const [signalId, ref] of records) {
      const i = index.get(signalId);
      // A record of a signal the household does not list cannot be named by index.
      if (i === undefined) return view;
      indexed.push([i, ref]);
    }
    persons.push({ personId, records: indexed });
  }
  const { signalIds: _signalIds, persons: _persons, ...fields } = view;
  return { ...fields, persons };
}

/**
 * The view from what `hv!` holds and the `signalIds` of the summary beside
 * it; undefined when the stored view names signals by index and the
 * summary is missing or does not have them.
 */
export function decodeView(
  stored: StoredView,
  signalIds: readonly string[] | undefined,
): HouseholdView | undefined {
  if (isWhole(stored)) return stored;
  if (signalIds === undefined) return undefined;
  const persons: HouseholdView['persons'] = [];
  for (const { personId, records } of stored.persons) {
    const named: [string, string][] = [];
    for (const [i, ref] of records) {
      const signalId = signalIds[i];
      if (signalId === undefined) return undefined;
      named.push([signalId, ref]);
    }
    persons.push({ personId, records: named });
  }
  const { persons: _persons, ...fields } = stored;
  return { ...fields, signalIds: [...signalIds], persons };
}

/** Whether the stored view lists its signals itself, and needs no summary to be read. */
export function isWhole(stored: StoredView): stored is HouseholdView {
  return 'signalIds' in stored;
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
