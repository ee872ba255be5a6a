/**
 * The second half of taking a backlog in (see backlog-plan.ts): the planned
 * batches read back from where the accepted signals were set aside and
 * stored one batch a write, events numbered on as the service numbers them.
 *
 * A batch holds whole households, and the plan has formed them all: what
 * lies outside a batch (a name key with matching off, an address crowded
 * by other households) is told, not read. So each batch's households are
 * formed alone, in an index of their own, by the code the live fold forms
 * them with, and put into the store as the live fold puts them; nothing is
 * read back from the store, and no household is formed twice.
 */
import { graphSignal } from '../graph/model.js';
import {
  HouseholdIndex,
  type HouseholdIndexOptions,
  type OutsideFacts,
} from '../graph/household-index.js';
import { compileRuleset, type Ruleset } from '../rules/index.js';
import type { SpooledSignal } from '../store/signal-spool.js';
import type { FoldWrite, StateBatch } from '../store/types.js';
import { putHouseholds } from './household-state.js';
import { graphOf, prepareSignal, type PreparedSignal } from './prepare.js';

export interface BacklogFoldOptions extends Omit<HouseholdIndexOptions, 'outside'> {
  ruleset: Ruleset;
  /**
   * Whole households a batch, the withdrawals before the signals they
   * withdraw: the accepted signals by their numbers (`BacklogPlan.batches`).
   */
  batches: Iterable<readonly number[]>;
  /** The accepted signals under these numbers, in order, with their JSON. */
  read: (numbers: readonly number[]) => Promise<SpooledSignal[]>;
  /** What lies outside each batch, as the whole backlog decides it (`Radar.formedOutside`). */
  outside: OutsideFacts;
  /** Whether some accepted signal of the backlog withdraws this one. */
  withdrawn: (id: string) => boolean;
  /** Stores a batch: the next is written only after, and may be folded meanwhile. */
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

export async function foldBacklog({
  ruleset,
  batches,
  read,
  outside,
  withdrawn,
  write,
  lastSequence,
  now,
  onBatch,
  ...options
}: BacklogFoldOptions): Promise<BacklogFolded> {
  const compiled = compileRuleset(ruleset);
  const folded: BacklogFolded = { signals: 0, withdrawn: 0, households: 0, lastSequence };
  /** Every id withdrawn so far: a second withdrawal of one writes nothing. */
  const retractedBefore = new Set<string>();
  // A batch is read and formed while the one before is written: the write
  // waits on LevelDB's thread, and nothing a batch forms reads the store.
  let writing: Promise<void> = Promise.resolve();
  for (const numbers of batches) {
    const spooled = await read(numbers);
    if (spooled.length === 0) continue;
    const signals = spooled.map((s) => s.signal);
    const prepared = signals.map(prepareSignal);
    const retracted: string[] = [];
    for (const { retracts } of prepared)
      for (const target of retracts)
        if (!retractedBefore.has(target)) {
          retractedBefore.add(target);
          retracted.push(target);
        }
    const adds: PreparedSignal[] = [];
    for (const p of prepared) {
      if (withdrawn(p.id)) folded.withdrawn++;
      else if (p.graph !== undefined) adds.push(p);
    }
    const fold: FoldWrite = { prepared, linked: adds, retracted };
    const state: StateBatch = { signals, signalTexts: spooled.map((s) => s.text), fold };
    if (adds.length > 0) {
      const index = new HouseholdIndex({ ...options, outside });
      const change = index.apply(
        adds.map((p) => graphSignal(p.id, graphOf(p))),
        [],
      );
      const { events } = putHouseholds(
        { change, index, prepared: new Map(adds.map((p) => [p.id, p])), before: new Map() },
        compiled,
        folded.lastSequence,
        now,
        state,
        fold,
      );
      folded.households += change.added.length;
      folded.lastSequence += events.length;
    }
    await writing;
    writing = write(state).then(() => onBatch?.(signals.length));
    // Awaited before the next write or the end; until then, not an unhandled rejection.
    writing.catch(() => undefined);
    folded.signals += signals.length;
  }
  await writing;
  return folded;
}
