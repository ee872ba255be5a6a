/**
 * The live fold: each batch of signals folded into the households and
 * indicators kept in the store, reading only the households the batch
 * reaches. Nothing of the history is held in memory between batches.
 *
 * A batch's signals can only change the households they reach through
 * their own keys (a BSN, a name key whose matching is or was on, the
 * neighbours along an address), the households of the signals they
 * withdraw, and the households at an address whose count of persons
 * crosses the institutional threshold. Those households are loaded from
 * the store into a `HouseholdIndex` of their own, told what lies outside
 * it (the persons named at its addresses by other households, the BSNs
 * other records carry under its name keys), and the batch is applied to
 * it: the same code that keeps households in the in-memory radar, so the
 * two agree by construction. An address that crosses the threshold pulls
 * in every household there and the batch is applied again: a fixpoint,
 * since each round only adds households.
 */
import { SignalRejectedError } from '../errors.js';
import { graphSignal, type GraphSignal } from '../graph/model.js';
import {
  HouseholdIndex,
  type Household,
  type HouseholdIndexOptions,
  type OutsideFacts,
} from '../graph/household-index.js';
import {
  compileRuleset,
  type CompiledRuleset,
  type Indicator,
  type Ruleset,
} from '../rules/index.js';
import type { Signal } from '../signals/types.js';
import type { FoldWrite, RadarStore, StateBatch, StoredEvent } from '../store/types.js';
import { ValueCache } from '../store/value-cache.js';
import { putHouseholds } from './household-state.js';
import { graphOf, prepareSignal, type PreparedSignal } from './prepare.js';

export interface StoreFoldOptions extends Omit<HouseholdIndexOptions, 'outside'> {
  ruleset: Ruleset;
  /**
   * How many prepared signals to keep decoded between batches: a household
   * that grows batch after batch is read whole by each.
   * @defaultValue 200,000 (about 1 KiB each)
   */
  cachedSignals?: number;
}

/** What became of each signal of a batch, in order. */
export type FoldOutcome = 'accepted' | 'duplicate' | SignalRejectedError;

export interface FoldedBatch {
  outcomes: FoldOutcome[];
  /** Accepted signals newly withdrawn: by a withdrawal in this batch, or arriving after theirs. */
  withdrawn: number;
  /** How many more households there are than before (fewer when negative). */
  householdsAdded: number;
  /** Everything the batch changes; the caller adds offsets and counters. */
  state: StateBatch;
  events: StoredEvent[];
}

/** What a retention batch removes; see `StoreFold.expire`. */
export interface ExpiredBatch {
  /** Signals removed (withdrawn ones too). */
  removed: number;
  /** How many more households there are than before (fewer when negative). */
  householdsAdded: number;
  /** Ids of the households as they were that the batch split, shrank or removed. */
  householdsChanged: string[];
  state: StateBatch;
  events: StoredEvent[];
}

/** The households a batch reaches, loaded, and the index they were formed in. */
interface Loaded {
  index: HouseholdIndex;
  prepared: Map<string, PreparedSignal>;
  /** The ids of the households loaded, as stored. */
  householdIds: ReadonlySet<string>;
}

type FoldStore = Pick<
  RadarStore,
  | 'preparedSignals'
  | 'retractedIds'
  | 'signalsWithBsn'
  | 'recordsWithName'
  | 'addressNeighbours'
  | 'personsAt'
  | 'householdPersonsAt'
  | 'householdsAt'
  | 'householdOfSignal'
  | 'household'
  | 'householdIndicators'
  | 'householdView'
>;

export class StoreFold {
  private readonly compiled: CompiledRuleset;
  private readonly options: Omit<HouseholdIndexOptions, 'outside'>;
  /** A stored signal's prepared form never changes once written, so a cached one stays true. */
  private readonly cache: ValueCache<PreparedSignal>;
  private evaluationMs = 0;

