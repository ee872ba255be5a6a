/**
 * The RadarStore over an ordered key-value store: one key space, one prefix
 * per kind of data, JSON values.
 *
 *   sig!<signalId>         Signal, exactly as the decoder produced it
 *   off!<topic>:<part>     next offset to read, as a decimal string
 *   hh!<householdId>       HouseholdSummary (what `radar export` shows)
 *   evt!<sequence>         StoredEvent; sequence zero-padded to 16 digits so
 *                          byte order is numeric order
 *   meta!seq               last event sequence
 *   meta!published         last sequence produced to the indicator topic
 *   cnt!<name>             counter value
 *
 * and what the API reads, so that no call scans (· is U+0000, which keeps
 * an id that contains the separator from reading as two):
 *
 *   hv!<householdId>       HouseholdView but its signal ids, which hh! of
 *                          the same id lists: a person record names its
 *                          signal by index there (view-value.ts); whole
 *                          where written before, or without its summary
 *   sh!<signalId>          the household the signal is in now
 *   hx!<householdId>       its smallest signal, kept after the id is gone
 *   xa!<addressKey>·<hid>, xr!<region>·<hid>, xl!<level>·<hid>,
 *   xu!<ruleId>·<hid>                                     household indexes
 *   hb!<bsn>               the ids of the households with that BSN
 *   ix!<indicatorId>       IndicatorRecord but its indicator, which is
 *                          that of the event at its sequence (evt!); kept
 *                          after it is withdrawn
 *   ig!<region>·<id>, il!<level>·<id>, ir!<ruleId>·<id>    indicator indexes
 *   hi!<householdId>       the ids of the indicators raised on the household
 *   si!<signalId>          the ids of the indicators that name the signal
 *
 * hb!, hi! and si! are one sorted list per key: a call reads each whole, and
 * a get costs a fifth of an iterator. The indexes that are paged through
 * stay one key an entry. A store written when hb! and hi! were one key an
 * entry (xb!<bsn>·<hid>, ih!<householdId>·<id>) has them converted on open,
 * and a third copy of every current indicator it kept (ind!<indicatorId>)
 * deleted.
 *
 * and the fold's own state, so that a batch reads only the households it
 * reaches (see docs/architecture.md):
 *
 *   kb!<bsn>               the signals in a household with a record with
 *                          that valid BSN
 *   kn!<nameKey>           the records in a household with that name key:
 *                          [signal id, valid BSN or null] each
 *   kw!<addressKey>·<w>    the signals in a household at that address whose
 *                          occurredAt falls in the w-th 365-day window since
 *                          the epoch, as [occurredAt ms, signal id], in that
 *                          order
 *   kp!<addressKey>·<hid>  the distinct persons the household names there
 *   kq!<addressKey>        the distinct persons named there, all households
 *
 * kb!, kn!, kw!, kp! and kq! are one value per key, read with a get (a fifth
 * of what an iterator costs) and rewritten whole by the write that changes
 * them. What grows with the history at an address (its signals, its
 * households) is split so that a signal there reads and writes a bounded
 * value: a window holds a year of the address's signals, and a signal links
 * only within 365 days. A store written when an address was one value each
 * (ka!<addressKey>, ap!<addressKey>) has them split on open.
 *   rt!<signalId>          withdrawn by some accepted signal
 *   oa!<occurredAt>·<id>   every accepted signal but a withdrawal, by
 *                          occurredAt (epoch ms shifted to be positive,
 *                          17 digits): what retention reads as a range
 *   mark!<name>            small named values
 *
 * The indexes are the store's own: each write reads the views and records
 * it replaces and updates their index entries in the same atomic batch, so
 * a crash never leaves an index pointing at a state that is not stored.
 * Values are never logged and never put into error messages: signals carry
 * personal data.
 */
import type { HouseholdSummary } from '../engine/household-summary.js';
import type { HouseholdView } from '../engine/household-view.js';
import { prepareSignal, type PreparedSignal } from '../engine/prepare.js';
import type { Indicator } from '../rules/index.js';
import { ADDRESS_LINK_WINDOW_MS } from '../graph/model.js';
import { householdId } from '../graph/nodes.js';
import type { Signal } from '../signals/types.js';
import { notOpen, StoreError } from './errors.js';
import {
  byKeyOrder,
  nextCharacterSlices,
  prefixRange,
  type KeySlice,
  type KvOperation,
  type OrderedKv,
} from './kv.js';
import { ListChanges } from './list-changes.js';
import { continueSequence } from './sequence.js';
import { ValueCache } from './value-cache.js';
import { WrittenKeys } from './written-keys.js';
import { decodeView, encodeView, sameList, type StoredView } from './view-value.js';
import type {
  FoldWrite,
  HouseholdIndexName,
  IndicatorIndexName,
  IndicatorRecord,
  RadarStore,
  StateBatch,
  StoredEvent,
} from './types.js';

const SIGNAL = 'sig!';
const OFFSET = 'off!';
const HOUSEHOLD = 'hh!';
const EVENT = 'evt!';
const COUNTER = 'cnt!';
const LAST_SEQUENCE = 'meta!seq';
const PUBLISHED = 'meta!published';
const VIEW = 'hv!';
const SIGNAL_HOUSEHOLD = 'sh!';
const SMALLEST = 'hx!';
const RECORD = 'ix!';
const SEP = '\u0000';
const BSN_RECORD = 'kb!';
const NAME_RECORD = 'kn!';
const AT_ADDRESS = 'kw!';
const HOUSEHOLD_PERSONS_AT = 'kp!';
const PERSONS_AT = 'kq!';
/**
 * Signals as prepared, as an older radar kept them beside the signals: a
 * prepared signal is a pure function of its signal, so it is made from
 * `sig!` when read, and a line writes 600 bytes fewer.
 */
