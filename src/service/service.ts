/**
 * `radar serve`: consume the three signal topics into the radar and keep its
 * state on disk. Nothing of the history is held in memory: each Kafka batch
 * is folded into the households it reaches, read from the store, and goes
 *
 *   decode + fold            (reads the store, writes nothing)
 *   → dead letters produced  (so a rejected message is never lost)
 *   → one atomic store write (signals, positions, households, indicators, events)
 *   → indicator events produced, published sequence stored
 *   → offsets committed to the consumer group (for lag tools; the store is the truth)
 *
 * A crash anywhere replays at most the uncommitted batch, which the stored
 * positions and the signal ids turn into no-ops.
 *
 * Retention passes (service/retention.ts) run at start and every
 * `retention.intervalMs`, a batch of expired signals at a time, each under
 * the same lock as a Kafka batch: the fold assumes it is the only writer.
 * After a backlog the store is compacted whole while no batch comes
 * (service/compaction.ts); it changes no stored value.
 */
import { at } from '../at.js';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import type { ServingSource } from '../api/health.js';
import { requireBrokers, type RadarConfig } from '../config/config.js';
import {
  Ingestor,
  noCounts,
  type BatchCounts,
  type ProcessedBatch,
} from '../consumers/ingestor.js';
import { inboundMessages } from '../consumers/messages.js';
import { StoreFold } from '../engine/store-fold.js';
import type { Logger } from '../log/logger.js';
import type { BatchMetrics } from '../metrics/index.js';
import { produceLimit, produceLimits, type ProduceLimit } from '../producers/limits.js';
import { PRODUCER_CONFIG } from '../producers/producer-config.js';
import {
  produceDeadLetters,
  publishPendingEvents,
  type PublishOptions,
} from '../producers/publish.js';
import { withRetry } from '../retry/retry.js';
import { loadRuleset, type Ruleset } from '../rules/index.js';
import type { RadarStore } from '../store/index.js';
import { groupCommitted, isFirstStart, openCheckedStore } from './checked-store.js';
import { initialLoadDue } from './initial-load.js';
import { runInitialLoad } from './initial-load-process.js';
import { ConsumerSupervisor } from './consumer-supervisor.js';
import { kafkaLogCreator } from './kafka-log.js';
import { setGroupOffsets } from './signal-positions.js';
import { COMPACTED_MARK, compactionCheckMs, compactionDue } from './compaction.js';
import { bringFoldStateUpToDate } from './fold-state.js';
import {
  bringOccurredIndexUpToDate,
  removeExpired,
  retentionAuditEntry,
  retentionCutoff,
  signalTopicSettings,
} from './retention.js';
import type { AuditEntry } from '../audit/index.js';
import type { ExpiredBatch } from '../engine/store-fold.js';

export interface ServiceStatus {
  counts: BatchCounts;
  lastSequence: number;
}

export interface RadarServiceOptions {
  /** Where each retention pass is recorded: the audit log the API writes too. */
  audit?: { append(entry: AuditEntry): Promise<unknown> };
  /** The clock retention is measured by. @defaultValue the system's */
  now?: () => Date;
}

export class RadarService {
  private fold!: StoreFold;
  private ingestor: Ingestor | undefined;
  private countersRead = false;
  private store!: RadarStore;
  private readonly kafka: Kafka;
  private readonly supervisor: ConsumerSupervisor;
  /** How many partitions the signal topics have, known once `start` has looked. */
  private signalPartitions = 0;
  /** Largest chunk to produce, per topic, from the settings and the topics' limits. */
  private limits = new Map<string, ProduceLimit>();
  private producer!: Producer;
  private ruleset!: Ruleset;
  private readonly counts: BatchCounts = noCounts();
  private lastSequence = 0;
  private opened = false;
  /** A Kafka batch or a retention batch: one at a time, each reading what the last one stored. */
  private exclusive: Promise<unknown> = Promise.resolve();
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRun: Promise<void> | undefined;
  private compactionTimer: NodeJS.Timeout | undefined;
  private compactionRun: Promise<void> | undefined;
  /** The accepted count when the store was last compacted whole (its mark). */
  private compactedAt = 0;
  /** When the last Kafka batch was stored (performance.now()). */
  private lastBatchAt = 0;
  /** `start`'s steps that write the store, once begun. */
  private preparing: Promise<void> | undefined;
  private stopping = false;
  private readonly now: () => Date;

