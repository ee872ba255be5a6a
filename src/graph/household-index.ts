/**
 * Persons and households (CONTRACT §2), kept up to date one signal at a time.
 *
 * Every link between person records runs through a key (a BSN, or a
 * normalised name plus birth date) and every link between signals through a
 * person or an address key. A change to one signal can therefore only alter
 * links through that signal's own keys, or through an address whose
 * institutional status flips because persons were merged or split. So each
 * change recomputes, from scratch, just the persons and households that touch
 * those keys, and leaves every other component alone. The result is the same
 * partition a full recomputation would give, which the property tests check
 * after every step.
 */
import { at } from '../at.js';
import { RadarError } from '../errors.js';
import { ADDRESS_LINK_WINDOW_MS } from './model.js';
import { Household, Person, type GraphSignal, type KeyList, type PersonRecord } from './nodes.js';
import { UnionFind } from './union-find.js';

export { Household, householdId, Person } from './nodes.js';

export interface HouseholdIndexOptions {
  /**
   * Address keys (`POSTCODE|number|LETTER|ADDITION`, see `addressKey`) that are
   * institutional whatever their signals say: shelters, care homes, briefadressen.
   * @defaultValue none
   */
  institutionalAddresses?: Iterable<string>;
  /**
   * An address whose signals name more than this many distinct persons is institutional.
   * @defaultValue 12
   */
  institutionalPersonThreshold?: number;
  /**
   * What lies outside this index and still counts: an index that holds
   * some households of a larger store (the service's fold loads only the
   * households a batch reaches) is told the rest. Both answers must stay the
   * same while the index is in use; by default nothing lies outside.
   */
  outside?: OutsideFacts;
}

/**
 * Only the decisions these answers lead to count: whether an address names
 * more persons than the threshold, whether a name key has two or more valid
 * BSNs. An answer that counts some of the index's own persons or BSNs as
 * well, and so decides the same, will do (`Radar.formedOutside`).
 */
export interface OutsideFacts {
  /** Distinct persons named at this address by signals not in the index. */
  personsAt(addressKey: string): number;
  /** Distinct valid BSNs of records with this name key not in the index. */
  bsnsWithName(nameKey: string): readonly string[];
}

const NOTHING_OUTSIDE: OutsideFacts = {
  personsAt: () => 0,
  bsnsWithName: () => [],
};

export interface HouseholdChange {
  /** Households that no longer exist as they were. */
  readonly removed: readonly Household[];
  /** Households that are new or changed. */
  readonly added: readonly Household[];
}

interface AddressState {
  /** Active signals at this address in (occurredAt, id) order. */
  signals: GraphSignal[];
  readonly configured: boolean;
  institutional: boolean;
  /** Written while grouping, so each address's chain is linked once. */
  mark: number;
}