const OLD_PREPARED = 'gs!';
/** The address families as an older radar wrote them: all of an address's history in one value. */
const OLD_AT_ADDRESS = 'ka!';
const OLD_ADDRESS_PERSONS = 'ap!';
const RETRACTED = 'rt!';
const OCCURRED = 'oa!';
/** Shifts every epoch millisecond a Date can hold to a non-negative number of 17 digits. */
const OCCURRED_SHIFT = 8_640_000_000_000_000;
const MARK = 'mark!';
/** A compaction slice at most this large: seconds of compacting, well inside a stop's bound. */
const COMPACTION_SLICE_BYTES = 128 * 1024 * 1024;
const MAX_SLICE_DEPTH = 24;
/**
 * The families a batch's fold reads, kept in the value cache: about 300
 * bytes a value, so the default bound holds some 100 MB. Not `sig!`: the
 * fold keeps prepared signals decoded itself, and every signal a batch
 * writes would otherwise push out the lists the next batch reads again.
 */
const CACHED = [
  BSN_RECORD,
  NAME_RECORD,
  AT_ADDRESS,
  HOUSEHOLD_PERSONS_AT,
  PERSONS_AT,
  SIGNAL_HOUSEHOLD,
  HOUSEHOLD,
  VIEW,
];
export const DEFAULT_CACHE_ENTRIES = 300_000;

/** The family of a key: its prefix up to the first `!`, which no prefix holds before its end. */
function familyOf(key: string): string {
  return key.slice(0, key.indexOf('!') + 1);
}

const CACHED_FAMILIES: ReadonlySet<string> = new Set(CACHED);

function cached(key: string): boolean {
  return CACHED_FAMILIES.has(familyOf(key));
}

function readByWrites(key: string): boolean {
  return READ_BY_WRITES_FAMILIES.has(familyOf(key));
}

/** Entries per LevelDB write when a family is converted or deleted whole. */
const FAMILY_CHUNK = 10_000;
type NameRecords = [signalId: string, bsn: string | null][];

/** A signal's BSNs and name keys, with each record's BSN under its name key. */
function identityOf(prepared: PreparedSignal): {
  bsns: Set<string>;
  names: [nameKey: string, bsn: string | undefined][];
} {
  const bsns = new Set<string>();
  const names: [string, string | undefined][] = [];
  const keys = prepared.graph?.keys ?? [];
  for (let i = 0; i + 3 < keys.length; i += 4) {
    const [bsn, nameKey] = [keys[i + 1], keys[i + 2]];
    if (bsn !== undefined) bsns.add(bsn);
    if (nameKey !== undefined) names.push([nameKey, bsn]);
  }
  return { bsns, names };
}

function occurredKey(t: number, signalId: string): string {
  return `${OCCURRED}${String(t + OCCURRED_SHIFT).padStart(17, '0')}${SEP}${signalId}`;
}

/** A signal at an address: when it occurred and its id, the address chain's order. */
type AtAddress = [t: number, signalId: string];

function byChainOrder([ta, a]: AtAddress, [tb, b]: AtAddress): number {
  return ta - tb || (a < b ? -1 : a > b ? 1 : 0);
}

/** Which 365-day window since the epoch a time falls in: the windows of an address split its chain. */
function linkWindow(t: number): number {
  return Math.floor(t / ADDRESS_LINK_WINDOW_MS);
}

function chainKey(addressKey: string, window: number): string {
  return `${AT_ADDRESS}${addressKey}${SEP}${window}`;
}

function householdPersonsKey(addressKey: string, householdId: string): string {
  return `${HOUSEHOLD_PERSONS_AT}${addressKey}${SEP}${householdId}`;
}

const HOUSEHOLD_INDEX: Record<Exclude<HouseholdIndexName, 'bsn'>, string> = {
  address: 'xa!',
  region: 'xr!',
  level: 'xl!',
  rule: 'xu!',
};

const INDICATOR_INDEX: Record<Exclude<IndicatorIndexName, 'signal' | 'household'>, string> = {
  region: 'ig!',
  level: 'il!',
  rule: 'ir!',
};
const BSN_HOUSEHOLDS = 'hb!';
const HOUSEHOLD_INDICATORS = 'hi!';
const SIGNAL_INDICATORS = 'si!';

/** The families a write reads before it writes: what `startEmpty` answers for. */
const READ_BY_WRITES = [
  ...CACHED,
  SIGNAL,
  RECORD,
  BSN_HOUSEHOLDS,
  HOUSEHOLD_INDICATORS,
  SIGNAL_INDICATORS,
];
const READ_BY_WRITES_FAMILIES: ReadonlySet<string> = new Set(READ_BY_WRITES);
/** The list indexes as they were written before they were lists, and what each became. */
const ENTRY_INDEXES = [
  { from: 'xb!', to: BSN_HOUSEHOLDS },
  { from: 'ih!', to: HOUSEHOLD_INDICATORS },
];
/**
 * Where an older store kept each current indicator a third time, beside its
 * record and its events; the records say the same.
 */
const OLD_CURRENT_INDICATORS = 'ind!';

/**
 * An `ix!` value: the record without its indicator, which its last event
 * (`evt!` at its sequence) holds already; a record changes with every event
 * of its indicator, and its indicator and explanation were half of what the
 * fold wrote a line beside the event. A store written before kept them in
 * the record, which is read as it is until it is next written.
 */
type RecordValue = Omit<IndicatorRecord, 'indicator'> & { indicator?: Indicator };

/** The record's indicator while it is current: its last event was not a withdrawal. */
function currentIndicator(record: IndicatorRecord | undefined): Indicator | undefined {
  return record?.active === true ? record.indicator : undefined;
}

function eventKey(sequence: number): string {
  return EVENT + String(sequence).padStart(16, '0');
}

/** The entries a household view puts beside itself: its index keys and its signals' household. */
function viewEntries(view: HouseholdView): Map<string, string> {
  const id = view.householdId;
  const entries = new Map<string, string>();
  const index = (name: keyof typeof HOUSEHOLD_INDEX, keys: readonly string[]): void => {
    for (const key of keys) entries.set(`${HOUSEHOLD_INDEX[name]}${key}${SEP}${id}`, '');
  };
  index('address', view.addressKeys);
  index('region', view.regions);
  index('level', view.indicatorLevels);
  index('rule', view.indicatorRules);
  for (const signalId of view.signalIds) entries.set(SIGNAL_HOUSEHOLD + signalId, id);
  return entries;
}

