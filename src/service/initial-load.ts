/**
 * A first start on a long history: when `radar serve` finds no data
 * directory, no offsets committed by its group, and at least
 * `initialLoad.minMessages` messages on the signal topics, it takes them in
 * before it serves, in two passes (engine/backlog-plan.ts):
 *
 * 1. every message up to the high-water marks read at the start is decoded
 *    and decided on in arrival order, per partition as the consumer would;
 *    rejected ones go to the dead-letter topic as they are read, accepted
 *    signals are set aside in a spool beside the data directory;
 * 2. the accepted signals are folded by the live fold, whole households a
 *    batch, into a store made beside the data directory, and the positions
 *    read, the counters and the marks are written last.
 *
 * The store takes the data directory's name only when complete; the
 * service then sets its group's offsets to the positions stored, so that
 * its consumer starts where the load ended. An interrupted load leaves no data directory: the
 * next start loads again from the beginning, and dead letters already
 * produced are produced again (as a batch replayed after a crash is). The
 * events the load stored are produced by the service when its consumer
 * starts, as any pending ones are.
 */
import { rename, rm } from 'node:fs/promises';
import type { Kafka } from 'kafkajs';
import type { RadarConfig } from '../config/config.js';
import { noCounts, positionKey, type BatchCounts } from '../consumers/ingestor.js';
import { deadLetter, decodeMessage, type DeadLetter } from '../consumers/messages.js';
import { consumeRanges, withAdmin } from '../consumers/read-ranges.js';
import { BacklogPlan } from '../engine/backlog-plan.js';
import { foldBacklog } from '../engine/backlog-fold.js';
import { StoreFold } from '../engine/store-fold.js';
import { SignalRejectedError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { produceLimit, produceLimits, type ProduceLimit } from '../producers/limits.js';
import { PRODUCER_CONFIG } from '../producers/producer-config.js';
import { produceDeadLetters } from '../producers/publish.js';
import type { Ruleset } from '../rules/index.js';
import { openStore } from '../store/index.js';
import { SignalSpool } from '../store/signal-spool.js';
import { bringFoldStateUpToDate } from './fold-state.js';
import { pastRetention, retentionCutoff } from './retention.js';
import { partitionRanges, type PartitionRange } from './signal-positions.js';
import { STORE_FORMAT } from './store-check.js';

export interface InitialLoadOptions {
  config: RadarConfig;
  kafka: Kafka;
  ruleset: Ruleset;
  log: Logger;
  /** Retention is measured from it, and it is stamped on the events as their processing time. */
  now: Date;
}

export interface InitialLoadSummary {
  messages: number;
  counts: BatchCounts;
  lastSequence: number;
  seconds: { read: number; fold: number };
}

/** How often progress is logged while a load runs. */
const PROGRESS_MS = 10_000;

/**
 * Loads the backlog when this is a first start with one large enough; the
 * caller has found the data directory without a store and the group
 * without committed offsets. Resolves to what was loaded, or undefined.
 */
export async function loadInitialBacklog(
  options: InitialLoadOptions,
): Promise<InitialLoadSummary | undefined> {
  const { config, kafka, log } = options;
  const { minMessages } = config.initialLoad;
  if (minMessages === 0) return undefined;
  const { topics } = config.kafka;
  const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
  const { ranges, limit } = await withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = signalTopics.filter((topic) => existing.has(topic));
    const limits = existing.has(topics.dlq)
      ? await produceLimits(admin, [topics.dlq], config.kafka.maxProduceBytes)
      : new Map<string, ProduceLimit>();
    return {
      ranges: await partitionRanges(admin, present),
      limit: limits.get(topics.dlq) ?? produceLimit(config.kafka.maxProduceBytes, undefined),
    };
  });
  const total = ranges.reduce((n, r) => n + Number(r.high - r.low), 0);
  if (total < minMessages) return undefined;

  const { dataDir } = config;
  const loading = `${dataDir}.loading`;
  const spoolDir = `${dataDir}.spool`;
  // What an interrupted load left: never resumed from.
  await Promise.all([
    rm(loading, { recursive: true, force: true }),
    rm(spoolDir, { recursive: true, force: true }),
  ]);
  log.info(
    { messages: total, partitions: ranges.length },
    'first start on a backlog: loading it whole before serving',
  );

  const spool = await SignalSpool.onDisk(spoolDir);
  const producer = kafka.producer(PRODUCER_CONFIG);
  try {
    await producer.connect();
    const plan = new BacklogPlan({ ruleset: options.ruleset, ...config.households });
    const readStarted = performance.now();
    const read = await readBacklog(options, ranges, total, plan, spool, async (letters) => {
      await produceDeadLetters(producer, topics.dlq, letters, limit);
    });
    const readSeconds = (performance.now() - readStarted) / 1000;
    log.info(
      { ...read.counts, seconds: Math.round(readSeconds) },
      'backlog read; folding it household by household',
    );

    const foldStarted = performance.now();
    const store = await openStore({ dataDir: loading, sync: config.store.sync });
    let folded;
    try {
      await store.write({ marks: { store: STORE_FORMAT } });
      const foldOptions = { ruleset: options.ruleset, ...config.households };
      await bringFoldStateUpToDate(store, foldOptions, log);
      const progress = new Progress(log, 'backlog folding', plan.accepted);
      folded = await foldBacklog({
        batches: plan.batches(config.initialLoad.batchSignals),
        read: (ids) => spool.get(ids),
        fold: new StoreFold(store, foldOptions),
        // Made durable by the last write, which alone makes the store one to serve from.
        write: (state) => store.write(state, { durable: false }),
        lastSequence: 0,
        now: options.now,
        onBatch: (signals) => progress.add(signals),
      });
      const counts = { ...read.counts, withdrawn: folded.withdrawn, households: folded.households };
      await store.write({ offsets: read.positions, counters: { ...counts } });
      read.counts = counts;
    } finally {
      await store.close();
    }
    await rename(loading, dataDir);
    const summary: InitialLoadSummary = {
      messages: total,
      counts: read.counts,
      lastSequence: folded.lastSequence,
      seconds: { read: readSeconds, fold: (performance.now() - foldStarted) / 1000 },
    };
    log.info(
      { ...summary.counts, lastSequence: summary.lastSequence, seconds: summary.seconds },
      'backlog loaded',
    );
    return summary;
  } finally {
    await spool.close();
    await rm(spoolDir, { recursive: true, force: true });
    await producer.disconnect();
  }
}

