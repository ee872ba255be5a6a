/**
 * `radar rebuild`: makes the state again from the signal topics, for a data
 * directory that is damaged or lost. The signals are read from the start of
 * every signal partition up to the high-water marks read at the start, and
 * folded by the same `StoreFold` as `radar serve`: what the lost service
 * folded household by household (backlog-load.ts), the rest as the service
 * does, one store write a Kafka batch. The rebuilt state is what the
 * service would have made of them (and what `radar backtest` makes, by the
 * law the service keeps). The positions are stored as in any batch: `radar serve` resumes
 * after the last message the rebuild read.
 *
 * It reads with a consumer group of its own, which commits nothing and is
 * deleted afterwards: the service's group and its committed offsets stay as
 * they were (the store, not the group, says what has been folded).
 *
 * What was produced before: the service commits a batch to its group only
 * after its dead letters and indicator events were produced, so below the
 * group's committed offsets every message was dead-lettered (if rejected)
 * and every change it caused is on the indicator topic already, under the
 * lost store's sequence numbers, which downstream systems deduplicate on.
 * The rebuild numbers its events on after the highest sequence on the
 * indicator topic, so no number is ever reused, and
 *
 * - for messages below the group's committed offsets it stores the events
 *   (the API's change log and indicator records need them: one per
 *   indicator as it stands once they are in) and marks them produced: the
 *   history is not produced again; rejected ones are counted, not
 *   dead-lettered again;
 * - for messages at or past them, which the lost service may never have
 *   folded, it does what the service does: dead letters produced, then the
 *   write, then the events produced.
 *
 * The directory found is moved aside, never deleted; the new store is made
 * beside it and takes its name only when complete, so an interrupted
 * rebuild leaves no half store that `radar serve` would resume from.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import leveldown from 'leveldown';
import { requireBrokers, type RadarConfig } from '../config/config.js';
import { Ingestor, noCounts, positionKey, type BatchCounts } from '../consumers/ingestor.js';
import { consumeRanges, withAdmin } from '../consumers/read-ranges.js';
import { StoreFold } from '../engine/store-fold.js';
import type { Logger } from '../log/logger.js';
import { produceLimit, produceLimits, type ProduceLimit } from '../producers/limits.js';
import { PRODUCER_CONFIG } from '../producers/producer-config.js';
import { produceDeadLetters, publishPendingEvents } from '../producers/publish.js';
import { loadRuleset } from '../rules/index.js';
import { openStore, StoreError } from '../store/index.js';
import { bringFoldStateUpToDate } from './fold-state.js';
import { bringOccurredIndexUpToDate } from './retention.js';
import { kafkaLogCreator } from './kafka-log.js';
import { loadBacklog } from './backlog-load.js';
import { committedOffsets, partitionRanges, type PartitionRange } from './signal-positions.js';
import { STORE_FORMAT } from './store-check.js';

export interface RebuildOptions {
  config: RadarConfig;
  log: Logger;
  /** Told how many signal messages there are to read, once, before the first is read. */
  onTotal?: (messages: number) => void;
  /** Told how many have been read so far, after each batch. */
  onProgress?: (read: number) => void;
}

export interface Produced {
  deadLetters: number;
  events: number;
}

export interface RebuildSummary {
  dataDir: string;
  /** Where the directory that stood there was moved; none when there was none. */
  movedTo?: string;
  /** Signal messages read, from how many partitions. */
  messages: number;
  partitions: number;
  /** Messages topic retention removed before the rebuild could read them (their signals are not in the state). */
  unavailable: number;
  counts: BatchCounts;
  /** Messages below the group's committed offsets, and what the rebuild produced for those past them. */
  committedMessages: number;
  produced: Produced;
  /** The highest sequence on the indicator topic; the rebuild's events follow it. */
  producedSequence: number;
  /** The last event sequence stored. */
  lastSequence: number;
  seconds: number;
}

/** Names a directory moved aside by the time of the rebuild, so a second one never overwrites it. */
export function asideName(dataDir: string, at: Date): string {
  return `${dataDir}.damaged-${at.toISOString().replace(/[:.]/g, '-')}`;
}