  constructor(
    private readonly store: FoldStore,
    { ruleset, cachedSignals = 200_000, ...options }: StoreFoldOptions,
  ) {
    this.compiled = compileRuleset(ruleset);
    this.options = options;
    this.cache = new ValueCache(cachedSignals);
  }

  /** Seconds the last `fold` spent evaluating the rules, for the service's metrics. */
  get lastEvaluationSeconds(): number {
    return this.evaluationMs / 1000;
  }

  /** Stored signals as prepared, through the cache; ids not stored are left out. */
  private async preparedSignals(ids: Iterable<string>): Promise<Map<string, PreparedSignal>> {
    const found = new Map<string, PreparedSignal>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.cache.get(id);
      if (cached) found.set(id, cached);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    for (const [id, prepared] of await this.store.preparedSignals(missing)) {
      this.cache.set(id, prepared);
      found.set(id, prepared);
    }
    return found;
  }

  /**
   * Folds a batch of valid signals; `lastSequence` numbers its events on.
   * Nothing is written: the caller stores `state` in one write before the
   * next batch is folded, since each fold reads what the last one stored.
   */
  async fold(
    signals: readonly Signal[],
    lastSequence: number,
    now = new Date(),
  ): Promise<FoldedBatch> {
    this.evaluationMs = 0;
    const { outcomes, accepted, acceptedSignals } = await this.accept(signals);
    const retracts = new Set<string>();
    for (const p of accepted) for (const target of p.retracts) retracts.add(target);
    const acceptedIds = accepted.map((p) => p.id);
    const [retractedBefore, targets] = await Promise.all([
      this.store.retractedIds([...acceptedIds, ...retracts]),
      this.preparedSignals(retracts),
    ]);
    const retracted = [...retracts].filter((id) => !retractedBefore.has(id));
    const gone = new Set(retracted);
    const adds = accepted.filter(
      (p) => p.graph !== undefined && !gone.has(p.id) && !retractedBefore.has(p.id),
    );
    // Withdrawn now, stored before, and in a household until now.
    const removes = retracted
      .map((id) => targets.get(id))
      .filter((p): p is PreparedSignal => p?.graph !== undefined);

    const acceptedNow = new Set(acceptedIds);
    const withdrawn =
      retracted.filter((id) => targets.has(id) || acceptedNow.has(id)).length +
      acceptedIds.filter((id) => retractedBefore.has(id)).length;
    const fold: FoldWrite = { prepared: accepted, linked: adds, unlinked: removes, retracted };
    const state: StateBatch = { signals: acceptedSignals, fold };
    if (adds.length === 0 && removes.length === 0)
      return { outcomes, withdrawn, householdsAdded: 0, state, events: [] };

    const { householdsAdded, events } = await this.reform(
      adds,
      removes,
      lastSequence,
      now,
      state,
      fold,
    );
    return { outcomes, withdrawn, householdsAdded, state, events };
  }

  /**
   * Removes signals past their retention as if they had never arrived: out
   * of their households (which may split) by the same code a withdrawal
   * takes, and deleted with their prepared form. Unlike a withdrawal nothing
   * remembers them: one that arrives again is turned away before the fold.
   * Nothing is written, as for `fold`.
   */
  async expire(
    entries: readonly { id: string; t: number }[],
    lastSequence: number,
    now = new Date(),
  ): Promise<ExpiredBatch> {
    this.evaluationMs = 0;
    const ids = entries.map((e) => e.id);
    const [prepared, retracted] = await Promise.all([
      this.preparedSignals(ids),
      this.store.retractedIds(ids),
    ]);
    for (const id of ids) this.cache.delete(id);
    // A withdrawn one is in no household: only its data goes.
    const removes = [...prepared.values()].filter(
      (p) => p.graph !== undefined && !retracted.has(p.id),
    );
    const fold: FoldWrite = { unlinked: removes, expired: entries };
    const state: StateBatch = { fold };
    const removed = entries.length;
    if (removes.length === 0)
      return { removed, householdsAdded: 0, householdsChanged: [], state, events: [] };
    const { householdsAdded, householdsChanged, events } = await this.reform(
      [],
      removes,
      lastSequence,
      now,
      state,
      fold,
    );
    return { removed, householdsAdded, householdsChanged, state, events };
  }