function bySignalOrder(a: GraphSignal, b: GraphSignal): number {
  return a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function addToList(map: Map<string, KeyList>, key: string, record: PersonRecord): KeyList {
  const list = map.get(key);
  if (list === undefined) {
    const created = { records: [record], mark: 0 };
    map.set(key, created);
    return created;
  }
  // A push would leave room for 17; most lists stay this short, so copy them.
  if (list.records.length < 8) list.records = appended(list.records, record);
  else list.records.push(record);
  return list;
}

/** A copy of the list with the value at its end, of exactly that length. */
function appended<V>(list: readonly V[], value: V): V[] {
  const copy = new Array<V>(list.length + 1);
  for (let i = 0; i < list.length; i++) copy[i] = at(list, i);
  copy[list.length] = value;
  return copy;
}

function deleteFromList(map: Map<string, KeyList>, key: string, record: PersonRecord): void {
  const list = map.get(key);
  if (list === undefined) return;
  const at = list.records.indexOf(record);
  if (at !== -1) list.records.splice(at, 1);
  if (list.records.length === 0) map.delete(key);
}

function recordsOf(signals: readonly GraphSignal[]): PersonRecord[] {
  const records: PersonRecord[] = [];
  for (const signal of signals) for (const record of signal.records) records.push(record);
  return records;
}

/**
 * Name matching is off for a name and birth date seen with two or more valid
 * BSNs (among the records `counts`, by default all).
 */
function nameMatchingOn(
  list: readonly PersonRecord[],
  outside: readonly string[],
  counts: (record: PersonRecord) => boolean = everyRecord,
): boolean {
  if (outside.length > 1) return false;
  let seen = outside[0];
  for (const record of list) {
    const bsn = record.bsn;
    if (bsn === undefined || bsn === seen || !counts(record)) continue;
    if (seen !== undefined) return false;
    seen = bsn;
  }
  return true;
}

function everyRecord(): boolean {
  return true;
}

/** A record indexed before the batch being applied: only those have a person yet. */
function indexedBefore(record: PersonRecord): boolean {
  return record.person !== undefined;
}

/** Whether `item` is one of the `items` being partitioned or grouped now, by its slot. */
function takesPart<T extends { slot: number }>(items: readonly T[], item: T): boolean {
  return item.slot < items.length && items[item.slot] === item;
}

/**
 * The distinct persons the signals name, marking each with `mark` (fresh for
 * each count); stops past `limit`, so a shelter with thousands of signals
 * costs about as much as a family home.
 */
function countPersons(signals: readonly GraphSignal[], mark: number, limit: number): number {
  let count = 0;
  for (const signal of signals) {
    for (const { person } of signal.records) {
      // A record not indexed (yet) names no person to count.
      if (person === undefined || person.mark === mark) continue;
      person.mark = mark;
      if (++count > limit) return count;
    }
  }
  return count;
}

/** Adds `item` to `items` unless it is there already, giving it its slot. */
function include<T extends { slot: number }>(items: T[], item: T): void {
  if (takesPart(items, item)) return;
  item.slot = items.length;
  items.push(item);
}

/** Takes in the records of a key list, once per mark. */
function includeList(affected: PersonRecord[], list: KeyList, taken: number): void {
  if (list.mark === taken) return;
  list.mark = taken;
  for (const record of list.records) include(affected, record);
}

/** Links the records of one BSN list that take part: a valid BSN is one person. */
function linkAll(
  uf: UnionFind,
  records: readonly PersonRecord[],
  list: readonly PersonRecord[],
): void {
  if (list.length === 1) return;
  let first = -1;
  for (const record of list) {
    if (!takesPart(records, record)) continue;
    if (first === -1) first = record.slot;
    else uf.union(first, record.slot);
  }
}

/** The slot of the first signal of a person's records that takes part; the caller knows one does. */
function firstSignalIn(signals: readonly GraphSignal[], records: readonly PersonRecord[]): number {
  for (const { signal } of records) if (takesPart(signals, signal)) return signal.slot;
  throw new Error('no signal of this person takes part');
}

/**
 * Links the records of one name group that take part by first initial. A
 * record without initials matches every initial, so it joins the whole group.
 */
function linkByInitial(
  uf: UnionFind,
  records: readonly PersonRecord[],
  group: readonly PersonRecord[],
): void {
  if (group.length === 1) return;
  const wildcard = group.find((r) => r.initial === undefined && takesPart(records, r));
  if (wildcard !== undefined) {
    for (const r of group) if (takesPart(records, r)) uf.union(wildcard.slot, r.slot);
    return;
  }
  const firstWithInitial = new Map<string, number>();
  for (const r of group) {
    // Without a wildcard, every record that takes part has an initial.
    const initial = r.initial;
    if (initial === undefined || !takesPart(records, r)) continue;
    const first = firstWithInitial.get(initial);
    if (first === undefined) firstWithInitial.set(initial, r.slot);
    else uf.union(first, r.slot);
  }
}

/** Links consecutive signals at a linking address that take part and lie within the link window. */
function linkAlongAddress(
  uf: UnionFind,
  signals: readonly GraphSignal[],
  chain: readonly GraphSignal[],
): void {
  for (let j = 1; j < chain.length; j++) {
    const a = at(chain, j - 1);
    const b = at(chain, j);
    if (b.t - a.t <= ADDRESS_LINK_WINDOW_MS && takesPart(signals, a) && takesPart(signals, b)) {
      uf.union(a.slot, b.slot);
    }
  }
}

export class HouseholdIndex {
  /** The settings resolved, defaults filled in: see `HouseholdIndexOptions`. */
  readonly threshold: number;
  readonly configured: ReadonlySet<string>;
  private readonly outside: OutsideFacts;
  private readonly signalsById = new Map<string, GraphSignal>();
  private readonly byBsn = new Map<string, KeyList>();
  private readonly byName = new Map<string, KeyList>();
  private readonly addresses = new Map<string, AddressState>();
  private readonly householdSet = new Set<Household>();
  /** The last mark handed out; every pass over persons or addresses takes a fresh one. */
  private lastMark = 0;

  constructor(options: HouseholdIndexOptions = {}) {
    const threshold = options.institutionalPersonThreshold ?? 12;
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new RangeError(
        `institutionalPersonThreshold must be a positive integer, got ${threshold}`,
      );
    }
    this.threshold = threshold;
    this.configured = new Set(options.institutionalAddresses ?? []);
    this.outside = options.outside ?? NOTHING_OUTSIDE;
  }

  get size(): number {
    return this.householdSet.size;
  }

  households(): IterableIterator<Household> {
    return this.householdSet.values();
  }

  householdOf(signalId: string): Household | undefined {
    const signal = this.signalsById.get(signalId);
    return signal?.household;
  }

  /** Households naming a person with this valid BSN. */
  householdsWithBsn(bsn: string): Set<Household> {
    const found = new Set<Household>();
    for (const record of this.byBsn.get(bsn)?.records ?? []) {
      const household = record.signal.household;
      if (household !== undefined) found.add(household);
    }
    return found;
  }

  /** Households with a signal at this address key. */
  householdsAtAddress(addressKey: string): Set<Household> {
    const found = new Set<Household>();
    for (const { household } of this.addresses.get(addressKey)?.signals ?? [])
      if (household !== undefined) found.add(household);
    return found;
  }

  personOf(record: PersonRecord): Person {
    const person = record.person;
    if (person === undefined)
      throw new Error(`record ${record.ref} of ${record.signal.id} is not indexed`);
    return person;
  }

  /** The distinct persons a household's signals name. */
  personsOf(household: Household): Set<Person> {
    const persons = new Set<Person>();
    for (const signal of household.signals) {
      for (const record of signal.records) persons.add(this.personOf(record));
    }
    return persons;
  }

  /** `personsOf(household).size`, counted without building the Set. */
  personCount(household: Household): number {
    return countPersons(household.signals, ++this.lastMark, Infinity);
  }

  /**
   * Adds and removes signals in one step. A batch is resolved together:
   * every person and household it touches is recomputed once, so a bulk load
   * (a backtest, a restart's replay) is one pass, not one per signal.
   * Removing an id that is not in the index changes nothing.
   */
  apply(added: readonly GraphSignal[], removedIds: Iterable<string>): HouseholdChange {
    const removed = new Set<GraphSignal>();
    for (const id of removedIds) {
      const signal = this.signalsById.get(id);
      if (signal === undefined) continue;
      this.signalsById.delete(id);
      removed.add(signal);
    }
    const wasEmpty = this.signalsById.size === 0 && removed.size === 0;
    for (const signal of added) {
      if (this.signalsById.has(signal.id))
        throw new RadarError(
          'SIGNAL_ALREADY_INDEXED',
          `signal ${signal.id} is already in the index`,
        );
      this.signalsById.set(signal.id, signal);
    }
    if (wasEmpty) return this.load(added);
    const addedRecords = recordsOf(added);
    const removedRecords = recordsOf([...removed]);
    for (const record of removedRecords) this.unindexRecord(record);
    for (const record of addedRecords) this.indexRecord(record);

    const touched: GraphSignal[] = [];
    for (const signal of added) include(touched, signal);
    for (const signal of removed) {
      if (signal.addressKey !== undefined) this.removeFromAddress(signal, signal.addressKey);
    }
    this.insertAtAddresses(added, touched);
    const renamed = new Set<GraphSignal>();
    const recheck = this.resolvePersons(addedRecords, removedRecords, removed, renamed);
    for (const record of removedRecords) record.person = undefined;
    for (const signal of renamed) include(touched, signal);
    this.recheckAddresses(recheck, touched);
    return this.regroup(touched, renamed, removed);
  }

  /**
   * `apply` into an empty index: every person and household is new, so they
   * are computed from scratch in one pass, without tracking what changed.
   */
  private load(added: readonly GraphSignal[]): HouseholdChange {
    const records = recordsOf(added);
    for (const record of records) this.indexRecord(record);
    for (const person of this.partitionPersons(
      records,
      this.byBsn.values(),
      this.byName.values(),
    )) {
      for (const record of person.records) record.person = person;
    }
    this.loadAddresses(added);
    const households = this.groupSignals(added).map((group) => new Household(group));
    for (const household of households) {
      for (const signal of household.signals) signal.household = household;
      this.householdSet.add(household);
    }
    return { removed: [], added: households };
  }

  /** `insertAtAddresses` and `recheckAddresses` for a load: every address here is new. */
  private loadAddresses(added: readonly GraphSignal[]): void {
    const states: [string, AddressState][] = [];
    for (const signal of added) {
      if (signal.addressKey === undefined) continue;
      const state = this.addressState(signal.addressKey);
      if (state.signals.length === 0) states.push([signal.addressKey, state]);
      state.signals.push(signal);
    }
    for (const [key, state] of states) {
      // Copied to its exact length: a list grown by push keeps room to spare.
      state.signals = state.signals.slice().sort(bySignalOrder);
      state.institutional = state.configured || this.crowded(key, state.signals);
    }
  }

  private indexRecord(record: PersonRecord): void {
    if (record.bsn !== undefined) record.bsnList = addToList(this.byBsn, record.bsn, record);
    if (record.nameKey !== undefined) {
      record.nameList = addToList(this.byName, record.nameKey, record);
    }
  }

  private unindexRecord(record: PersonRecord): void {
    if (record.bsn !== undefined) deleteFromList(this.byBsn, record.bsn, record);
    if (record.nameKey !== undefined) deleteFromList(this.byName, record.nameKey, record);
    record.bsnList = undefined;
    record.nameList = undefined;
  }

  private addressState(key: string): AddressState {
    let state = this.addresses.get(key);
    if (state === undefined) {
      const configured = this.configured.has(key);
      state = { signals: [], configured, institutional: configured, mark: 0 };
      this.addresses.set(key, state);
    }
    return state;
  }

  /**
   * Puts new signals into their addresses' time order. At an address that
   * links, every signal there is touched: their households hold every signal
   * a new one can link to or between.
   */
  private insertAtAddresses(added: readonly GraphSignal[], touched: GraphSignal[]): void {
    const byAddress = new Map<string, GraphSignal[]>();
    for (const signal of added) {
      if (signal.addressKey === undefined) continue;
      const list = byAddress.get(signal.addressKey);
      if (list === undefined) byAddress.set(signal.addressKey, [signal]);
      else list.push(signal);
    }
    for (const [key, list] of byAddress) {
      const state = this.addressState(key);
      state.signals = state.signals.concat(list).sort(bySignalOrder);
      if (!state.institutional) for (const signal of state.signals) include(touched, signal);
    }
  }

  /**
   * No neighbour needs touching: two neighbours that could link once this
   * signal is gone were both within reach of it, so both are in its household.
   */
  private removeFromAddress(signal: GraphSignal, key: string): void {
    const signals = this.addresses.get(key)?.signals;
    const i = signals?.indexOf(signal) ?? -1;
    if (i >= 0) signals?.splice(i, 1);
  }

  /**
   * Re-resolves every person that shares a key with the added or removed
   * records and collects the signals of changed persons in `renamed`.
   * Returns the addresses those persons are named at: their count of
   * distinct persons, and so their institutional status, may have changed.
   */
  private resolvePersons(
    added: readonly PersonRecord[],
    removed: readonly PersonRecord[],
    removedSignals: ReadonlySet<GraphSignal>,
    renamed: Set<GraphSignal>,
  ): Set<string> {
    const affected: PersonRecord[] = [];
    for (const record of added) include(affected, record);
    this.includeKeyLists(affected, added, removed);
    const seen = ++this.lastMark;
    const oldPersons: Person[] = [];
    // `affected` grows while this runs: every record of an old person is taken in.
    for (const record of removed)
      this.closeOver(record, seen, oldPersons, affected, removedSignals);
    for (let i = 0; i < affected.length; i++) {
      this.closeOver(at(affected, i), seen, oldPersons, affected, removedSignals);
    }

    const newPersons = this.partitionPersons(affected, ...this.keyListsOf(affected));
    const recheck = new Set<string>();
    const kept = ++this.lastMark;
    for (const person of newPersons) {
      const previous = at(person.records, 0).person;
      if (
        previous !== undefined &&
        previous.records.length === person.records.length &&
        person.records.every((r) => r.person === previous)
      ) {
        previous.mark = kept;
        continue;
      }
      for (const record of person.records) {
        record.person = person;
        renamed.add(record.signal);
        if (record.signal.addressKey !== undefined) recheck.add(record.signal.addressKey);
      }
    }
    for (const person of oldPersons) {
      if (person.mark === kept) continue;
      for (const record of person.records) {
        if (record.signal.addressKey !== undefined) recheck.add(record.signal.addressKey);
      }
    }
    return recheck;
  }

  /**
   * Takes in every record that shares a key with the added or removed
   * records. A name list whose matching is off now and was off before this
   * batch links nobody: its other records cannot be affected, however many
   * there are. Before this batch it held no added record (those have no
   * person yet); to be safe, a list that lost a record counts as on.
   */
  private includeKeyLists(
    affected: PersonRecord[],
    added: readonly PersonRecord[],
    removed: readonly PersonRecord[],
  ): void {
    const taken = ++this.lastMark;
    for (const { bsn, nameKey } of removed) {
      const bsnList = bsn === undefined ? undefined : this.byBsn.get(bsn);
      const nameList = nameKey === undefined ? undefined : this.byName.get(nameKey);
      if (bsnList !== undefined) includeList(affected, bsnList, taken);
      if (nameList !== undefined) includeList(affected, nameList, taken);
    }
    for (const { bsnList, nameList } of added) {
      if (bsnList !== undefined) includeList(affected, bsnList, taken);
      if (nameList === undefined || nameList.mark === taken) continue;
      nameList.mark = taken;
      const list = nameList.records;
      const outside = this.outsideBsns(list);
      if (nameMatchingOn(list, outside) || nameMatchingOn(list, outside, indexedBefore)) {
        for (const record of list) include(affected, record);
      }
    }
  }

  /** Takes in the other records of a record's old person, once per person. */
  private closeOver(
    record: PersonRecord,
    seen: number,
    oldPersons: Person[],
    affected: PersonRecord[],
    removedSignals: ReadonlySet<GraphSignal>,
  ): void {
    const person = record.person;
    if (person === undefined || person.mark === seen) return;
    person.mark = seen;
    oldPersons.push(person);
    for (const r of person.records) if (!removedSignals.has(r.signal)) include(affected, r);
  }

  /**
   * Persons among these records by CONTRACT §2: records linked through the
   * given key lists of the index, restricted to these records. The caller
   * passes every record a changed link can reach, and the lists of all
   * their keys.
   */
  private partitionPersons(
    records: readonly PersonRecord[],
    bsnLists: Iterable<KeyList>,
    nameLists: Iterable<KeyList>,
  ): Person[] {
    for (let i = 0; i < records.length; i++) at(records, i).slot = i;
    const uf = new UnionFind(records.length);
    for (const { records: list } of bsnLists) linkAll(uf, records, list);
    for (const { records: list } of nameLists) {
      if (nameMatchingOn(list, this.outsideBsns(list))) linkByInitial(uf, records, list);
    }
    return uf.groupsOf(records).map((group) => new Person(group));
  }

  /** The distinct key lists of these records, for `partitionPersons`. */
  private keyListsOf(
    records: readonly PersonRecord[],
  ): [bsnLists: KeyList[], nameLists: KeyList[]] {
    const listed = ++this.lastMark;
    const bsnLists: KeyList[] = [];
    const nameLists: KeyList[] = [];
    for (const { bsnList, nameList } of records) {
      if (bsnList !== undefined && bsnList.mark !== listed) {
        bsnList.mark = listed;
        bsnLists.push(bsnList);
      }
      if (nameList !== undefined && nameList.mark !== listed) {
        nameList.mark = listed;
        nameLists.push(nameList);
      }
    }
    return [bsnLists, nameLists];
  }

  /**
   * Whether the address names more distinct persons than the threshold, its
   * signals here and those outside together; see `countPersons` for why it
   * stops counting there.
   */
  private crowded(key: string, signals: readonly GraphSignal[]): boolean {
    const elsewhere = this.outside.personsAt(key);
    const limit = this.threshold - elsewhere;
    return limit < 0 || countPersons(signals, ++this.lastMark, limit) > limit;
  }

  /** The BSNs of a name list's records outside the index; a list holds at least one record. */
  private outsideBsns(list: readonly PersonRecord[]): readonly string[] {
    const nameKey = list[0]?.nameKey;
    return nameKey === undefined ? [] : this.outside.bsnsWithName(nameKey);
  }

  /** Whether an address is institutional: its signals here do not link along it. */
  institutional(addressKey: string): boolean {
    // An address with no signals here has the status its persons elsewhere give it.
    return (
      this.addresses.get(addressKey)?.institutional ??
      (this.configured.has(addressKey) || this.crowded(addressKey, []))
    );
  }

  /** The addresses of the signals here. */
  addressKeys(): IterableIterator<string> {
    return this.addresses.keys();
  }

  private recheckAddresses(keys: Set<string>, touched: GraphSignal[]): void {
    for (const key of keys) {
      const state = this.addresses.get(key);
      if (state === undefined) continue;
      if (state.signals.length === 0) {
        this.addresses.delete(key);
        continue;
      }
      const institutional = state.configured || this.crowded(key, state.signals);
      if (institutional !== state.institutional) {
        state.institutional = institutional;
        for (const signal of state.signals) include(touched, signal);
      }
    }
  }

  /**
   * Recomputes the households of the touched signals from their current
   * links. A household whose signals stay the same is kept, unless persons
   * in it were re-resolved (its person count may have changed).
   */
  private regroup(
    touched: GraphSignal[],
    renamed: Set<GraphSignal>,
    gone: ReadonlySet<GraphSignal>,
  ): HouseholdChange {
    const oldHouseholds = new Set<Household>();
    for (const signal of gone) {
      if (signal.household !== undefined) oldHouseholds.add(signal.household);
      signal.household = undefined;
    }
    for (const signal of touched) {
      const household = signal.household;
      if (household !== undefined) oldHouseholds.add(household);
    }
    // Their gone signals are out already: those have no household any more.
    const members = touched;
    for (const household of oldHouseholds) {
      for (const signal of household.signals) {
        if (signal.household !== undefined) include(members, signal);
      }
    }

    const groups = this.groupSignals(members);
    const removed: Household[] = [];
    const added: Household[] = [];
    const kept = new Set<Household>();
    for (const group of groups) {
      const first = at(group, 0).household;
      if (
        first !== undefined &&
        first.signals.length === group.length &&
        group.every((signal) => signal.household === first && !renamed.has(signal))
      ) {
        kept.add(first);
        continue;
      }
      const household = new Household(group);
      for (const signal of household.signals) signal.household = household;
      this.householdSet.add(household);
      added.push(household);
    }
    for (const household of oldHouseholds) {
      if (kept.has(household)) continue;
      this.householdSet.delete(household);
      removed.push(household);
    }
    return { removed, added };
  }

  /**
   * Households among these signals: signals joined through their persons and
   * through address links. The caller passes every signal a changed link can
   * reach, so a person's signals are all here or none is.
   */
  private groupSignals(signals: readonly GraphSignal[]): GraphSignal[][] {
    for (let i = 0; i < signals.length; i++) at(signals, i).slot = i;
    const uf = new UnionFind(signals.length);
    const linked = ++this.lastMark;
    for (let i = 0; i < signals.length; i++) {
      const signal = at(signals, i);
      for (const record of signal.records) {
        uf.union(firstSignalIn(signals, this.personOf(record).records), i);
      }
      if (signal.addressKey === undefined) continue;
      const state = this.addresses.get(signal.addressKey);
      if (state === undefined || state.mark === linked) continue;
      state.mark = linked;
      if (!state.institutional) linkAlongAddress(uf, signals, state.signals);
    }
    return uf.groupsOf(signals);
  }
}
