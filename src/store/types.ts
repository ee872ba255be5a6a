/**
 * What the live service keeps on disk. Everything a batch of Kafka messages
 * changes — accepted signals, the consumer positions they came from,
 * households, indicators and indicator events — is written in one atomic
 * `write`, so a crash at any instant leaves either all of it or none.
 */
import type { HouseholdSummary } from '../engine/household-summary.js';
import type { HouseholdView } from '../engine/household-view.js';
import type { IndicatorEventType } from '../engine/index.js';
import type { Indicator } from '../rules/index.js';
import type { PreparedSignal } from '../engine/prepare.js';
import type { Signal } from '../signals/types.js';

export interface StoredEvent {
  /** 1, 2, 3, … without gaps, never reused. */
  sequence: number;
  type: IndicatorEventType;
  /** For WITHDRAWN, the indicator as it last stood. */
  indicator: Indicator;
  /**
   * When the service recorded the change (RFC 3339, UTC): processing time,
   * for "what changed since" questions; event time lives in the indicator.
   */
  recordedAt: string;
}

/** `<topic>:<partition>` → the next offset to read, as Kafka's decimal string. */
export type Offsets = ReadonlyMap<string, string>;

/** What the API knows of an indicator ever raised: as it stands now, or stood when withdrawn. */
export interface IndicatorRecord {
  indicator: Indicator;
  active: boolean;
  /** The distinct regions of its signals, sorted: a signal's region never changes. */
  signalRegions: string[];
  /**
   * The regions it concerns now, sorted: its household's and its signals'.
   * A client sees it when it serves one of them.
   */
  regions: string[];
  /** The sequence and time (RFC 3339) of its latest event. */
  sequence: number;
  recordedAt: string;
}

/** Secondary indexes of household views; the key is what the view lists under that name. */
export type HouseholdIndexName = 'bsn' | 'address' | 'region' | 'level' | 'rule';

/** Secondary indexes of indicator records (current and withdrawn alike). */
export type IndicatorIndexName = 'region' | 'level' | 'rule' | 'household' | 'signal';

/**
 * What the fold keeps of its own, written with the batch that changes it:
 * every accepted signal by occurredAt, the identity keys of the signals in a
 * household, the withdrawn ids, and per address and household how many
 * distinct persons are named there.
 */
export interface FoldWrite {
  /**
   * Every accepted signal, withdrawn ones and withdrawals too, for its
   * occurredAt entry. Its prepared form is not stored: `preparedSignals`
   * makes it from the stored signal, which is the same batch's `signals`.
   */
  prepared?: readonly PreparedSignal[];
  /** Signals that enter a household: their BSN, name and address entries are put. */
  linked?: readonly PreparedSignal[];
  /** Signals that leave their household for good (withdrawn or expired): their entries are deleted. */
  unlinked?: readonly PreparedSignal[];
  /** Ids withdrawn, whether they have arrived or not. */
  retracted?: readonly string[];
  /** Deleted before the puts: an entry both deleted and put ends up put. */
  addressPersonsDeleted?: readonly { addressKey: string; householdId: string }[];
  addressPersonsPut?: readonly { addressKey: string; householdId: string; persons: number }[];
  /**
   * Signals past their retention, removed for good: the signal and its
   * occurredAt entry are deleted (its household entries go with
   * `unlinked`). `t` is its occurredAt in epoch milliseconds.
   */
  expired?: readonly { id: string; t: number }[];
}

export interface StateBatch {
  signals?: readonly Signal[];
  /**
   * `JSON.stringify` of each of `signals`, in their order, where the caller
   * has it already (a backlog's spool): written as it is, not made again.
   */
  signalTexts?: readonly string[];
  fold?: FoldWrite;
  /** Small named values (`marks()`), such as which rules and which fold the stored state was made with. */
  marks?: Readonly<Record<string, string>>;
  offsets?: Offsets;
  /** Applied after the deletes: an id both deleted and put ends up put. */
  householdsPut?: readonly HouseholdSummary[];
  householdsDeleted?: readonly string[];
  /**
   * Views of the households put, and of stored households whose view alone
   * changes (their indicators); a view is deleted with its household. Every
   * household put with a view must get one, so the API never shows a stale one.
   */
  householdViews?: readonly HouseholdView[];
  /**
   * Must continue the stored sequence exactly: `lastSequence() + 1`, `+ 2`, …
   * They are also what says which indicators are current: an indicator is
   * current while its last event is not WITHDRAWN.
   */
  events?: readonly StoredEvent[];
  /**
   * Only on a store that holds no events yet: the sequence its events go on
   * from, so that a rebuilt store never reuses a number already produced.
   */
  sequenceBase?: number;
  /** Highest event sequence produced to the indicator topic. */
  publishedSequence?: number;
  /** Absolute values that replace the stored ones. */
  counters?: Readonly<Record<string, number>>;
}

/**
 * "Ordered by id" means LevelDB's key order: UTF-8 bytes, i.e. Unicode code
 * points. It equals JavaScript's code-unit order unless ids mix characters
 * above U+FFFF with ones in U+E000–U+FFFF.
 */
