/**
 * A first start on a long history: when `radar serve` finds no data
 * directory, no offsets committed by its group, and at least
 * `initialLoad.minMessages` messages on the signal topics, it takes them in
 * household by household before it serves (backlog-load.ts), up to the
 * high-water marks read at the start, with dead letters produced as they
 * are read, into a store made beside the data directory.
 *
 * The store takes the data directory's name only when complete; the
 * service then produces its events, as any pending ones, and sets its
 * group's offsets to the positions stored, so that its consumer starts
 * where the load ended. An interrupted load leaves no data directory: the
 * next start loads again from the beginning, and dead letters already
 * produced are produced again (as a batch replayed after a crash is).
 */
import { rename, rm } from 'node:fs/promises';
import type { Admin, Kafka } from 'kafkajs';
import type { RadarConfig } from '../config/config.js';
import { withAdmin } from '../consumers/read-ranges.js';
import type { Logger } from '../log/logger.js';
import { produceLimit, produceLimits, type ProduceLimit } from '../producers/limits.js';
import { PRODUCER_CONFIG } from '../producers/producer-config.js';
import { produceDeadLetters } from '../producers/publish.js';
import type { Ruleset } from '../rules/index.js';
import { openStore } from '../store/index.js';
import { loadBacklog, type BacklogLoaded } from './backlog-load.js';
import { bringFoldStateUpToDate } from './fold-state.js';
import { bringOccurredIndexUpToDate } from './retention.js';
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

/** How many messages the signal topics hold that exist. */
async function waiting(admin: Admin, config: RadarConfig): Promise<PartitionRange[]> {
  const { topics } = config.kafka;
  const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
  const existing = new Set(await admin.listTopics());
  return partitionRanges(
    admin,
    signalTopics.filter((topic) => existing.has(topic)),
  );
}

/**
 * Whether a first start should load its backlog: at least
 * `initialLoad.minMessages` messages wait. Asked before a process is started
 * for the load, which most first starts (an empty topic, a test) need not.
 */
export async function initialLoadDue(config: RadarConfig, kafka: Kafka): Promise<boolean> {
  const { minMessages } = config.initialLoad;
  if (minMessages === 0) return false;
  const ranges = await withAdmin(kafka, (admin) => waiting(admin, config));
  return ranges.reduce((n, r) => n + Number(r.high - r.low), 0) >= minMessages;
}

/**
 * Loads the backlog when this is a first start with one large enough; the
 * caller has found the data directory without a store and the group
 * without committed offsets. Resolves to what was loaded, or undefined.
 */
export async function loadInitialBacklog(
  options: InitialLoadOptions,
): Promise<BacklogLoaded | undefined> {
  const { config, kafka, log } = options;
  const { minMessages } = config.initialLoad;
  if (minMessages === 0) return undefined;
  const { topics } = config.kafka;
  const { ranges, limit } = await withAdmin(kafka, async (admin) => {
    // Without the topic (kafka.createTopics off) the produce fails with the broker's own reason.
    const limits = (await admin.listTopics()).includes(topics.dlq)
      ? await produceLimits(admin, [topics.dlq], config.kafka.maxProduceBytes)
      : new Map<string, ProduceLimit>();
    return {
      ranges: await waiting(admin, config),
      limit: limits.get(topics.dlq) ?? produceLimit(config.kafka.maxProduceBytes, undefined),
    };
  });
  const total = ranges.reduce((n, r) => n + Number(r.high - r.low), 0);
  if (total < minMessages) return undefined;

  const { dataDir } = config;
  const loading = `${dataDir}.loading`;
  // What an interrupted load left: never resumed from.
  await rm(loading, { recursive: true, force: true });
  log.info(
    { messages: total, partitions: ranges.length },
    'first start on a backlog: loading it whole before serving',
  );

  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  let loaded: BacklogLoaded;
  try {
    const store = await openStore({ dataDir: loading, sync: config.store.sync });
    try {
      await store.write({ marks: { store: STORE_FORMAT } });
      await bringFoldStateUpToDate(store, { ruleset: options.ruleset, ...config.households }, log);
      // Marked on the empty store: the fold writes every signal's entry, so no start indexes them again.
      await bringOccurredIndexUpToDate(store);
      loaded = await loadBacklog({
        kafka,
        groupPrefix: `${config.kafka.groupId}-load`,
        ranges,
        store,
        spoolPath: `${dataDir}.spool`,
        ruleset: options.ruleset,
        config,
        now: options.now,
        lastSequence: 0,
        reject: (letters) => produceDeadLetters(producer, topics.dlq, letters, limit),
        log,
      });
    } finally {
      await store.close();
    }
  } finally {
    await producer.disconnect();
  }
  await rename(loading, dataDir);
  log.info(
    { ...loaded.counts, lastSequence: loaded.lastSequence, seconds: loaded.seconds },
    'backlog loaded',
  );
  return loaded;
}