export async function rebuild(options: RebuildOptions): Promise<RebuildSummary> {
  const { config, log } = options;
  requireBrokers(config);
  const started = Date.now();
  const { dataDir } = config;
  const ruleset = await loadRuleset(config.rules);
  await refuseIfInUse(dataDir);

  const kafka = new Kafka({
    clientId: `${config.kafka.clientId}-rebuild`,
    brokers: config.kafka.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(log.child({ component: 'kafka' })),
  });
  const { topics } = config.kafka;
  const { signals, indicators, committed, limits } = await withAdmin(kafka, (admin) =>
    whereTopicsStand(admin, config, log),
  );
  const unavailable = signals.reduce((n, r) => n + Number(r.low), 0);
  if (unavailable > 0) {
    log.warn(
      { unavailable },
      'topic retention removed signal messages before this rebuild: their signals are not in the rebuilt state',
    );
  }
  const total = signals.reduce((n, r) => n + Number(r.high - r.low), 0);

  const producedSequence = await highestSequence(kafka, config.kafka.groupId, indicators);
  log.info({ producedSequence }, 'highest event sequence on the indicator topic');

  const building = `${dataDir}.rebuilding`;
  // An earlier rebuild that was interrupted left this; it is ours, and never resumed from.
  await rm(building, { recursive: true, force: true });
  const movedTo = await moveAside(dataDir, new Date());
  if (movedTo !== undefined) log.warn({ dataDir, movedTo }, 'data directory moved aside');

  const limitOf = (topic: string): ProduceLimit =>
    limits.get(topic) ?? produceLimit(config.kafka.maxProduceBytes, undefined);
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  const store = await openStore({ dataDir: building, sync: config.store.sync }).catch(
    async (error: unknown) => {
      await producer.disconnect();
      throw error;
    },
  );
  const counts = noCounts();
  const produced: Produced = { deadLetters: 0, events: 0 };
  let lastSequence = producedSequence;
  let read = 0;
  let committedMessages = 0;
  try {
    await store.write({
      marks: { store: STORE_FORMAT },
      sequenceBase: producedSequence,
      publishedSequence: producedSequence,
    });
    const foldOptions = { ruleset, ...config.households };
    await bringFoldStateUpToDate(store, foldOptions, log);
    // Marked on the empty store: the fold writes every signal's entry, so no start indexes them again.
    await bringOccurredIndexUpToDate(store);
    options.onTotal?.(total);
    const { known, fresh } = splitAtCommitted(signals, committed);
    if (known.length > 0) {
      // Folded and produced by the lost service: taken in household by household, its
      // events stored as produced, its dead letters counted, not produced again.
      const loaded = await loadBacklog({
        kafka,
        groupPrefix: `${config.kafka.groupId}-rebuild`,
        ranges: known,
        store,
        spoolPath: `${dataDir}.spool`,
        ruleset,
        config,
        now: new Date(),
        lastSequence,
        reject: () => Promise.resolve(),
        log,
      });
      Object.assign(counts, loaded.counts);
      lastSequence = loaded.lastSequence;
      await store.write({ publishedSequence: lastSequence });
      committedMessages = loaded.messages;
      read = loaded.messages;
      options.onProgress?.(read);
    }
    // What the lost service may never have folded, as the service folds it.
    const ingestor = new Ingestor(
      new StoreFold(store, foldOptions),
      await store.offsets(),
      lastSequence,
    );
    await consumeRanges(kafka, `${config.kafka.groupId}-rebuild`, fresh, async (messages) => {
      const processed = await ingestor.process(messages);
      await produceDeadLetters(producer, topics.dlq, processed.deadLetters, limitOf(topics.dlq));
      produced.deadLetters += processed.deadLetters.length;
      const next = { ...counts };
      for (const [k, v] of Object.entries(processed.counts)) next[k as keyof BatchCounts] += v;
      lastSequence += processed.events.length;
      await store.write({ ...processed.state, counters: next });
      Object.assign(counts, next);
      produced.events += await publishPendingEvents(producer, topics.indicators, store, {
        limit: limitOf(topics.indicators),
      });
      read += messages.length;
      options.onProgress?.(read);
    });
  } finally {
    await store.close();
    await producer.disconnect();
  }
  await rename(building, dataDir);
  return {
    dataDir,
    ...(movedTo !== undefined && { movedTo }),
    messages: read,
    partitions: signals.length,
    unavailable,
    counts,
    committedMessages,
    produced,
    producedSequence,
    lastSequence,
    seconds: (Date.now() - started) / 1000,
  };
}

