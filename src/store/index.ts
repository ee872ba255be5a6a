/** The radar's one storage module: a RadarStore on LevelDB, and one in memory for tests. */
import { LevelStore } from './level-store.js';

export { StoreError, type StoreErrorCode } from './errors.js';
export { LevelStore, type LevelStoreOptions } from './level-store.js';
export { MemoryStore } from './memory-store.js';
export { ValueCache } from './value-cache.js';
export type { HouseholdView } from '../engine/household-view.js';
export type {
  HouseholdIndexName,
  IndicatorIndexName,
  IndicatorRecord,
  Offsets,
  RadarStore,
  StateBatch,
  StoredEvent,
} from './types.js';

export interface OpenStoreOptions {
  /** Only one process may use it at a time. */
  dataDir: string;
  /** fsync each write before acknowledging it; default true. See LevelStoreOptions. */
  sync?: boolean;
  /** Create an empty store when there is none; default true. See LevelStoreOptions. */
  createIfMissing?: boolean;
}

export async function openStore(options: OpenStoreOptions): Promise<LevelStore> {
  const { dataDir, ...storeOptions } = options;
  const store = new LevelStore(dataDir, storeOptions);
  await store.open();
  return store;
}
