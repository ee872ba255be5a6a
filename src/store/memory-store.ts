/**
 * The store in memory, for tests and for comparing a backtest with the live
 * service: the same store as on LevelDB (kv-store.ts) over a sorted map, so
 * whatever passes against one passes against the other. Values are stored
 * as JSON, so what it hands out is never an object it was given. Data
 * survives close() and a later open() of the same instance, like a
 * directory on disk.
 */
import { MemoryKv } from './kv.js';
import { KvStore } from './kv-store.js';

export class MemoryStore extends KvStore {
  constructor() {
    super(new MemoryKv(), 'memory');
  }
}