/** The index keys of an indicator record. */
function recordEntries(record: IndicatorRecord): Map<string, string> {
  const { indicator, regions } = record;
  const id = indicator.indicatorId;
  const entries = new Map<string, string>();
  const index = (name: keyof typeof INDICATOR_INDEX, keys: readonly string[]): void => {
    for (const key of keys) entries.set(`${INDICATOR_INDEX[name]}${key}${SEP}${id}`, '');
  };
  index('region', regions);
  index('level', [indicator.level]);
  index('rule', [indicator.ruleId]);
  return entries;
}

/**
 * Deletes the entries only `before` has and puts those `after` has anew or
 * with another value: a household of thousands of signals that gains one
 * rewrites one entry, not thousands.
 */
function replaceEntries(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  put: (key: string, value: unknown) => void,
  del: (key: string) => void,
): void {
  for (const key of before.keys()) if (!after.has(key)) del(key);
  for (const [key, value] of after) if (before.get(key) !== value) put(key, value);
}

const NO_ENTRIES: ReadonlyMap<string, string> = new Map();

export abstract class KvStore implements RadarStore {
  private isOpen = false;
  /** Kept in memory so the sequence check of a write costs no read. */
  private last = 0;
  private published = 0;
  /** Writes run one at a time, so each reads the state its predecessor left. */
  private writes: Promise<void> = Promise.resolve();
  /** open() and close() run one at a time, in call order. */
  private lifecycle: Promise<void> = Promise.resolve();
  private readonly eventListeners = new Set<(lastSequence: number) => void>();
  private readonly cache: ValueCache;
  /** Set by `startEmpty`: every key of `READ_BY_WRITES` written since; the cache is not used then. */
  private written: WrittenKeys | undefined;

  protected constructor(
    protected readonly kv: OrderedKv,
    /** Names the store in error messages. */
    private readonly location: string,
    cacheEntries = DEFAULT_CACHE_ENTRIES,
  ) {
    this.cache = new ValueCache(cacheEntries);
  }

  open(): Promise<void> {
    return this.transition(async () => {
      if (this.isOpen) return;
      await this.kv.open();
      try {
        this.last = this.parseSequence(LAST_SEQUENCE, await this.kv.get(LAST_SEQUENCE));
        this.published = this.parseSequence(PUBLISHED, await this.kv.get(PUBLISHED));
        await this.convertEntryIndexes();
        await this.splitAddressFamilies();
        await this.deleteFamily(OLD_CURRENT_INDICATORS);
        await this.deleteFamily(OLD_PREPARED);
      } catch (err) {
        await this.kv.close();
        throw err;
      }
      this.isOpen = true;
    });
  }

  /**
   * Turns the entries of a list index written one key an entry by an older
   * radar into its lists, a chunk a write: each write deletes the entries it
   * converted, so an open cut short converts the rest the next time.
   */
  private async convertEntryIndexes(): Promise<void> {
    for (const { from, to } of ENTRY_INDEXES) {
      let chunk = new ListChanges();
      let converted: string[] = [];
      const flush = async (): Promise<void> => {
        const operations: KvOperation[] = converted.map((key) => ({ type: 'del', key }));
        await this.writeLists(
          chunk,
          (key, value) => operations.push({ type: 'put', key, value: JSON.stringify(value) }),
          (key) => operations.push({ type: 'del', key }),
        );
        await this.kv.batch(operations, true);
        chunk = new ListChanges();
        converted = [];
      };
      for await (const key of this.kv.keys(prefixRange(from))) {
        const sep = key.indexOf(SEP, from.length);
        chunk.add(to + key.slice(from.length, sep), key.slice(sep + 1));
        converted.push(key);
        if (converted.length === FAMILY_CHUNK) await flush();
      }
      if (converted.length > 0) await flush();
    }
  }

  /**
   * Splits the address records of an older radar (all of an address's
   * history in one value) into windows and households, a chunk a write:
   * each write deletes the records it split, so an open cut short splits
   * the rest the next time.
   */
  private async splitAddressFamilies(): Promise<void> {
    let operations: KvOperation[] = [];
    const put = (key: string, value: unknown): void => {
      operations.push({ type: 'put', key, value: JSON.stringify(value) });
    };
    const flush = async (): Promise<void> => {
      await this.kv.batch(operations, true);
      operations = [];
    };
    for await (const [key, value] of this.kv.entries(prefixRange(OLD_AT_ADDRESS))) {
      const addressKey = key.slice(OLD_AT_ADDRESS.length);
      const windows = new Map<number, AtAddress[]>();
      for (const entry of this.parse<AtAddress[]>(key, value)) {
        const window = linkWindow(entry[0]);
        let list = windows.get(window);
        if (list === undefined) windows.set(window, (list = []));
        list.push(entry);
      }
      operations.push({ type: 'del', key });
      for (const [window, list] of windows) put(chainKey(addressKey, window), list);
      if (operations.length >= FAMILY_CHUNK) await flush();
    }
    for await (const [key, value] of this.kv.entries(prefixRange(OLD_ADDRESS_PERSONS))) {
      const addressKey = key.slice(OLD_ADDRESS_PERSONS.length);
      let total = 0;
      for (const [id, persons] of Object.entries(this.parse<Record<string, number>>(key, value))) {
        put(householdPersonsKey(addressKey, id), persons);
        total += persons;
      }
      operations.push({ type: 'del', key });
      if (total > 0) put(PERSONS_AT + addressKey, total);
      if (operations.length >= FAMILY_CHUNK) await flush();
    }
    if (operations.length > 0) await flush();
  }

  /**
   * Deletes every entry of a family, a chunk a write; the last write is
   * fsynced, and an open or clear cut short deletes the rest the next time.
   */
  private async deleteFamily(prefix: string): Promise<void> {
    let chunk: KvOperation[] = [];
    let deleted = 0;
    for await (const key of this.kv.keys(prefixRange(prefix))) {
      chunk.push({ type: 'del', key });
      deleted++;
      if (chunk.length === FAMILY_CHUNK) {
        await this.kv.batch(chunk, false);
        chunk = [];
      }
    }
    // An empty family, as on every open of a current store, costs no write and no fsync.
    if (deleted > 0) await this.kv.batch(chunk, true);
  }

  close(): Promise<void> {
    return this.transition(async () => {
      if (!this.isOpen) return;
      this.isOpen = false;
      // Writes accepted before close() still land; later ones get STORE_NOT_OPEN.
      await this.writes;
      await this.kv.close();
    });
  }

