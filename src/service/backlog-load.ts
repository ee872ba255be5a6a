/**
 * A backlog taken in household by household (engine/backlog-plan.ts), from
 * the signal topics into a store no one serves yet: what a first start
 * (initial-load.ts) and a rebuild (rebuild.ts) make their store with.
 *
 * 1. Every message of the ranges is read with a consumer group of its own,
 *    decoded in worker threads (consumers/decode-workers.ts), and decided
 *    on in arrival order, per partition as the consumer would:
 *    rejected ones are handed to `reject` batch by batch, accepted signals
 *    are set aside in a spool (store/signal-spool.ts).
 * 2. The accepted signals are folded by the live fold, whole households a
 *    batch, and the positions read and the counters are written last.
 */
import { rm } from 'node:fs/promises';
import type { Kafka } from 'kafkajs';
import { at } from '../at.js';
import { defaultWorkerThreads } from '../backtest/chunk-decoder.js';
import type { RadarConfig } from '../config/config.js';
import { DECODED, type DecodedBatch } from '../consumers/decode-batch.js';
import { DecodeWorkers } from '../consumers/decode-workers.js';
import { noCounts, positionKey, type BatchCounts } from '../consumers/ingestor.js';
import { deadLetter, type DeadLetter, type InboundMessage } from '../consumers/messages.js';
import { consumeRanges } from '../consumers/read-ranges.js';
import { foldBacklog } from '../engine/backlog-fold.js';
import { BacklogPlan } from '../engine/backlog-plan.js';
import { WireReader } from '../engine/prepared-wire.js';
import { SignalRejectedError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Ruleset } from '../rules/index.js';
import type { RadarStore } from '../store/index.js';
import { spoolOnDisk, type SignalSpool } from '../store/signal-spool.js';
import { retentionCutoff } from './retention.js';
import type { PartitionRange } from './signal-positions.js';

export interface BacklogLoadOptions {
  kafka: Kafka;
  /** The reading group is named this and a random suffix, and deleted after. */
  groupPrefix: string;
  /** Read from `low` up to `high` each. */
  ranges: readonly PartitionRange[];
  /** Open, marked, holding no signal yet. */
  store: RadarStore;
  /** A file made for the load and deleted after, whatever an earlier one left there. */
  spoolPath: string;
  ruleset: Ruleset;
  config: Pick<RadarConfig, 'households' | 'initialLoad' | 'retention'>;
  /** Retention is measured from it, and it is stamped on the events as their processing time. */
  now: Date;
  /** The stored event sequence the load's events follow. */
  lastSequence: number;
  /** Called with a batch's dead letters before the next batch is read. */
  reject: (letters: DeadLetter[]) => Promise<void>;
  log: Logger;
}

export interface BacklogLoaded {
  messages: number;
  counts: BatchCounts;
  positions: Map<string, string>;
  lastSequence: number;
  seconds: { read: number; fold: number };
}

/**
 * Keys a signal adds, about, to the families a store's write reads back
 * (its own, its household's, its persons' and its indicators'), for sizing
 * what the store remembers of them (`RadarStore.startEmpty`).
 */
const KEYS_READ_BY_WRITES = 12;

/** How often progress is logged while a load runs. */
const PROGRESS_MS = 10_000;

export async function loadBacklog(options: BacklogLoadOptions): Promise<BacklogLoaded> {
  const { store, config, log } = options;
  const messages = options.ranges.reduce((n, r) => n + Number(r.high - r.low), 0);
  // A directory was where a spool was before it was a file: what an interrupted load left.
  await rm(options.spoolPath, { recursive: true, force: true });
  const spool = await spoolOnDisk(options.spoolPath);
  try {
    const plan = new BacklogPlan({ ruleset: options.ruleset, ...config.households });
    const readStarted = performance.now();
    const read = await readBacklog(options, messages, plan, spool);
    // The plan numbers a signal by when it was accepted, which is where the spool holds it.
    if (spool.size !== plan.accepted)
      throw new Error(`spooled ${spool.size} signals of ${plan.accepted} accepted`);
    const readSeconds = (performance.now() - readStarted) / 1000;
    log.info(
      { ...read.counts, seconds: Math.round(readSeconds) },
      'backlog read; folding it household by household',
    );

    const foldStarted = performance.now();
    await store.startEmpty(plan.accepted * KEYS_READ_BY_WRITES);
    const progress = new Progress(log, 'backlog folding', plan.accepted);
    const folded = await foldBacklog({
      ruleset: options.ruleset,
      ...config.households,
      outside: plan.outside(),
      withdrawn: (id) => plan.withdraws(id),
      batches: plan.batches(config.initialLoad.batchSignals),
      read: (numbers) => spool.get(numbers),
      // Made durable by the last write, which alone makes the store one to resume from.
      write: (state) => store.write(state, { durable: false }),
      lastSequence: options.lastSequence,
      now: options.now,
      onBatch: (signals) => progress.add(signals),
    });
    const counts = { ...read.counts, withdrawn: folded.withdrawn, households: folded.households };
    await store.write({ offsets: read.positions, counters: { ...counts } });
    return {
      messages,
      counts,
      positions: read.positions,
      lastSequence: folded.lastSequence,
      seconds: { read: readSeconds, fold: (performance.now() - foldStarted) / 1000 },
    };
  } finally {
    await spool.close();
  }
}

