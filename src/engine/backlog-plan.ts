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
import { RadarError } from '../errors.js';
import type { WireReader } from './prepared-wire.js';
import { Radar, type IngestOutcome, type RadarOptions } from './radar.js';

export type BacklogPlanOptions = Omit<
  RadarOptions,
  'formOnce' | 'keepIndicators' | 'keepAcceptedNumbers' | 'keepRuleInputs'
>;

export class BacklogPlan {
  /** Let go once the batches are planned: at twenty years, gigabytes the fold has no use for. */
  private radar: Radar | undefined;
  /** Accepted signals that withdraw others, in arrival order. */
  private readonly withdrawals: string[] = [];
  private readonly withdrawn = new Set<string>();
  private acceptedCount = 0;
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
   * Decides on the next valid signal on a wire from a decode worker
   * (consumers/decode-batch.ts) against those before it, in arrival order.
   * Throws `SignalRejectedError` (DUPLICATE_ID_CONFLICT) for another version
   * of an accepted id: the first version stays.
   */
  addWire(wire: WireReader): IngestOutcome {
    return this.formingRadar().ingestWire(wire, ({ id, retracts }) => {
      this.acceptedCount++;
      if (retracts.length > 0) {
        this.withdrawals.push(id);
        for (const target of retracts) this.withdrawn.add(target);
      }
    });
  }

  /**
   * How many signals were accepted: each is numbered by its place among
   * them, from 0, which is where a spool that set the accepted signals
   * aside in that order holds it.
   */
  get accepted(): number {
    return this.acceptedCount;
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
    const radar = this.formingRadar();
    radar.settle();
    return radar.formedOutside();
  }

  /**
   * The accepted signals to fold by their numbers, a batch at a time: at
   * least `batchSignals` each where the households allow (a household is
   * never split), every accepted signal once. Once only: the households are
   * formed by it, and the plan then lets go of everything but the batches
   * and what `withdraws` answers.
   */
  *batches(batchSignals: number): Generator<number[]> {
    if (this.planned) throw new Error('a backlog plan gives its batches once');
    this.planned = true;
    const planned = this.plan(batchSignals);
    for (let i = 0; i < planned.length; i++) {
      yield planned[i] ?? [];
      // Folded batches go as the fold goes.
      planned[i] = [];
    }
  }

  private plan(batchSignals: number): number[][] {
    const radar = this.formingRadar();
    radar.settle();
    const numbered = (ids: Iterable<string>): number[] => {
      const numbers: number[] = [];
      // A withdrawn id may never have been accepted: there is nothing to fold then.
      for (const id of ids) {
        const number = radar.acceptedNumber(id);
        if (number !== -1) numbers.push(number);
      }
      return numbers;
    };
    const withdrawing = numbered(this.withdrawals);
    const planned = inChunks(withdrawing, batchSignals);
    const skip = new Set(withdrawing);
    let batch: number[] = [];
    for (const numbers of radar.householdNumbersInOrder()) {
      for (const number of numbers) if (!skip.has(number)) batch.push(number);
      if (batch.length >= batchSignals) {
        planned.push(batch);
        batch = [];
      }
    }
    if (batch.length > 0) planned.push(batch);
    const withdrawnLast = numbered(this.withdrawn).filter((number) => !skip.has(number));
    planned.push(...inChunks(withdrawnLast, batchSignals));
    this.radar = undefined;
    return planned;
  }

  private formingRadar(): Radar {
    if (this.radar === undefined)
      throw new RadarError(
        'RADAR_FORMED_ONCE',
        'this backlog plan gave its batches and takes no more signals',
      );
    return this.radar;
  }
}

function inChunks(numbers: readonly number[], size: number): number[][] {
  const chunks: number[][] = [];
  for (let i = 0; i < numbers.length; i += size) chunks.push(numbers.slice(i, i + size));
  return chunks;
}