  async write(batch: StateBatch, options: { durable?: boolean } = {}): Promise<void> {
    this.opened();
    const run = this.writes.then(() => this.apply(batch, options.durable ?? true));
    this.writes = run.catch(() => undefined);
    return run;
  }

  onEvents(listener: (lastSequence: number) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  async *signals(): AsyncIterable<Signal> {
    for await (const [key, value] of this.entries(SIGNAL)) yield this.parse<Signal>(key, value);
  }

  async signal(id: string): Promise<Signal | undefined> {
    return this.lookup<Signal>(SIGNAL + id);
  }

  async offsets(): Promise<Map<string, string>> {
    const offsets = new Map<string, string>();
    for await (const [key, value] of this.entries(OFFSET)) {
      offsets.set(key.slice(OFFSET.length), this.parse<string>(key, value));
    }
    return offsets;
  }

  async *households(): AsyncIterable<HouseholdSummary> {
    for await (const [key, value] of this.entries(HOUSEHOLD))
      yield this.parse<HouseholdSummary>(key, value);
  }

  async household(id: string): Promise<HouseholdSummary | undefined> {
    return this.lookup<HouseholdSummary>(HOUSEHOLD + id);
  }

  async *indicators(): AsyncIterable<Indicator> {
    let current: [string, RecordValue][] = [];
    for await (const [key, value] of this.entries(RECORD)) {
      const record = this.parse<RecordValue>(key, value);
      if (record.active) current.push([key, record]);
      if (current.length === FAMILY_CHUNK) {
        for (const r of await this.withIndicators(current)) yield r.indicator;
        current = [];
      }
    }
    for (const r of await this.withIndicators(current)) yield r.indicator;
  }

  async indicator(id: string): Promise<Indicator | undefined> {
    return currentIndicator((await this.records([id])).get(id));
  }

  async *events(after: number): AsyncIterable<StoredEvent> {
    const from = after < 1 ? undefined : eventKey(Math.floor(after)).slice(EVENT.length);
    for await (const [key, value] of this.entries(EVENT, from))
      yield this.parse<StoredEvent>(key, value);
  }

  async lastSequence(): Promise<number> {
    this.opened();
    return this.last;
  }

  async publishedSequence(): Promise<number> {
    this.opened();
    return this.published;
  }

  async counters(): Promise<Record<string, number>> {
    const counters: [string, number][] = [];
    for await (const [key, value] of this.entries(COUNTER)) {
      counters.push([key.slice(COUNTER.length), this.parse<number>(key, value)]);
    }
    return Object.fromEntries(counters);
  }

  async householdView(id: string): Promise<HouseholdView | undefined> {
    this.opened();
    return (await this.views([id])).get(id)?.view;
  }

  /**
   * Household views by id, each read with its household's summary in one
   * `getMany` and joined with it; the summaries come back too, for a write
   * that stores views against them.
   */
  private async views(
    ids: readonly string[],
  ): Promise<
    Map<string, { view: HouseholdView | undefined; summary: HouseholdSummary | undefined }>
  > {
    const [stored, summaries] = await Promise.all([
      this.readAll<StoredView>(ids.map((id) => VIEW + id)),
      this.readAll<HouseholdSummary>(ids.map((id) => HOUSEHOLD + id)),
    ]);
    return new Map(
      ids.map((id) => {
        const value = stored.get(VIEW + id);
        const summary = summaries.get(HOUSEHOLD + id);
        const view = value === undefined ? undefined : this.joined(id, value, summary);
        return [id, { view, summary }];
      }),
    );
  }

  private joined(
    id: string,
    value: StoredView,
    summary: HouseholdSummary | undefined,
  ): HouseholdView {
    const view = decodeView(value, summary?.signalIds);
    if (view === undefined) {
      throw new StoreError(
        'STORE_CORRUPT',
        `${VIEW}${id} in ${this.location} names signals of ${HOUSEHOLD}${id}, which does not list them`,
      );
    }
    return view;
  }

  async householdOfSignal(signalId: string): Promise<string | undefined> {
    return this.lookup<string>(SIGNAL_HOUSEHOLD + signalId);
  }

  async smallestSignalOf(householdId: string): Promise<string | undefined> {
    return this.lookup<string>(SMALLEST + householdId);
  }

  async *householdIds(
    by?: { index: HouseholdIndexName; key: string },
    after?: string,
  ): AsyncIterable<string> {
    if (by?.index === 'bsn') {
      yield* await this.listed(BSN_HOUSEHOLDS + by.key, after);
      return;
    }
    const prefix = by === undefined ? VIEW : `${HOUSEHOLD_INDEX[by.index]}${by.key}${SEP}`;
    for await (const key of this.keys(prefix, after)) yield key.slice(prefix.length);
  }

  async householdIndicators(householdId: string): Promise<Indicator[]> {
    const ids: string[] = [];
    for await (const id of this.indicatorIds({ index: 'household', key: householdId }))
      ids.push(id);
    const records = await this.records(ids);
    const current: Indicator[] = [];
    for (const record of records.values()) {
      const indicator = currentIndicator(record);
      if (indicator !== undefined) current.push(indicator);
    }
    return current;
  }

  async indicatorRecord(id: string): Promise<IndicatorRecord | undefined> {
    return (await this.records([id])).get(id);
  }

  /** Indicator records by id, each with its indicator. */
  private async records(ids: Iterable<string>): Promise<Map<string, IndicatorRecord | undefined>> {
    this.opened();
    const values = await this.readAll<RecordValue>([...ids].map((id) => RECORD + id));
    const found = [...values].filter((e): e is [string, RecordValue] => e[1] !== undefined);
    const completed = await this.withIndicators(found);
    const byKey = new Map(found.map(([key], i) => [key, completed[i]]));
    return new Map([...values.keys()].map((key) => [key.slice(RECORD.length), byKey.get(key)]));
  }

  /** Records as read, each given its indicator from its last event where it left it there. */
  private async withIndicators(values: [string, RecordValue][]): Promise<IndicatorRecord[]> {
    const events = await this.readAll<StoredEvent>(
      values.flatMap(([, v]) => (v.indicator === undefined ? [eventKey(v.sequence)] : [])),
    );
    return values.map(([key, value]) => {
      const indicator = value.indicator ?? events.get(eventKey(value.sequence))?.indicator;
      if (indicator === undefined) {
        throw new StoreError(
          'STORE_CORRUPT',
          `${key} in ${this.location} names event ${String(value.sequence)}, which the store does not hold`,
        );
      }
      return { ...value, indicator };
    });
  }

  async *indicatorIds(
    by?: { index: IndicatorIndexName; key: string },
    after?: string,
  ): AsyncIterable<string> {
    if (by?.index === 'signal' || by?.index === 'household') {
      const family = by.index === 'signal' ? SIGNAL_INDICATORS : HOUSEHOLD_INDICATORS;
      yield* await this.listed(family + by.key, after);
      return;
    }
    const prefix = by === undefined ? RECORD : `${INDICATOR_INDEX[by.index]}${by.key}${SEP}`;
    for await (const key of this.keys(prefix, after)) yield key.slice(prefix.length);
  }

  /** The ids in a list index, after `after` when given. */
  private async listed(key: string, after: string | undefined): Promise<string[]> {
    const ids = (await this.lookup<string[]>(key)) ?? [];
    return after === undefined ? ids : ids.filter((id) => byKeyOrder(id, after) > 0);
  }

  async marks(): Promise<Record<string, string>> {
    const marks: Record<string, string> = {};
    for await (const [key, value] of this.entries(MARK))
      marks[key.slice(MARK.length)] = this.parse<string>(key, value);
    return marks;
  }

  async preparedSignals(ids: Iterable<string>): Promise<Map<string, PreparedSignal>> {
    this.opened();
    const read = await this.readAll<Signal>([...ids].map((id) => SIGNAL + id));
    const prepared = new Map<string, PreparedSignal>();
    for (const [key, signal] of read) {
      if (signal !== undefined) prepared.set(key.slice(SIGNAL.length), prepareSignal(signal));
    }
    return prepared;
  }

  async retractedIds(ids: Iterable<string>): Promise<Set<string>> {
    this.opened();
    const distinct = [...new Set(ids)];
    const found = await Promise.all(distinct.map((id) => this.kv.get(RETRACTED + id)));
    return new Set(distinct.filter((_, i) => found[i] !== undefined));
  }

  async signalsWithBsn(bsn: string): Promise<string[]> {
    return (await this.lookup<string[]>(BSN_RECORD + bsn)) ?? [];
  }

  async recordsWithName(nameKey: string): Promise<{ signalId: string; bsn: string | undefined }[]> {
    const records = (await this.lookup<NameRecords>(NAME_RECORD + nameKey)) ?? [];
    return records.map(([signalId, bsn]) => ({ signalId, bsn: bsn ?? undefined }));
  }

  async addressNeighbours(addressKey: string, t: number, signalId: string): Promise<string[]> {
    this.opened();
    // A neighbour outside these three windows is more than 365 days away and does not link.
    // They are disjoint and in time order, so together they are one stretch of the chain.
    const window = linkWindow(t);
    const keys = [window - 1, window, window + 1].map((w) => chainKey(addressKey, w));
    const windows = await this.readAll<AtAddress[]>(keys);
    const chain = keys.flatMap((key) => windows.get(key) ?? []);
    const at: AtAddress = [t, signalId];
    // The first entry after (t, signalId): a binary search, as a shelter's years are long.
    let low = 0;
    let high = chain.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const entry = chain[middle];
      if (entry !== undefined && byChainOrder(entry, at) <= 0) low = middle + 1;
      else high = middle;
    }
    // The signal itself is not in the chain yet: it is asked about before it is folded in.
    const neighbours: string[] = [];
    for (const entry of [chain[low - 1], chain[low]])
      if (entry !== undefined) neighbours.push(entry[1]);
    return neighbours;
  }