/**
 * The first pass: every message decided on, per partition in offset order,
 * accepted signals set aside, dead letters handed to `reject` batch by
 * batch, in order. Batches are decoded in worker threads (and here when
 * they have enough to do) while this thread reads on from Kafka and
 * decides on the batches decoded before, in the order read.
 */
async function readBacklog(
  { config, kafka, log, now, groupPrefix, ranges, reject }: BacklogLoadOptions,
  total: number,
  plan: BacklogPlan,
  spool: SignalSpool,
): Promise<{ counts: BatchCounts; positions: Map<string, string> }> {
  const counts = noCounts();
  const positions = new Map<string, string>();
  const progress = new Progress(log, 'backlog reading', total);
  const threads = defaultWorkerThreads();
  const workers = new DecodeWorkers(
    threads,
    retentionCutoff(now, config.retention.years).getTime(),
  );
  // Batches read and not yet decided on, oldest first, each deciding after the one before. Enough
  // to keep every worker busy while this thread reads, few enough to bound the memory they hold.
  const ahead = 2 * threads + 4;
  const deciding: Promise<void>[] = [];
  const decide = async (messages: InboundMessage[], batch: DecodedBatch): Promise<void> => {
    const { texts, letters } = decideBatch(messages, batch, plan, counts, positions);
    await Promise.all([spool.put(texts), reject(letters)]);
    progress.add(messages.length);
  };
  try {
    await consumeRanges(kafka, groupPrefix, ranges, async (messages) => {
      const decoded = workers.decode(messages);
      const decided = (deciding.at(-1) ?? Promise.resolve()).then(async () =>
        decide(messages, await decoded),
      );
      // Awaited in turn below or at the end; until then, not an unhandled rejection.
      decided.catch(() => undefined);
      deciding.push(decided);
      while (deciding.length > ahead) await deciding.shift();
    });
    // Each decides after the one before, and fails when it failed: the last says for all.
    await deciding.at(-1);
  } finally {
    // Nothing may still write to the spool or hand over dead letters once this returns.
    await Promise.allSettled(deciding);
    await workers.close();
  }
  return { counts, positions };
}

/** Decides on a decoded batch, counting what became of each message; what to spool and dead-letter. */
function decideBatch(
  messages: readonly InboundMessage[],
  batch: DecodedBatch,
  plan: BacklogPlan,
  counts: BatchCounts,
  positions: Map<string, string>,
): { texts: Uint8Array[]; letters: DeadLetter[] } {
  const texts: Uint8Array[] = [];
  const letters: DeadLetter[] = [];
  const wire = new WireReader(batch.signals);
  let rejected = 0;
  let signal = 0;
  messages.forEach((message, i) => {
    const outcome = batch.outcomes[i];
    if (outcome === DECODED.REJECTED) {
      const { code, message: why, field } = at(batch.rejected, rejected++);
      counts.rejected++;
      letters.push(deadLetter(message, new SignalRejectedError(code, why, field)));
    } else if (outcome === DECODED.EXPIRED) counts.expired++;
    else {
      const n = signal++;
      try {
        if (plan.addWire(wire) === 'duplicate') counts.duplicates++;
        else {
          counts.accepted++;
          counts.droppedFields += at(batch.droppedFields, n);
          counts.warnings += at(batch.warnings, n);
          const from = n === 0 ? 0 : at(batch.textEnds, n - 1);
          texts.push(batch.texts.subarray(from, at(batch.textEnds, n)));
        }
      } catch (error) {
        if (!(error instanceof SignalRejectedError)) throw error;
        counts.rejected++;
        letters.push(deadLetter(message, error));
      }
    }
    positions.set(
      positionKey(message.topic, message.partition),
      (BigInt(message.offset) + 1n).toString(),
    );
  });
  return { texts, letters };
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