/**
 * The first pass: every message decided on, per partition in offset order,
 * accepted signals set aside, dead letters handed to `reject` batch by
 * batch before the next batch is read.
 */
async function readBacklog(
  { config, kafka, log, now }: InitialLoadOptions,
  ranges: readonly PartitionRange[],
  total: number,
  plan: BacklogPlan,
  spool: SignalSpool,
  reject: (letters: DeadLetter[]) => Promise<void>,
): Promise<{ counts: BatchCounts; positions: Map<string, string> }> {
  const counts = noCounts();
  const positions = new Map<string, string>();
  const retainedFrom = retentionCutoff(now, config.retention.years).getTime();
  const progress = new Progress(log, 'backlog reading', total);
  await consumeRanges(kafka, `${config.kafka.groupId}-load`, ranges, async (messages) => {
    const accepted = [];
    const letters: DeadLetter[] = [];
    for (const message of messages) {
      try {
        const decoded = decodeMessage(message);
        if (pastRetention(decoded.signal, retainedFrom)) counts.expired++;
        else if (plan.add(decoded.signal) === 'duplicate') counts.duplicates++;
        else {
          counts.accepted++;
          counts.droppedFields += decoded.droppedFields;
          counts.warnings += decoded.warnings.length;
          accepted.push(decoded.signal);
        }
      } catch (error) {
        if (!(error instanceof SignalRejectedError)) throw error;
        counts.rejected++;
        letters.push(deadLetter(message, error));
      }
      positions.set(
        positionKey(message.topic, message.partition),
        (BigInt(message.offset) + 1n).toString(),
      );
    }
    await Promise.all([spool.put(accepted), reject(letters)]);
    progress.add(messages.length);
  });
  return { counts, positions };
}

/** Logs how far a pass has come, at most every `PROGRESS_MS`. */
class Progress {
  private done = 0;
  private loggedAt = performance.now();

  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly total: number,
  ) {}

  add(count: number): void {
    this.done += count;
    if (performance.now() - this.loggedAt < PROGRESS_MS) return;
    this.loggedAt = performance.now();
    this.log.info({ done: this.done, of: this.total }, this.what);
  }
}