  async personsAt(addressKey: string): Promise<number> {
    return (await this.lookup<number>(PERSONS_AT + addressKey)) ?? 0;
  }

  async householdPersonsAt(addressKey: string, householdIds: readonly string[]): Promise<number[]> {
    this.opened();
    const keys = householdIds.map((id) => householdPersonsKey(addressKey, id));
    const counts = await this.readAll<number>(keys);
    return keys.map((key) => counts.get(key) ?? 0);
  }

  async householdsAt(addressKey: string): Promise<Map<string, number>> {
    const prefix = householdPersonsKey(addressKey, '');
    const households = new Map<string, number>();
    for await (const [key, value] of this.entries(prefix))
      households.set(key.slice(prefix.length), this.parse<number>(key, value));
    return households;
  }

  async occurredBefore(before: number, limit: number): Promise<{ id: string; t: number }[]> {
    this.opened();
    const found: { id: string; t: number }[] = [];
    if (limit < 1) return found;
    const range = { gte: OCCURRED, lt: occurredKey(before, '') };
    for await (const key of this.kv.keys(range)) {
      const digits = key.slice(OCCURRED.length, OCCURRED.length + 17);
      found.push({ id: key.slice(OCCURRED.length + 18), t: Number(digits) - OCCURRED_SHIFT });
      if (found.length === limit) break;
    }
    return found;
  }

  async compact(
    stopping: () => boolean = () => false,
    sliceBytes = COMPACTION_SLICE_BYTES,
  ): Promise<boolean> {
    this.opened();
    // Every key family's name starts with a lowercase letter: a slice per letter, to begin with.
    for (let letter = 0x61; letter <= 0x7a; letter++) {
      const slice = { gte: String.fromCharCode(letter), lt: String.fromCharCode(letter + 1) };
      if (!(await this.compactSlice(slice, stopping, sliceBytes, 1))) return false;
    }
    return true;
  }

  /**
   * A slice larger than `sliceBytes` is compacted as the slices of its keys'
   * next character, so that a stop waits for one slice's compaction only
   * (seconds), whatever the store's size or its ids' shape.
   */
  private async compactSlice(
    slice: KeySlice,
    stopping: () => boolean,
    sliceBytes: number,
    depth: number,
  ): Promise<boolean> {
    if (stopping()) return false;
    const bytes = await this.kv.approximateSize(slice);
    if (bytes <= sliceBytes || depth === MAX_SLICE_DEPTH) {
      // Empty in the tables but the first slice at its depth: what the memtable holds still goes down.
      if (bytes > 0 || depth === 1) await this.kv.compact(slice);
      return true;
    }
    for (const part of nextCharacterSlices(slice)) {
      if (!(await this.compactSlice(part, stopping, sliceBytes, depth + 1))) return false;
    }
    return true;
  }