  /**
   * Re-forms the households that adding `adds` and removing `removes` reach,
   * and puts what changed into `state`: households, views, indicators,
   * events numbered on from `lastSequence`, persons per address.
   */
  private async reform(
    adds: readonly PreparedSignal[],
    removes: readonly PreparedSignal[],
    lastSequence: number,
    now: Date,
    state: StateBatch,
    fold: FoldWrite,
  ): Promise<{ householdsAdded: number; householdsChanged: string[]; events: StoredEvent[] }> {
    // Made afresh for each index: the index writes its persons and households into them.
    const addSignals = (): GraphSignal[] => adds.map((p) => graphSignal(p.id, graphOf(p)));
    let householdIds = await this.reached(addSignals(), removes, adds);
    let loaded: Loaded;
    let change: { removed: readonly Household[]; added: readonly Household[] };
    for (;;) {
      const added = addSignals();
      loaded = await this.load(householdIds, added);
      // The added signals' addresses too: a household at one of them that was
      // not reached (more than 365 days from every added signal) still flips.
      const before = new Map<string, boolean>();
      for (const key of loaded.index.addressKeys())
        before.set(key, loaded.index.institutional(key));
      for (const { addressKey } of added)
        if (addressKey !== undefined)
          before.set(addressKey, loaded.index.institutional(addressKey));
      change = loaded.index.apply(
        added,
        removes.map((p) => p.id),
      );
      const crossed = await this.crossed(loaded, before);
      if (crossed.size === 0) break;
      householdIds = new Set([...householdIds, ...crossed]);
    }
    for (const p of adds) loaded.prepared.set(p.id, p);
    const events = await this.indicatorChanges(change, loaded, lastSequence, now, state, fold);
    return {
      householdsAdded: change.added.length - change.removed.length,
      householdsChanged: change.removed.map((h) => h.id),
      events,
    };
  }

  /** Tells new signals from redeliveries and conflicting versions, against the store and the batch. */
  private async accept(signals: readonly Signal[]): Promise<{
    outcomes: FoldOutcome[];
    accepted: PreparedSignal[];
    acceptedSignals: Signal[];
  }> {
    const prepared = signals.map(prepareSignal);
    const stored = await this.preparedSignals(prepared.map((p) => p.id));
    const seen = new Map<string, number>();
    for (const [id, p] of stored) seen.set(id, p.fingerprint);
    const outcomes: FoldOutcome[] = [];
    const accepted: PreparedSignal[] = [];
    const acceptedSignals: Signal[] = [];
    prepared.forEach((p, i) => {
      const known = seen.get(p.id);
      if (known === undefined) {
        seen.set(p.id, p.fingerprint);
        accepted.push(p);
        const signal = signals[i];
        if (signal !== undefined) acceptedSignals.push(signal);
        outcomes.push('accepted');
      } else if (known === p.fingerprint) {
        outcomes.push('duplicate');
      } else {
        outcomes.push(
          new SignalRejectedError(
            'DUPLICATE_ID_CONFLICT',
            `signal ${p.id} was accepted before with other content; the first version stays`,
            'id',
          ),
        );
      }
    });
    return { outcomes, accepted, acceptedSignals };
  }