  constructor(
    private readonly config: RadarConfig,
    private readonly log: Logger,
    private readonly metrics?: BatchMetrics,
    private readonly options: RadarServiceOptions = {},
  ) {
    requireBrokers(config);
    this.now = options.now ?? (() => new Date());
    // Made here, connecting nothing yet, so health can follow the consumer from the start.
    this.kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(log.child({ component: 'kafka' })),
    });
    this.supervisor = new ConsumerSupervisor({
      create: () => this.createConsumer(this.kafka, this.signalPartitions),
      prepare: () => this.prepareConsumer(),
      run: (consumer) => this.runConsumer(consumer),
      policy: config.kafka.restart,
      log: log.child({ component: 'consumer' }),
    });
  }

  /** Whether the stored positions and counters have been read: `status` tells the truth from then on. */
  get resumed(): boolean {
    return this.countersRead;
  }

  get status(): ServiceStatus {
    return { counts: { ...this.counts }, lastSequence: this.lastSequence };
  }

  get state(): { store: RadarStore; ruleset: Ruleset } {
    return { store: this.store, ruleset: this.ruleset };
  }

  /**
   * Serving while the consumer is in its group: a fact of readiness, and what
   * the health service follows where no observability reads the lag.
   */
  get serving(): ServingSource {
    return this.supervisor;
  }

  /** Rejects (`CONSUMER_FAILED`) when the consumer keeps crashing and the process should end. */
  get failed(): Promise<never> {
    return this.supervisor.failed;
  }

  /**
   * Loads the rules and opens the store: enough for the API, which reads the
   * store alone, to answer while `start` catches up.
   */
  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    this.ruleset = await loadRuleset(this.config.rules);
    const { dataDir } = this.config;
    const { groupId } = this.config.kafka;
    // Read once: a load sets no group offsets (the consumer's start does).
    const committed = await groupCommitted(this.kafka, this.config)();
    const first = await isFirstStart(dataDir, groupId, committed);
    if (first && (await initialLoadDue(this.config, this.kafka))) {
      // The load produces dead letters: the topics `start` makes must be there first.
      const { topics } = this.config.kafka;
      await this.prepareTopics(this.kafka, [topics.adviesvragen, topics.meldingen, topics.politie]);
      await runInitialLoad(this.config, this.log.child({ component: 'initial-load' }), this.now());
    }
    // A damaged or lost store stops the start here (STORE_DAMAGED, STORE_MISSING).
    this.store = await openCheckedStore({
      dataDir,
      sync: this.config.store.sync,
      groupId,
      committed: () => Promise.resolve(committed),
    });
  }

  /**
   * Brings the store up to date and starts consuming. A stop that comes
   * meanwhile ends it at the next step; `stop` waits for the steps that
   * write the store, not for the consumer to join its group.
   */
  async start(): Promise<void> {
    this.preparing = this.prepareStore();
    await this.preparing;
    if (this.stopping) return;
    const { topics } = this.config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    this.signalPartitions = await this.prepareTopics(this.kafka, signalTopics);
    if (this.stopping) return;
    this.producer = this.kafka.producer(PRODUCER_CONFIG);
    await this.producer.connect();
    await this.supervisor.start();
    if (this.stopping) return;
    this.log.info({ topics: signalTopics, group: this.config.kafka.groupId }, 'consuming');
    this.retentionTimer = setInterval(() => {
      this.applyRetention().catch((error: unknown) =>
        this.log.error({ err: error }, 'retention pass failed; the next one tries again'),
      );
    }, this.config.retention.intervalMs);
    this.retentionTimer.unref();
    if (this.config.store.compactAfterSignals > 0) {
      this.lastBatchAt = performance.now();
      this.compactionTimer = setInterval(
        () => this.compactWhenDue(),
        compactionCheckMs(this.config.store),
      );
      this.compactionTimer.unref();
    }
  }

  /** Compacts the store whole in the background when a backlog was taken in and nothing comes now. */
  private compactWhenDue(): void {
    if (this.stopping || this.compactionRun !== undefined) return;
    const accepted = this.counts.accepted;
    const state = {
      acceptedSinceCompacted: accepted - this.compactedAt,
      idleMs: performance.now() - this.lastBatchAt,
    };
    if (!compactionDue(this.config.store, state)) return;
    this.compactionRun = this.compactStore(accepted, state.acceptedSinceCompacted)
      .catch((error: unknown) =>
        this.log.error({ err: error }, 'store compaction failed; it is tried again when due'),
      )
      .finally(() => {
        this.compactionRun = undefined;
      });
  }

  private async compactStore(accepted: number, since: number): Promise<void> {
    const started = performance.now();
    this.log.info({ acceptedSinceCompacted: since }, 'compacting the store after a backlog');
    // Idle time only: a batch that comes pauses it, and the next idle moment takes it up again
    // (the slices already done cost little the second time, their tables being at the bottom).
    const began = this.lastBatchAt;
    if (!(await this.store.compact(() => this.stopping || this.lastBatchAt !== began))) {
      this.log.info('store compaction paused: batches came, or the service stops');
      return;
    }
    await this.serially(() => this.store.write({ marks: { [COMPACTED_MARK]: String(accepted) } }));
    this.compactedAt = accepted;
    this.log.info({ ms: Math.round(performance.now() - started) }, 'store compacted');
  }

  private async prepareStore(): Promise<void> {
    await this.open();
    await this.prepareFold();
    await this.applyRetention();
  }

  /**
   * One retention pass, unless one is under way (then that one): expired
   * signals removed batch by batch, each batch between Kafka batches, then
   * an audit record of what it removed, in counts, when it removed any.
   */
  applyRetention(): Promise<void> {
    this.retentionRun ??= this.retentionPass().finally(() => {
      this.retentionRun = undefined;
    });
    return this.retentionRun;
  }

  private async retentionPass(): Promise<void> {
    const started = performance.now();
    const cutoff = retentionCutoff(this.now(), this.config.retention.years);
    const facts = await removeExpired({
      store: this.store,
      fold: this.fold,
      cutoff,
      batchSize: this.config.retention.batchSize,
      // Processing time, as on a Kafka batch's events; the clock above only measures retention.
      now: new Date(),
      exclusive: (step) => this.serially(step),
      commit: (batch) => this.commitExpired(batch),
      stopping: () => this.stopping,
    });
    // A pass that found nothing touched no personal data: its log line is enough.
    if (facts.signalsRemoved > 0)
      await this.options.audit?.append(retentionAuditEntry(facts, new Date()));
    this.log.info({ ...facts, ms: Math.round(performance.now() - started) }, 'retention pass');
    if (facts.signalsRemoved > 0 && this.producer !== undefined) {
      const { topics } = this.config.kafka;
      await this.serially(() =>
        publishPendingEvents(this.producer, topics.indicators, this.store, this.publishing()),
      );
    }
  }

  /** Stores one retention batch with the counters it changes, as a Kafka batch is stored. */
  private async commitExpired(batch: ExpiredBatch): Promise<void> {
    const counts = {
      ...noCounts(),
      retentionRemoved: batch.removed,
      households: batch.householdsAdded,
    };
    await withRetry(() =>
      this.store.write({ ...batch.state, counters: this.nextCounters(counts) }),
    );
    this.addCounts(counts);
    this.lastSequence += batch.events.length;
    this.metrics?.retentionDone?.(batch);
    // The ingestor numbers the next batch's events on from the sequence it holds.
    await this.resume();
  }

  private stopBackgroundWork(): void {
    this.stopping = true;
    clearInterval(this.retentionTimer);
    clearInterval(this.compactionTimer);
  }

  /** Runs `step` after every step handed in before it has ended. */
  private serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.exclusive.then(step);
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  /**
   * Before each consumer the supervisor starts: the topics' limits read
   * afresh (a refused chunk may be why the last consumer crashed), and what
   * is pending published.
   */
  private async prepareConsumer(): Promise<void> {
    this.limits = await this.produceLimits(this.kafka);
    const { indicators } = this.config.kafka.topics;
    await publishPendingEvents(this.producer, indicators, this.store, this.publishing());
    await this.startGroupAtStore();
  }

  /**
   * A group that never committed starts where the store stands rather than
   * at the topics' start: after a first start's initial load, its consumer
   * does not read the backlog again only to skip it. Set after the load's
   * events went out, so a lag of 0 means everything is in and published.
   */
  private async startGroupAtStore(): Promise<void> {
    const { groupId } = this.config.kafka;
    if ((await groupCommitted(this.kafka, this.config)()).size > 0) return;
    const positions = await this.store.offsets();
    if (positions.size === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await setGroupOffsets(admin, groupId, positions);
    } catch (error) {
      // Then the consumer reads from the start and skips what the store holds: slower, not wrong.
      this.log.warn(
        { err: error, group: groupId },
        'could not set the group to the stored positions',
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async runConsumer(consumer: Consumer): Promise<void> {
    const { topics } = this.config.kafka;
    await consumer.connect();
    await consumer.subscribe({
      topics: [topics.adviesvragen, topics.meldingen, topics.politie],
      fromBeginning: true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.serially(() => this.handleBatch(payload)),
    });
  }

  private createConsumer(kafka: Kafka, signalPartitions: number): Consumer {
    const { kafka: settings } = this.config;
    const consumer = kafka.consumer({
      groupId: settings.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: settings.sessionTimeout,
      maxBytesPerPartition: settings.maxBatchBytes,
      // kafkajs's default, or a third of the session so two beats may be lost.
      heartbeatInterval: Math.min(3000, Math.floor(settings.sessionTimeout / 3)),
      // The supervisor restarts a crashed consumer, whatever the error.
      retry: { retries: 5, restartOnFailure: async () => false },
    });
    // Households span partitions, so one service must see them all: a second
    // member in the group would leave each with half the signals.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = Object.values(payload.memberAssignment).reduce((n, p) => n + p.length, 0);
      if (assigned < signalPartitions) {
        this.log.error(
          { assigned, group: settings.groupId },
          'this service was given only some of the signal partitions: another member is in its consumer group; run one radar per group',
        );
      }
    });
    return consumer;
  }

  private publishing(): PublishOptions {
    return {
      limit: this.limitOf(this.config.kafka.topics.indicators),
      onAbridged: (sequence) =>
        this.log.warn(
          { sequence },
          'indicator event too large for the topic: produced without its signal ids and explanation',
        ),
    };
  }

  /** Creates missing topics when allowed; returns how many partitions the signal topics have. */
  private async prepareTopics(kafka: Kafka, signalTopics: string[]): Promise<number> {
    const { topics, createTopics, partitions } = this.config.kafka;
    const admin = kafka.admin();
    await admin.connect();
    try {
      if (createTopics) {
        const existing = new Set(await admin.listTopics());
        const missing = [...signalTopics, topics.dlq, topics.indicators].filter(
          (t) => !existing.has(t),
        );
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({
              topic,
              numPartitions: partitions,
              ...(signalTopics.includes(topic) && {
                configEntries: signalTopicSettings(this.config.retention.years),
              }),
            })),
          });
          this.log.info({ topics: missing }, 'created topics');
        }
      }
      const metadata = await admin.fetchTopicMetadata({ topics: signalTopics });
      return metadata.topics.reduce((n, t) => n + t.partitions.length, 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** A topic's limit as last read; before the first read, the configured size stands for it. */
  private limitOf(topic: string): ProduceLimit {
    return this.limits.get(topic) ?? produceLimit(this.config.kafka.maxProduceBytes, undefined);
  }

  private async produceLimits(kafka: Kafka): Promise<Map<string, ProduceLimit>> {
    const { topics, maxProduceBytes } = this.config.kafka;
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await produceLimits(admin, [topics.dlq, topics.indicators], maxProduceBytes);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Stops fetching, lets the batch in hand finish (stored, produced,
   * committed) and leaves the group; `stop` then closes the rest.
   */
  async stopConsuming(): Promise<void> {
    this.stopBackgroundWork();
    await this.supervisor.stop();
  }

  async stop(): Promise<void> {
    this.stopBackgroundWork();
    await this.supervisor.stop();
    await this.preparing?.catch(() => undefined);
    // A pass under way ends after its batch in hand, a compaction after its slice in hand.
    await this.retentionRun?.catch(() => undefined);
    await this.compactionRun;
    await this.producer?.disconnect();
    await this.store?.close();
  }

  /**
   * Brings a store made by an older version or under other rules up to date
   * (once; a plain restart finds nothing to do) and resumes from what it holds.
   */
  private async prepareFold(): Promise<void> {
    const options = { ruleset: this.ruleset, ...this.config.households };
    await bringFoldStateUpToDate(this.store, options, this.log);
    const indexed = await bringOccurredIndexUpToDate(this.store);
    if (indexed !== undefined) this.log.info({ signals: indexed }, 'occurredAt index written');
    this.fold = new StoreFold(this.store, options);
    await this.resume();
    const stored = await this.store.counters();
    for (const key of Object.keys(this.counts) as (keyof BatchCounts)[])
      this.counts[key] = stored[key] ?? 0;
    this.compactedAt = Number((await this.store.marks())[COMPACTED_MARK] ?? 0);
    this.countersRead = true;
  }

  /** Takes up the stored positions and event sequence: at start, and after a failed batch. */
  private async resume(): Promise<void> {
    this.lastSequence = await this.store.lastSequence();
    this.ingestor = new Ingestor(this.fold, await this.store.offsets(), this.lastSequence, () =>
      retentionCutoff(this.now(), this.config.retention.years).getTime(),
    );
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    // A consumer that joined after the stop began, its store closed: left uncommitted, to be delivered again.
    if (batch.messages.length === 0 || this.stopping) return;
    const started = performance.now();
    const messages = inboundMessages(batch);
    const { topics } = this.config.kafka;
    let processed: ProcessedBatch;
    try {
      // The consumer runs only after `start` made the ingestor.
      if (this.ingestor === undefined)
        throw new Error('a batch arrived before the service started');
      processed = await this.ingestor.process(messages);
      await produceDeadLetters(
        this.producer,
        topics.dlq,
        processed.deadLetters,
        this.limitOf(topics.dlq),
      );
      await withRetry(() =>
        this.store.write({ ...processed.state, counters: this.nextCounters(processed.counts) }),
      );
      this.addCounts(processed.counts);
      this.lastSequence += processed.events.length;
      this.lastBatchAt = performance.now();
      for (const letter of processed.deadLetters) {
        this.log.warn(
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: letter.headers['radar-source-offset'],
            reason: letter.headers['radar-reason'],
          },
          'rejected message sent to the dead-letter topic',
        );
      }
    } catch (error) {
      // The ingestor's positions may be ahead of the store now: take up the
      // stored ones and let kafkajs deliver the batch again.
      this.log.error(
        { err: error, topic: batch.topic, partition: batch.partition },
        'batch failed; resuming from the store',
      );
      await this.resume();
      throw error;
    }
    await publishPendingEvents(this.producer, topics.indicators, this.store, this.publishing());
    const last = at(batch.messages, batch.messages.length - 1).offset;
    payload.resolveOffset(last);
    // Through the batch's own commit: the consumer's `commitOffsets` does nothing once a
    // stop has begun, and a graceful stop must commit the batch it lets finish.
    await payload.commitOffsetsIfNecessary({
      topics: [
        {
          topic: batch.topic,
          partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
        },
      ],
    });
    this.metrics?.batchDone(
      processed,
      (performance.now() - started) / 1000,
      this.fold.lastEvaluationSeconds,
    );
    await payload.heartbeat();
  }

  private nextCounters(counts: BatchCounts): Record<string, number> {
    const next: Record<string, number> = {};
    for (const [k, v] of Object.entries(counts) as [keyof BatchCounts, number][])
      next[k] = this.counts[k] + v;
    return next;
  }

  private addCounts(counts: BatchCounts): void {
    for (const [k, v] of Object.entries(counts)) this.counts[k as keyof BatchCounts] += v;
  }
}