  async startEmpty(expectedKeys: number): Promise<void> {
    for (const prefix of READ_BY_WRITES)
      for await (const key of this.keys(prefix))
        throw new Error(
          `startEmpty: ${this.location} holds ${key.slice(0, prefix.length)} keys already`,
        );
    this.written = new WrittenKeys(expectedKeys);
  }

  async clearFoldState(): Promise<void> {
    this.opened();
    this.cache.generation++;
    this.cache.clear();
    for (const prefix of [
      BSN_RECORD,
      NAME_RECORD,
      AT_ADDRESS,
      HOUSEHOLD_PERSONS_AT,
      PERSONS_AT,
      OLD_AT_ADDRESS,
      OLD_ADDRESS_PERSONS,
      RETRACTED,
      OCCURRED,
    ])
      await this.deleteFamily(prefix);
  }

  /**
   * The fold's own entries of a batch; see `FoldWrite`. The lists a batch
   * changes are read, changed and put back whole: writes run one at a
   * time, so none is lost between the read and the put.
   */
  private async foldOperations(
    fold: FoldWrite,
    put: (key: string, value: unknown) => void,
    del: (key: string) => void,
  ): Promise<void> {
    for (const { id, graph, rule } of fold.prepared ?? []) {
      const t = graph?.t ?? rule?.t;
      if (t !== undefined) put(occurredKey(t, id), '');
    }
    for (const { id, t } of fold.expired ?? []) {
      del(SIGNAL + id);
      del(occurredKey(t, id));
      // The id its household had while it was the smallest: nothing is found through it now.
      del(SMALLEST + householdId(id));
    }
    for (const id of fold.retracted ?? []) put(RETRACTED + id, '');
    const linked = fold.linked ?? [];
    const unlinked = fold.unlinked ?? [];

    const bsnKeys = new Set<string>();
    const nameKeys = new Set<string>();
    for (const prepared of [...linked, ...unlinked]) {
      const { bsns, names } = identityOf(prepared);
      for (const bsn of bsns) bsnKeys.add(BSN_RECORD + bsn);
      for (const [nameKey] of names) nameKeys.add(NAME_RECORD + nameKey);
    }
    /** Each household's count at an address, to the key of the address's total. */
    const totalOf = new Map<string, string>();
    for (const { addressKey, householdId } of [
      ...(fold.addressPersonsDeleted ?? []),
      ...(fold.addressPersonsPut ?? []),
    ])
      totalOf.set(householdPersonsKey(addressKey, householdId), PERSONS_AT + addressKey);
    const chainKeys = new Set<string>();
    for (const { graph } of [...linked, ...unlinked]) {
      if (graph?.addressKey !== undefined)
        chainKeys.add(chainKey(graph.addressKey, linkWindow(graph.t)));
    }
    const [bsnLists, nameLists, personsBefore, totals, chains] = await Promise.all([
      this.readAll<string[]>([...bsnKeys]),
      this.readAll<NameRecords>([...nameKeys]),
      this.readAll<number>([...totalOf.keys()]),
      this.readAll<number>([...totalOf.values()]),
      this.readAll<AtAddress[]>([...chainKeys]),
    ]);
    const gone = new Set(unlinked.map((p) => p.id));
    const bsnAfter = new Map<string, string[]>();
    const nameAfter = new Map<string, NameRecords>();
    for (const key of bsnKeys)
      bsnAfter.set(
        key,
        (bsnLists.get(key) ?? []).filter((id) => !gone.has(id)),
      );
    for (const key of nameKeys)
      nameAfter.set(
        key,
        (nameLists.get(key) ?? []).filter(([id]) => !gone.has(id)),
      );
    for (const prepared of linked) {
      const { bsns, names } = identityOf(prepared);
      for (const bsn of bsns) bsnAfter.get(BSN_RECORD + bsn)?.push(prepared.id);
      for (const [nameKey, bsn] of names)
        nameAfter.get(NAME_RECORD + nameKey)?.push([prepared.id, bsn ?? null]);
    }
    const putOrDelete = (key: string, value: unknown[]): void => {
      if (value.length === 0) del(key);
      else put(key, value);
    };
    for (const [key, list] of bsnAfter) putOrDelete(key, list);
    for (const [key, list] of nameAfter) putOrDelete(key, list);

    const chainAfter = new Map<string, AtAddress[]>();
    for (const key of chainKeys)
      chainAfter.set(
        key,
        (chains.get(key) ?? []).filter(([, id]) => !gone.has(id)),
      );
    for (const { id, graph } of linked) {
      if (graph?.addressKey !== undefined)
        chainAfter.get(chainKey(graph.addressKey, linkWindow(graph.t)))?.push([graph.t, id]);
    }
    for (const [key, chain] of chainAfter) putOrDelete(key, chain.sort(byChainOrder));

    const personsAfter = new Map<string, number | undefined>(personsBefore);
    for (const { addressKey, householdId } of fold.addressPersonsDeleted ?? [])
      personsAfter.set(householdPersonsKey(addressKey, householdId), undefined);
    for (const { addressKey, householdId, persons } of fold.addressPersonsPut ?? [])
      personsAfter.set(householdPersonsKey(addressKey, householdId), persons);
    const totalsAfter = new Map<string, number>();
    for (const [key, total] of totalOf) {
      const [before, persons] = [personsBefore.get(key), personsAfter.get(key)];
      if (persons === before) continue;
      if (persons === undefined) del(key);
      else put(key, persons);
      const sum = totalsAfter.get(total) ?? totals.get(total) ?? 0;
      totalsAfter.set(total, sum + (persons ?? 0) - (before ?? 0));
    }
    // Only the totals under a count that changed: a household re-formed with the same count
    // leaves its address's total unwritten.
    for (const [key, total] of totalsAfter) {
      if (total === 0) del(key);
      else put(key, total);
    }
  }

