/**
 * Retention: signals whose `occurredAt` lies before now − the retention are
 * removed with everything derived from them, as if they had never arrived.
 * The radar stays a pure function of the signals it keeps.
 *
 * The expired signals are found by a range read of the store's index by
 * occurredAt (`oa!`), oldest first, a bounded batch at a time; each batch
 * goes through the fold's own household logic (`StoreFold.expire`: the
 * households split, their indicators are withdrawn or updated with events)
 * and is stored in one atomic write, like a Kafka batch. Withdrawals have no
 * occurredAt and are kept: a kept signal they withdraw must stay withdrawn,
 * and they carry no personal data (ids and a receipt time).
 *
 * A signal that arrives already past its retention is not folded (see
 * `pastRetention`): it is counted, not sent to the dead-letter topic, which
 * would keep the personal data retention exists to remove.
 */
import type { AuditEntry, RetentionFacts } from '../audit/index.js';
import type { ExpiredBatch, StoreFold } from '../engine/store-fold.js';
import { prepareSignal, type PreparedSignal } from '../engine/prepare.js';
import { parseTimestamp } from '../signals/dates.js';
import type { Signal } from '../signals/types.js';
import type { RadarStore } from '../store/index.js';

/** Marks a store whose every accepted signal has its `oa!` entry. */
export const OCCURRED_INDEX_MARK = 'occurredIndex';
const OCCURRED_INDEX_VERSION = '1';
/** Signals per write while the index is written for a store from before it. */
const INDEX_CHUNK = 5_000;

/** The first instant kept: `years` calendar years (UTC) before `now`. */
export function retentionCutoff(now: Date, years: number): Date {
  const cutoff = new Date(now.getTime());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  return cutoff;
}

/**
 * The settings of a signal topic the service creates: it keeps every signal
 * at least as long as the radar does (Kafka counts from when a message was
 * produced, never before it occurred), so that `radar rebuild` can fold them
 * all again, and deletes, never compacts, what is older.
 */
export function signalTopicSettings(years: number): { name: string; value: string }[] {
  const days = Math.ceil(years * 366);
  return [
    { name: 'retention.ms', value: String(days * 24 * 60 * 60 * 1000) },
    { name: 'retention.bytes', value: '-1' },
    { name: 'cleanup.policy', value: 'delete' },
  ];
}

/** Whether a signal occurred before the cutoff (epoch ms); a withdrawal never is. */
export function pastRetention(signal: Signal, cutoff: number): boolean {
  if (signal.kind === 'INTREKKING' || signal.occurredAt === undefined) return false;
  return parseTimestamp(signal.occurredAt) < cutoff;
}

/**
 * Writes the occurredAt index for a store made before it, once: every
 * stored signal's prepared form is written again (unchanged), which puts
 * its index entry beside it. Returns how many signals were indexed, or
 * undefined when the store had its index already.
 */
export async function bringOccurredIndexUpToDate(store: RadarStore): Promise<number | undefined> {
  const marks = await store.marks();
  if (marks[OCCURRED_INDEX_MARK] === OCCURRED_INDEX_VERSION) return undefined;
  let indexed = 0;
  let chunk: PreparedSignal[] = [];
  for await (const signal of store.signals()) {
    chunk.push(prepareSignal(signal));
    if (chunk.length === INDEX_CHUNK) {
      await store.write({ fold: { prepared: chunk } }, { durable: false });
      indexed += chunk.length;
      chunk = [];
    }
  }
  indexed += chunk.length;
  await store.write({
    fold: { prepared: chunk },
    marks: { [OCCURRED_INDEX_MARK]: OCCURRED_INDEX_VERSION },
  });
  return indexed;
}

/** The audit record of a retention pass: counts only, on behalf of no caller. */
export function retentionAuditEntry(facts: RetentionFacts, time: Date): AuditEntry {
  return {
    time: time.toISOString(),
    client: 'radar',
    user: 'radar',
    purpose: 'retention',
    method: 'radar/Retention',
    households: [],
    indicators: [],
    outcome: 'OK',
    retention: facts,
  };
}

export interface RemoveExpiredOptions {
  store: RadarStore;
  fold: StoreFold;
  cutoff: Date;
  /** Expired signals per write. */
  batchSize: number;
  /** Stamped on the events. */
  now: Date;
  /**
   * Stores one batch. The service adds its counters and runs it under the
   * lock that keeps a Kafka batch's fold from running at the same time.
   * @defaultValue a plain `store.write`
   */
  commit?: (batch: ExpiredBatch) => Promise<void>;
  /**
   * Runs one batch's read, fold and write; the service's lock.
   * @defaultValue runs it at once
   */
  exclusive?: <T>(step: () => Promise<T>) => Promise<T>;
  /** Asked before each batch: a stop ends the pass between batches. */
  stopping?: () => boolean;
}

/**
 * One retention pass: batches of expired signals removed until none is
 * left (or a stop is asked for). Returns what an audit record says of it.
 */
export async function removeExpired(options: RemoveExpiredOptions): Promise<RetentionFacts> {
  const { store, fold, cutoff, batchSize, now } = options;
  const commit = options.commit ?? ((batch: ExpiredBatch) => store.write(batch.state));
  const exclusive = options.exclusive ?? (<T>(step: () => Promise<T>) => step());
  const facts: RetentionFacts = {
    cutoff: cutoff.toISOString(),
    signalsRemoved: 0,
    householdsChanged: 0,
    indicatorsWithdrawn: 0,
    indicatorsUpdated: 0,
    indicatorsRaised: 0,
  };
  // Distinct over the pass: a household a later batch changes again counts once.
  const changed = new Set<string>();
  while (options.stopping?.() !== true) {
    const batch = await exclusive(async () => {
      const expired = await store.occurredBefore(cutoff.getTime(), batchSize);
      if (expired.length === 0) return undefined;
      const removed = await fold.expire(expired, await store.lastSequence(), now);
      await commit(removed);
      return removed;
    });
    if (batch === undefined) break;
    facts.signalsRemoved += batch.removed;
    for (const id of batch.householdsChanged) changed.add(id);
    for (const { type } of batch.events) {
      if (type === 'WITHDRAWN') facts.indicatorsWithdrawn++;
      else if (type === 'UPDATED') facts.indicatorsUpdated++;
      else facts.indicatorsRaised++;
    }
  }
  facts.householdsChanged = changed.size;
  return facts;
}
