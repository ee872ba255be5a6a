/**
 * What the fold's property tests share: the stores they run against (in
 * memory, where a run is cheap, and on LevelDB, where a directory costs a
 * run some 20 ms more) and the batches a stream of signals is cut into.
 */
import type { Signal } from '../../src/signals/types.js';
import { LevelStore, MemoryStore, type RadarStore } from '../../src/store/index.js';
import { tempDir } from '../store/temp-dir.js';

export type FreshStore = () => Promise<{ store: RadarStore; remove: () => Promise<void> }>;

/** `[name, fresh store, runs]` for `describe.each`. */
export function foldStores(runs: {
  inMemory: number;
  onLevelDb: number;
}): [string, FreshStore, number][] {
  return [
    [
      'in memory',
      async () => {
        const store = new MemoryStore();
        await store.open();
        return { store, remove: () => store.close() };
      },
      runs.inMemory,
    ],
    [
      'on LevelDB',
      async () => {
        const dir = await tempDir();
        const store = new LevelStore(dir.path, { sync: false });
        await store.open();
        return {
          store,
          remove: async () => {
            await store.close();
            await dir.remove();
          },
        };
      },
      runs.onLevelDb,
    ],
  ];
}

/** The batches: cut where `cuts` says, some signals sent twice. */
export function batchesOf(
  signals: readonly Signal[],
  cuts: readonly boolean[],
  again: readonly number[],
): Signal[][] {
  const sent = [...signals];
  for (const i of again) {
    const signal = signals[i % signals.length];
    if (signal !== undefined) sent.splice((i * 7) % (sent.length + 1), 0, signal);
  }
  const batches: Signal[][] = [[]];
  sent.forEach((signal, i) => {
    batches[batches.length - 1]?.push(signal);
    if (cuts[i % cuts.length] === true) batches.push([]);
  });
  return batches.filter((b) => b.length > 0);
}