  /** Runs even when close() began after the write was accepted: see `close`. */
  private async apply(batch: StateBatch, durable: boolean): Promise<void> {
    const events = batch.events ?? [];
    const last = continueSequence(this.sequenceBase(batch), events);
    const dels: KvOperation[] = [];
    const puts: KvOperation[] = [];
    const put = (key: string, value: unknown): void => {
      puts.push({ type: 'put', key, value: JSON.stringify(value) });
    };
    const del = (key: string): void => {
      dels.push({ type: 'del', key });
    };

    const texts = batch.signalTexts;
    for (const [i, signal] of (batch.signals ?? []).entries()) {
      const text = texts?.[i];
      if (text === undefined) put(SIGNAL + signal.id, signal);
      else puts.push({ type: 'put', key: SIGNAL + signal.id, value: text });
    }
    for (const [partition, offset] of batch.offsets ?? []) put(OFFSET + partition, offset);
    // Deletes go first: an id both deleted and put in one batch ends up put.
    for (const id of batch.householdsDeleted ?? []) del(HOUSEHOLD + id);
    for (const h of batch.householdsPut ?? []) put(HOUSEHOLD + h.householdId, h);
    for (const event of events) put(eventKey(event.sequence), event);
    if (events.length > 0 || batch.sequenceBase !== undefined) put(LAST_SEQUENCE, last);
    if (batch.publishedSequence !== undefined) put(PUBLISHED, batch.publishedSequence);
    for (const [name, value] of Object.entries(batch.counters ?? {})) put(COUNTER + name, value);
    for (const [name, value] of Object.entries(batch.marks ?? {})) put(MARK + name, value);
    if (batch.fold !== undefined) await this.foldOperations(batch.fold, put, del);
    const regionsChanged = await this.indexHouseholds(batch, put, del);
    await this.indexIndicators(batch, events, regionsChanged, put, del);

    const operations = [...dels, ...puts];
    try {
      await this.kv.batch(operations, durable);
    } catch (err) {
      // Whether any of it landed is unknown: nothing cached can be trusted.
      this.cache.clear();
      throw err;
    } finally {
      this.cache.generation++;
    }
    const { written } = this;
    if (written === undefined) {
      for (const op of operations)
        if (cached(op.key)) this.cache.set(op.key, op.type === 'put' ? op.value : null);
    } else {
      for (const op of operations)
        if (op.type === 'put' && readByWrites(op.key)) written.add(op.key);
    }
    this.last = last;
    if (batch.publishedSequence !== undefined) this.published = batch.publishedSequence;
    if (events.length > 0) for (const listener of this.eventListeners) listener(last);
  }

  /**
   * Replaces the views of deleted and put households, and their index
   * entries; returns the households that were there before and whose
   * regions changed or that are gone.
   */
  private async indexHouseholds(
    batch: StateBatch,
    put: (key: string, value: unknown) => void,
    del: (key: string) => void,
  ): Promise<Set<string>> {
    const views = batch.householdViews ?? [];
    const deleted = new Set(batch.householdsDeleted ?? []);
    const replaced = new Set([...deleted, ...views.map((v) => v.householdId)]);
    const byId = new Map(views.map((view) => [view.householdId, view]));
    const putIds = new Map((batch.householdsPut ?? []).map((h) => [h.householdId, h.signalIds]));
    const olds = await this.views([...new Set([...replaced, ...putIds.keys()])]);
    // A view is stored against the summary its household has after the batch.
    const idsAfter = (id: string): readonly string[] | undefined =>
      putIds.get(id) ?? (deleted.has(id) ? undefined : olds.get(id)?.summary?.signalIds);
    const regionsChanged = new Set<string>();
    const withBsn = new ListChanges();
    const withBsnKey = (bsn: string): string => BSN_HOUSEHOLDS + bsn;
    for (const id of replaced) {
      const old = olds.get(id)?.view;
      const view = byId.get(id);
      if (old === undefined || view === undefined || !sameList(old.regions, view.regions))
        regionsChanged.add(id);
      withBsn.move(id, (old?.bsns ?? []).map(withBsnKey), (view?.bsns ?? []).map(withBsnKey));
      if (view === undefined) del(VIEW + id);
      else put(VIEW + id, encodeView(view, idsAfter(id)));
      // An id names its smallest signal for good: written once.
      if (view !== undefined && old === undefined) put(SMALLEST + id, view.smallestSignalId);
      replaceEntries(
        old === undefined ? NO_ENTRIES : viewEntries(old),
        view === undefined ? NO_ENTRIES : viewEntries(view),
        put,
        del,
      );
    }
    // A household put without a view keeps the one it has, which must still read as it stood
    // beside the new summary.
    for (const [id, signalIds] of putIds) {
      const old = olds.get(id)?.view;
      if (!replaced.has(id) && old !== undefined) put(VIEW + id, encodeView(old, signalIds));
    }
    await this.writeLists(withBsn, put, del);
    return regionsChanged;
  }

  /** Reads the lists `changes` touches and writes them changed. */
  private async writeLists(
    changes: ListChanges,
    put: (key: string, value: unknown) => void,
    del: (key: string) => void,
  ): Promise<void> {
    const before = await this.readAll<string[]>(changes.keys);
    for (const [key, ids] of changes.applied(before)) {
      if (ids === undefined) del(key);
      else put(key, ids);
    }
  }