  /**
   * The households the batch reaches directly: those of the withdrawn
   * signals and of every record sharing a name key with them; for each new
   * signal, those sharing a BSN with it, sharing a name key whose matching
   * is on before or after the batch, and its neighbours along its address.
   */
  private async reached(
    addSignals: readonly GraphSignal[],
    removes: readonly PreparedSignal[],
    adds: readonly PreparedSignal[],
  ): Promise<Set<string>> {
    const signalIds = new Set<string>(removes.map((p) => p.id));
    const bsns = new Set<string>();
    const names = new Set<string>();
    const removedNames = new Set<string>();
    /** The BSNs the batch adds under each name key. */
    const addedUnderName = new Map<string, Set<string>>();
    for (const signal of addSignals) {
      for (const { bsn, nameKey } of signal.records) {
        if (bsn !== undefined) bsns.add(bsn);
        if (nameKey === undefined) continue;
        names.add(nameKey);
        let added = addedUnderName.get(nameKey);
        if (added === undefined) addedUnderName.set(nameKey, (added = new Set()));
        if (bsn !== undefined) added.add(bsn);
      }
    }
    for (const p of removes) {
      for (const { nameKey } of graphSignal(p.id, graphOf(p)).records) {
        if (nameKey !== undefined) removedNames.add(nameKey);
      }
    }
    const [byBsn, byName, byRemovedName, neighbours] = await Promise.all([
      Promise.all([...bsns].map((bsn) => this.store.signalsWithBsn(bsn))),
      Promise.all(
        [...names].map(async (nameKey) => ({
          nameKey,
          records: await this.store.recordsWithName(nameKey),
        })),
      ),
      Promise.all([...removedNames].map((nameKey) => this.store.recordsWithName(nameKey))),
      Promise.all(
        adds.map((p) => {
          const { addressKey, t } = graphOf(p);
          return addressKey === undefined
            ? Promise.resolve([])
            : this.store.addressNeighbours(addressKey, t, p.id);
        }),
      ),
    ]);
    for (const ids of byBsn) for (const id of ids) signalIds.add(id);
    for (const { nameKey, records } of byName) {
      const before = new Set<string>();
      for (const { bsn } of records) if (bsn !== undefined) before.add(bsn);
      const after = new Set([...before, ...(addedUnderName.get(nameKey) ?? [])]);
      if (before.size > 1 && after.size > 1) continue;
      for (const { signalId } of records) signalIds.add(signalId);
    }
    for (const records of byRemovedName)
      for (const { signalId } of records) signalIds.add(signalId);
    for (const ids of neighbours) for (const id of ids) signalIds.add(id);
    return this.householdsOf(signalIds);
  }

  private async householdsOf(signalIds: Iterable<string>): Promise<Set<string>> {
    const ids = await Promise.all([...signalIds].map((id) => this.store.householdOfSignal(id)));
    const households = new Set<string>();
    for (const id of ids) if (id !== undefined) households.add(id);
    return households;
  }

  /**
   * Loads the households with what lies outside them, and forms them in an
   * index of their own: as stored, since nothing outside links into them.
   */
  private async load(
    householdIds: ReadonlySet<string>,
    addSignals: readonly GraphSignal[],
  ): Promise<Loaded> {
    const summaries = await Promise.all([...householdIds].map((id) => this.store.household(id)));
    const signalIds = new Set<string>();
    for (const summary of summaries) for (const id of summary?.signalIds ?? []) signalIds.add(id);
    const prepared = await this.preparedSignals(signalIds);
    const loadedSignals: GraphSignal[] = [];
    for (const p of prepared.values()) {
      if (p.graph !== undefined) loadedSignals.push(graphSignal(p.id, p.graph));
    }

    // Per address of the loaded and the added signals, the loaded households there.
    const addresses = new Map<string, Set<string>>();
    const loadedAt = (addressKey: string): Set<string> => {
      let households = addresses.get(addressKey);
      if (households === undefined) addresses.set(addressKey, (households = new Set()));
      return households;
    };
    [...householdIds].forEach((householdId, i) => {
      for (const id of summaries[i]?.signalIds ?? []) {
        const addressKey = prepared.get(id)?.graph?.addressKey;
        if (addressKey !== undefined) loadedAt(addressKey).add(householdId);
      }
    });
    for (const { addressKey } of addSignals) if (addressKey !== undefined) loadedAt(addressKey);
    const names = new Set<string>();
    for (const signal of [...loadedSignals, ...addSignals])
      for (const { nameKey } of signal.records) if (nameKey !== undefined) names.add(nameKey);
    const outside = await this.outside(names, addresses, signalIds);
    const index = new HouseholdIndex({ ...this.options, outside });
    index.apply(loadedSignals, []);
    return { index, prepared, householdIds };
  }

