/**
 * Opens the data directory for writing only after checking that it holds
 * state to resume from (the verdicts are in `store-check.ts`): a damaged
 * store or a lost one stops the start with STORE_DAMAGED or STORE_MISSING,
 * and nothing in the directory is changed or deleted. A real first start
 * (no store, no committed offsets) makes the store as before, marked with
 * its format.
 */
import { readdir } from 'node:fs/promises';
import type { Kafka } from 'kafkajs';
import type { RadarConfig } from '../config/config.js';
import { LevelStore, StoreError } from '../store/index.js';
import { committedOffsets } from './signal-positions.js';
import {
  damaged,
  dirContents,
  judgeDir,
  judgeStore,
  levelDbFault,
  STORE_FORMAT,
  type Committed,
} from './store-check.js';

export interface CheckedStoreOptions {
  dataDir: string;
  sync: boolean;
  groupId: string;
  /** The group's committed offsets on the signal topics. */
  committed: () => Promise<Committed>;
}

export async function openCheckedStore(options: CheckedStoreOptions): Promise<LevelStore> {
  const { dataDir, groupId } = options;
  const committed = await options.committed();
  const verdict = judgeDir(dataDir, dirContents(await entries(dataDir)), committed, groupId);
  if (verdict.action === 'fail') throw verdict.error;
  const store = new LevelStore(dataDir, {
    sync: options.sync,
    createIfMissing: verdict.action === 'create',
  });
  try {
    await store.open();
  } catch (error) {
    throw asDamage(dataDir, error, 'LevelDB cannot open it');
  }
  try {
    const facts = {
      marks: await store.marks(),
      positions: await store.offsets(),
      lastSequence: await store.lastSequence(),
      counters: await store.counters(),
    };
    const judged = judgeStore(dataDir, facts, committed, groupId);
    if (judged.action === 'fail') throw judged.error;
    if (judged.action !== 'resume') await store.write({ marks: { store: STORE_FORMAT } });
    return store;
  } catch (error) {
    await store.close().catch(() => {});
    throw asDamage(dataDir, error, 'reading it failed');
  }
}

/** No store in the data directory and no offsets committed by the group: a radar's very first start. */
export async function isFirstStart(
  dataDir: string,
  groupId: string,
  committed: Committed,
): Promise<boolean> {
  return (
    judgeDir(dataDir, dirContents(await entries(dataDir)), committed, groupId).action === 'create'
  );
}

/** What `radar serve` passes: the service's group, on the three signal topics. */
export function groupCommitted(kafka: Kafka, config: RadarConfig): () => Promise<Committed> {
  return async () => {
    const { groupId, topics } = config.kafka;
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await committedOffsets(admin, groupId, [
        topics.adviesvragen,
        topics.meldingen,
        topics.politie,
      ]);
    } finally {
      await admin.disconnect();
    }
  };
}

async function entries(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * LevelDB's corruption, and files it cannot find (a manifest CURRENT names,
 * a table the manifest lists), are damage; a lock held, or a disk that
 * fails, is not, and keeps its own code.
 */
function asDamage(dataDir: string, error: unknown, what: string): unknown {
  if (!(error instanceof StoreError)) return error;
  const lost = error.code === 'STORE_IO' && /No such file|not found/i.test(error.message);
  if (error.code !== 'STORE_CORRUPT' && !lost) return error;
  const detail = levelDbFault(error.cause instanceof Error ? error.cause.message : error.message);
  return damaged(dataDir, `${what} (${detail})`);
}