  /**
   * Keeps a record per indicator ever raised, from the events, and its index
   * entries. Its regions follow its household's view, so the records of a
   * household whose regions change are indexed anew even without an event;
   * those of any other household change only by an event.
   */
  private async indexIndicators(
    batch: StateBatch,
    events: readonly StoredEvent[],
    regionsChanged: ReadonlySet<string>,
    put: (key: string, value: unknown) => void,
    del: (key: string) => void,
  ): Promise<void> {
    const views = new Map((batch.householdViews ?? []).map((view) => [view.householdId, view]));
    const gone = new Set(batch.householdsDeleted ?? []);
    const touched = new Set(events.map((e) => e.indicator.indicatorId));
    const listed = await this.readAll<string[]>(
      [...regionsChanged].map((householdId) => HOUSEHOLD_INDICATORS + householdId),
    );
    for (const ids of listed.values()) for (const id of ids ?? []) touched.add(id);
    const olds = await this.records(touched);
    const oldOf = (id: string): IndicatorRecord | undefined => olds.get(id);

    // An indicator's signals mostly grow: what its last record knew of their
    // regions is kept, and only signals new to it are read; one that lost a
    // signal is read afresh.
    const written = new Map((batch.signals ?? []).map((signal) => [signal.id, signal]));
    const carried = (signalIds: readonly string[], before: IndicatorRecord | undefined) => {
      const known = new Set(before?.indicator.signalIds ?? []);
      const kept = signalIds.filter((id) => known.has(id)).length === known.size;
      return {
        known: kept ? known : new Set<string>(),
        regions: kept ? (before?.signalRegions ?? []) : [],
      };
    };
    const unread = new Set<string>();
    for (const { indicator } of events) {
      const { known } = carried(indicator.signalIds, oldOf(indicator.indicatorId));
      for (const id of indicator.signalIds) if (!known.has(id) && !written.has(id)) unread.add(id);
    }
    const read = await this.readAll<Signal>([...unread].map((id) => SIGNAL + id));
    const changed = new Map<string, IndicatorRecord>();
    for (const { indicator, type, sequence, recordedAt } of events) {
      const id = indicator.indicatorId;
      const { known, regions } = carried(indicator.signalIds, changed.get(id) ?? oldOf(id));
      const signalRegions = new Set(regions);
      for (const signalId of indicator.signalIds) {
        if (known.has(signalId)) continue;
        const region = (written.get(signalId) ?? read.get(SIGNAL + signalId))?.region;
        if (region !== undefined) signalRegions.add(region);
      }
      changed.set(id, {
        indicator,
        active: type !== 'WITHDRAWN',
        signalRegions: [...signalRegions].sort(),
        regions: [],
        sequence,
        recordedAt,
      });
    }

    const records = new Map<string, IndicatorRecord>();
    for (const id of touched) {
      const next = changed.get(id) ?? oldOf(id);
      if (next !== undefined) records.set(id, next);
    }
    // Only their regions are read, which a view holds in either form: no summary is needed.
    const storedViews = await this.readAll<StoredView>(
      [...records.values()]
        .map((r) => r.indicator.householdId)
        .filter((h) => !views.has(h) && !gone.has(h))
        .map((h) => VIEW + h),
    );
    // The lists an indicator is in: its household's, and each of its signals'.
    const listsOf = (indicator: Indicator | undefined): string[] =>
      indicator === undefined
        ? []
        : [
            HOUSEHOLD_INDICATORS + indicator.householdId,
            ...indicator.signalIds.map((signalId) => SIGNAL_INDICATORS + signalId),
          ];
    const lists = new ListChanges();
    for (const [id, next] of records)
      lists.move(id, listsOf(oldOf(id)?.indicator), listsOf(next.indicator));
    await this.writeLists(lists, put, del);
    for (const [id, next] of records) {
      const householdId = next.indicator.householdId;
      const view = views.get(householdId) ?? storedViews.get(VIEW + householdId);
      const regions = [...new Set([...(view?.regions ?? []), ...next.signalRegions])].sort();
      const record: IndicatorRecord = { ...next, regions };
      const old = oldOf(id);
      put(RECORD + id, { ...record, indicator: undefined });
      replaceEntries(
        old === undefined ? NO_ENTRIES : recordEntries(old),
        recordEntries(record),
        put,
        del,
      );
    }
  }

  /** The values under these keys, read concurrently: LevelDB serves reads on several threads. */
  private async readAll<T>(keys: readonly string[]): Promise<Map<string, T | undefined>> {
    const distinct = [...new Set(keys)];
    const values = await Promise.all(distinct.map((key) => this.read<T>(key)));
    return new Map(distinct.map((key, i) => [key, values[i]]));
  }

  /** Key and value of every entry under `prefix` (after `prefix + after`), in key order, from one snapshot. */
  private entries(prefix: string, after?: string): AsyncGenerator<[string, string]> {
    this.opened();
    return this.kv.entries(prefixRange(prefix, after));
  }

  private keys(prefix: string, after?: string): AsyncGenerator<string> {
    this.opened();
    return this.kv.keys(prefixRange(prefix, after));
  }

  private async lookup<T>(key: string): Promise<T | undefined> {
    this.opened();
    return this.read<T>(key);
  }

  private async read<T>(key: string): Promise<T | undefined> {
    const value = await this.readText(key);
    return value === undefined ? undefined : this.parse<T>(key, value);
  }

  /** A value as stored, through the cache for the families the fold reads. */
  private async readText(key: string): Promise<string | undefined> {
    // A store started empty keeps no cache: nearly all its writes read is absent, and its filter says so.
    if (this.written !== undefined)
      return readByWrites(key) && !this.written.mayHave(key) ? undefined : this.kv.get(key);
    if (!cached(key)) return this.kv.get(key);
    const known = this.cache.get(key);
    if (known !== undefined) return known ?? undefined;
    const generation = this.cache.generation;
    const value = await this.kv.get(key);
    if (generation === this.cache.generation) this.cache.set(key, value ?? null);
    return value;
  }

  private parse<T>(key: string, value: string): T {
    try {
      return JSON.parse(value) as T;
    } catch {
      // Not chained: the SyntaxError quotes the value, which may be personal data.
      throw new StoreError(
        'STORE_CORRUPT',
        `Unparseable value under key ${key.replaceAll(SEP, '·')} in ${this.location}`,
      );
    }
  }

  private sequenceBase(batch: StateBatch): number {
    const base = batch.sequenceBase;
    if (base === undefined || base === this.last) return this.last;
    if (this.last !== 0 || !Number.isSafeInteger(base) || base < 0) {
      throw new StoreError(
        'SEQUENCE_GAP',
        `A sequence base of ${String(base)} on a store whose events reach ${String(this.last)}`,
      );
    }
    return base;
  }

  private parseSequence(key: string, value: string | undefined): number {
    if (value === undefined) return 0;
    const sequence = this.parse<unknown>(key, value);
    if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) {
      throw new StoreError('STORE_CORRUPT', `${key} in ${this.location} is not a sequence number`);
    }
    return sequence;
  }

  private opened(): void {
    if (!this.isOpen) throw notOpen();
  }

  private transition(step: () => Promise<void>): Promise<void> {
    const run = this.lifecycle.then(step);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }
}
