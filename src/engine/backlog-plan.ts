/**
 * A backlog taken in household by household. Folded in arrival order, a
 * family seen twenty times in twenty years is loaded and formed again
 * twenty times; folded once it is whole, once. So a large backlog is read
 * first, every signal decided on in arrival order (a new one, a redelivery,
 * or a conflicting version, whose first version stays) by a radar that forms
 * households once, as the backtest's does; then the accepted signals are
 * folded by the live `StoreFold` in the order its households give: whole
 * households a batch. Any order of the same accepted signals folds to the
 * same state (the property tests hold the fold to that), so the store ends
 * as if the backlog had been folded as it came, for a fraction of the work.
 *
 * The order: the signals that withdraw others first, so that the signals
 * they withdraw are withdrawn when they arrive and never linked; then the
 * households; then the withdrawn signals, which belong to none.
 */
import type { OutsideFacts } from '../graph/household-index.js';
import type { Signal } from '../signals/types.js';
import { Radar, type IngestOutcome, type RadarOptions } from './radar.js';

export type BacklogPlanOptions = Omit<
  RadarOptions,
  'formOnce' | 'keepIndicators' | 'keepAcceptedNumbers' | 'keepRuleInputs'
>;

export class BacklogPlan {
  private readonly radar: Radar;
  /** Accepted signals that withdraw others, in arrival order. */
  private readonly withdrawals: string[] = [];
  private readonly withdrawn = new Set<string>();
  private planned = false;

  constructor(options: BacklogPlanOptions) {
    // It forms households and says what lies outside them; the fold evaluates the rules.
    this.radar = new Radar({
      ...options,
      formOnce: true,
      keepAcceptedNumbers: true,
      keepRuleInputs: false,
    });
  }

  /**
   * Decides on a valid signal against those before it, in arrival order.
   * Throws `SignalRejectedError` (DUPLICATE_ID_CONFLICT) for another version
   * of an accepted id: the first version stays.
   */
  add(signal: Signal): IngestOutcome {
    const outcome = this.radar.ingest(signal);
    if (outcome === 'accepted' && signal.retracts.length > 0) {
      this.withdrawals.push(signal.id);
      for (const target of signal.retracts) this.withdrawn.add(target);
    }
    return outcome;
  }

  /** How many signals were accepted. */
  get accepted(): number {
    return this.radar.counts.accepted;
  }

  /**
   * The places of the accepted ones among these ids in the order accepted,
   * from 0, ids never accepted left out: where a spool that set the accepted
   * signals aside in that order holds them.
   */
  numbersOf(ids: readonly string[]): number[] {
    const numbers: number[] = [];
    for (const id of ids) {
      const number = this.radar.acceptedNumber(id);
      if (number !== -1) numbers.push(number);
    }
    return numbers;
  }

  /** Whether an accepted signal withdraws this id. */
  withdraws(id: string): boolean {
    return this.withdrawn.has(id);
  }

  /**
   * What lies outside a batch of its households (`Radar.formedOutside`):
   * the households are formed by the first call, so no signal is added after.
   */
  outside(): OutsideFacts {
    this.radar.settle();
    return this.radar.formedOutside();
  }

  /**
   * The ids to fold, a batch at a time: at least `batchSignals` each where
   * the households allow (a household is never split), every accepted id
   * once. Ids withdrawn but never accepted are among them: the reader skips
   * what it does not hold. Once only: the households are formed by it.
   */
  *batches(batchSignals: number): Generator<string[]> {
    if (this.planned) throw new Error('a backlog plan gives its batches once');
    this.planned = true;
    yield* inChunks(this.withdrawals, batchSignals);
    const withdrawing = new Set(this.withdrawals);
    this.radar.settle();
    let batch: string[] = [];
    for (const signalIds of this.radar.householdSignalIdsInOrder()) {
      for (const id of signalIds) if (!withdrawing.has(id)) batch.push(id);
      if (batch.length >= batchSignals) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    yield* inChunks(
      [...this.withdrawn].filter((id) => !withdrawing.has(id)),
      batchSignals,
    );
  }
}

function* inChunks(ids: readonly string[], size: number): Generator<string[]> {
  for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size);
}