export interface RadarStore {
  open(): Promise<void>;
  close(): Promise<void>;
  /**
   * Applies the whole batch atomically, or nothing of it. With `durable:
   * false` the write is not synced to disk even when the store syncs:
   * for what a crash may lose because it is made again, such as how far
   * events were produced (they are produced again, and carry their sequence).
   */
  write(batch: StateBatch, options?: { durable?: boolean }): Promise<void>;
  /** Every stored signal, in no particular order. */
  signals(): AsyncIterable<Signal>;
  offsets(): Promise<Map<string, string>>;
  /** Every household, ordered by household id. */
  households(): AsyncIterable<HouseholdSummary>;
  household(id: string): Promise<HouseholdSummary | undefined>;
  /** Every current indicator, ordered by indicator id: as its last event left it. */
  indicators(): AsyncIterable<Indicator>;
  /** The indicator if it is current. */
  indicator(id: string): Promise<Indicator | undefined>;
  /** Events with a sequence greater than `after`, in sequence order. */
  events(after: number): AsyncIterable<StoredEvent>;
  /** 0 when no event was stored yet. */
  lastSequence(): Promise<number>;
  /** 0 when none was published yet. */
  publishedSequence(): Promise<number>;
  counters(): Promise<Record<string, number>>;
  /** A stored signal by id, withdrawn ones included. */
  signal(id: string): Promise<Signal | undefined>;
  householdView(id: string): Promise<HouseholdView | undefined>;
  /** The household a signal is in now. */
  householdOfSignal(signalId: string): Promise<string | undefined>;
  /** The smallest signal of a household id ever formed, so an id outlives a merge. */
  smallestSignalOf(householdId: string): Promise<string | undefined>;
  /**
   * Ids of household views, ordered, after `after`: all of them, or those
   * listed under `key` in an index.
   */
  householdIds(
    by?: { index: HouseholdIndexName; key: string },
    after?: string,
  ): AsyncIterable<string>;
  /** A household's current indicators, by indicator id. */
  householdIndicators(householdId: string): Promise<Indicator[]>;
  /** The record of an indicator ever raised; kept after it is withdrawn. */
  indicatorRecord(id: string): Promise<IndicatorRecord | undefined>;
  /** Ids of indicator records, ordered, after `after`: all, or those under `key` in an index. */
  indicatorIds(
    by?: { index: IndicatorIndexName; key: string },
    after?: string,
  ): AsyncIterable<string>;
  /**
   * Rewrites the store so that every key is found in one table, slice by
   * slice of the key space (at most `sliceBytes` each, 128 MiB unless
   * given), asking `stopping` before each: what a store
   * written by a long backlog needs before it is read at random, as each
   * read that looks past a table is charged to it and LevelDB compacts a
   * table once enough reads were. The data is unchanged. Resolves to
   * whether it went through every slice.
   */
  compact(stopping?: () => boolean, sliceBytes?: number): Promise<boolean>;
  /** Deletes what `FoldWrite` wrote, all of it, in batches: for a store whose fold state is made anew. */
  clearFoldState(): Promise<void>;
  /**
   * For a store that holds no signal, household or indicator yet and that
   * this instance alone will write, as a backlog's load fills one: from now
   * on it remembers the keys it writes (about `expectedKeys`), and a read of
   * a key it never wrote is answered "absent" without asking the disk.
   * Rejects when the store holds any of them already.
   */
  startEmpty(expectedKeys: number): Promise<void>;
  /** Small named values written with `StateBatch.marks`. */
  marks(): Promise<Record<string, string>>;
  /** Accepted signals as prepared (made from the stored signal), by id; ids not accepted are left out. */
  preparedSignals(ids: Iterable<string>): Promise<Map<string, PreparedSignal>>;
  /** Which of these ids some accepted signal withdraws. */
  retractedIds(ids: Iterable<string>): Promise<Set<string>>;
  /** The signals in a household that name a person with this valid BSN. */
  signalsWithBsn(bsn: string): Promise<string[]>;
  /** The person records in a household with this name key, with the valid BSN each carries. */
  recordsWithName(nameKey: string): Promise<{ signalId: string; bsn: string | undefined }[]>;
  /**
   * The signals in a household at this address just before and just after
   * (t, signalId) in the address's time order: the ones a signal there links
   * to. One more than 365 days away, which links to nothing, may be left out.
   */
  addressNeighbours(addressKey: string, t: number, signalId: string): Promise<string[]>;
  /** How many distinct persons the signals at this address name, all households together. */
  personsAt(addressKey: string): Promise<number>;
  /** How many distinct persons each of these households names at this address, in order. */
  householdPersonsAt(addressKey: string, householdIds: readonly string[]): Promise<number[]>;
  /** Every household with signals at this address, with the distinct persons it names there. */
  householdsAt(addressKey: string): Promise<Map<string, number>>;
  /**
   * Up to `limit` accepted signals (withdrawals aside) whose occurredAt is
   * before `before` (epoch ms), oldest first: a range read of an index by
   * occurredAt, so retention never scans the store.
   */
  occurredBefore(before: number, limit: number): Promise<{ id: string; t: number }[]>;
  /** Calls `listener` after every write that stored events; returns how to stop. */
  onEvents(listener: (lastSequence: number) => void): () => void;
}