  /**
   * What the store holds outside the loaded households, under their name
   * keys and at their addresses (`addresses`: the loaded households at each).
   */
  private async outside(
    names: ReadonlySet<string>,
    addresses: ReadonlyMap<string, ReadonlySet<string>>,
    loadedSignals: ReadonlySet<string>,
  ): Promise<OutsideFacts> {
    const [nameRecords, personsAt] = await Promise.all([
      Promise.all([...names].map((n) => this.store.recordsWithName(n))),
      Promise.all(
        [...addresses].map(async ([addressKey, households]) => {
          const [total, loaded] = await Promise.all([
            this.store.personsAt(addressKey),
            this.store.householdPersonsAt(addressKey, [...households]),
          ]);
          return [addressKey, loaded.reduce((rest, persons) => rest - persons, total)] as const;
        }),
      ),
    ]);
    const bsnsWithName = new Map<string, string[]>();
    [...names].forEach((nameKey, i) => {
      const bsns = new Set<string>();
      for (const { signalId, bsn } of nameRecords[i] ?? []) {
        if (bsn !== undefined && !loadedSignals.has(signalId)) bsns.add(bsn);
      }
      if (bsns.size > 0) bsnsWithName.set(nameKey, [...bsns]);
    });
    const elsewhere = new Map(personsAt);
    return {
      personsAt: (addressKey) => elsewhere.get(addressKey) ?? 0,
      bsnsWithName: (nameKey) => bsnsWithName.get(nameKey) ?? [],
    };
  }

  /**
   * Households not loaded at an address whose institutional status the
   * batch changed: they gain or lose links along it, so they must be
   * loaded too.
   */
  private async crossed(
    { index, householdIds }: Loaded,
    before: ReadonlyMap<string, boolean>,
  ): Promise<Set<string>> {
    const flipped = [...before]
      .filter(([key, was]) => index.institutional(key) !== was)
      .map(([key]) => key);
    // Rare (an address crosses the threshold once, or back after a withdrawal): a range read.
    const more = new Set<string>();
    for (const households of await Promise.all(flipped.map((key) => this.store.householdsAt(key))))
      for (const householdId of households.keys())
        if (!householdIds.has(householdId)) more.add(householdId);
    return more;
  }

  /**
   * Evaluates the rules on the changed households, diffs their indicators
   * with the stored ones, and puts households, views, indicators and persons
   * per address into `state`. Returns the events, numbered on from `lastSequence`.
   */
  private async indicatorChanges(
    change: { removed: readonly Household[]; added: readonly Household[] },
    { index, prepared }: Loaded,
    lastSequence: number,
    now: Date,
    state: StateBatch,
    fold: FoldWrite,
  ): Promise<StoredEvent[]> {
    const before = new Map<string, Indicator>();
    for (const list of await Promise.all(change.removed.map((h) => this.storedIndicators(h.id)))) {
      for (const indicator of list) before.set(indicator.indicatorId, indicator);
    }
    const { events, evaluationMs } = putHouseholds(
      { change, index, prepared, before },
      this.compiled,
      lastSequence,
      now,
      state,
      fold,
    );
    this.evaluationMs += evaluationMs;
    return events;
  }

  /** A household's current indicators, as stored. */
  private async storedIndicators(householdId: string): Promise<Indicator[]> {
    // Most households have none, and their view says so for the price of a get.
    const view = await this.store.householdView(householdId);
    if (view === undefined || view.activeIndicatorCount === 0) return [];
    return this.store.householdIndicators(householdId);
  }
}