/** What the rebuild reads of the topics before it starts, and folds or produces up to. */
async function whereTopicsStand(admin: Admin, config: RadarConfig, log: Logger) {
  const { topics, groupId, maxProduceBytes } = config.kafka;
  const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
  const existing = new Set(await admin.listTopics());
  const missing = signalTopics.filter((t) => !existing.has(t));
  if (missing.length > 0)
    log.warn({ topics: missing }, 'signal topics that do not exist: read as empty');
  return {
    committed: await committedOffsets(admin, groupId, signalTopics),
    limits: await produceLimits(
      admin,
      [topics.dlq, topics.indicators].filter((t) => existing.has(t)),
      maxProduceBytes,
    ),
    signals: await partitionRanges(
      admin,
      signalTopics.filter((t) => existing.has(t)),
    ),
    indicators: existing.has(topics.indicators)
      ? await partitionRanges(admin, [topics.indicators])
      : [],
  };
}

/**
 * Each partition's range split at the group's committed offset: below it,
 * what the lost service folded and produced; at and past it, what it may
 * never have. A partition without one is fresh whole.
 */
export function splitAtCommitted(
  ranges: readonly PartitionRange[],
  committed: ReadonlyMap<string, bigint>,
): { known: PartitionRange[]; fresh: PartitionRange[] } {
  const known: PartitionRange[] = [];
  const fresh: PartitionRange[] = [];
  for (const range of ranges) {
    const offset = committed.get(positionKey(range.topic, range.partition)) ?? range.low;
    const at = offset < range.low ? range.low : offset > range.high ? range.high : offset;
    if (at > range.low) known.push({ ...range, high: at });
    if (range.high > at) fresh.push({ ...range, low: at });
  }
  return { known, fresh };
}

/**
 * A store some radar holds open must not be moved under it: LevelDB's lock
 * says whether one does. Opening a store that is damaged fails otherwise,
 * which is expected here.
 */
async function refuseIfInUse(dataDir: string): Promise<void> {
  if (!(await exists(join(dataDir, 'CURRENT')))) return;
  const db = leveldown(dataDir);
  const failure = await new Promise<Error | undefined>((resolve) =>
    db.open({ createIfMissing: false }, (err) => resolve(err ?? undefined)),
  );
  if (failure === undefined) {
    await new Promise<void>((resolve) => db.close(() => resolve()));
    return;
  }
  if (failure.message.startsWith('IO error: lock')) {
    throw new StoreError(
      'STORE_LOCKED',
      `The data directory ${dataDir} is in use by another radar process (LevelDB holds its lock); stop it before rebuilding`,
      { cause: failure, retriable: true },
    );
  }
}

async function moveAside(dataDir: string, at: Date): Promise<string | undefined> {
  if (!(await exists(dataDir))) return undefined;
  const aside = asideName(dataDir, at);
  await rename(dataDir, aside);
  return aside;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}

/** The highest `radar-sequence` on the indicator topic; 0 when it holds no event. */
async function highestSequence(
  kafka: Kafka,
  groupId: string,
  ranges: readonly PartitionRange[],
): Promise<number> {
  let highest = 0;
  await consumeRanges(kafka, `${groupId}-rebuild`, ranges, (messages) => {
    for (const m of messages) {
      const header = m.headers['radar-sequence'];
      const sequence = Number(header?.toString());
      if (Number.isSafeInteger(sequence) && sequence > highest) highest = sequence;
    }
    return Promise.resolve();
  });
  return highest;
}
