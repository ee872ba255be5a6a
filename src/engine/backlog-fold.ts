/**
 * The second half of taking a backlog in (see backlog-plan.ts): the planned
 * batches read back from where the accepted signals were set aside, folded
 * by the live `StoreFold` and stored one batch a write, events numbered on
 * as the service numbers them.
 */
import type { Signal } from '../signals/types.js';
import type { StateBatch } from '../store/types.js';
import type { StoreFold } from './store-fold.js';

export interface BacklogFoldOptions {
  batches: Iterable<string[]>;
  /** The accepted signals under these ids, in order; others left out. */
  read: (ids: readonly string[]) => Promise<Signal[]>;
  fold: StoreFold;
  /** Stores a batch: the next is folded only after. */
  write: (state: StateBatch) => Promise<void>;
  lastSequence: number;
  /** Stamped on the events as their processing time. */
  now: Date;
  /** Told after each batch is stored, with how many signals it held. */
  onBatch?: (signals: number) => void;
}

export interface BacklogFolded {
  signals: number;
  /** Accepted signals withdrawn, and households there are, as the service counts them. */
  withdrawn: number;
  households: number;
  lastSequence: number;
}

export async function foldBacklog(options: BacklogFoldOptions): Promise<BacklogFolded> {
  const { read, fold, write, now } = options;
  const folded: BacklogFolded = {
    signals: 0,
    withdrawn: 0,
    households: 0,
    lastSequence: options.lastSequence,
  };
  for (const ids of options.batches) {
    const signals = await read(ids);
    if (signals.length === 0) continue;
    const batch = await fold.fold(signals, folded.lastSequence, now);
    // Each id comes once, and only accepted ones were set aside.
    const other = batch.outcomes.find((outcome) => outcome !== 'accepted');
    if (other !== undefined)
      throw new Error(`a backlog's signal was not new to the store it is folded into: ${other}`);
    await write(batch.state);
    folded.signals += signals.length;
    folded.withdrawn += batch.withdrawn;
    folded.households += batch.householdsAdded;
    folded.lastSequence += batch.events.length;
    options.onBatch?.(signals.length);
  }
  return folded;
}
