/**
 * Turns one batch of Kafka messages into one atomic store write, the dead
 * letters to produce, and the indicator events it caused. No I/O: the
 * consumer does the producing and writing, in the order that keeps a crash
 * at any instant safe (see `service/service.ts`).
 */
import { SignalRejectedError } from '../errors.js';
import type { Radar } from '../engine/index.js';
import { viewSummary } from '../engine/household-view.js';
import type { Signal } from '../signals/types.js';
import type { StateBatch, StoredEvent } from '../store/types.js';
import type { StoreFold } from '../engine/store-fold.js';
import { pastRetention } from '../service/retention.js';
import type { AcceptedSignal } from '../signals/types.js';
import { deadLetter, decodeMessage, type DeadLetter, type InboundMessage } from './messages.js';

export interface BatchCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Messages at offsets the store already holds: redelivered after a crash. */
  skipped: number;
  droppedFields: number;
  warnings: number;
  /** Accepted signals an accepted signal retracts. */
  withdrawn: number;
  /** Households added less households gone: summed, how many there are. */
  households: number;
  /** Signals that arrived past their retention: not folded, not dead letters (see service/retention.ts). */
  expired: number;
  /** Signals a retention pass removed from the store. */
  retentionRemoved: number;
}

export function noCounts(): BatchCounts {
  return {
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    skipped: 0,
    droppedFields: 0,
    warnings: 0,
    withdrawn: 0,
    households: 0,
    expired: 0,
    retentionRemoved: 0,
  };
}

export interface ProcessedBatch {
  state: StateBatch;
  deadLetters: DeadLetter[];
  events: StoredEvent[];
  counts: BatchCounts;
}

/**
 * Flushes the radar and makes the one store write that holds what changed:
 * the accepted signals, households with their views, indicators, and the
 * indicator events numbered on from `lastSequence`. The service writes each
 * batch this way, and so does anything else that must store what it would.
 */
export function flushedBatch(
  radar: Radar,
  signals: readonly Signal[],
  lastSequence: number,
  now = new Date(),
): { state: StateBatch; events: StoredEvent[] } {
  const changes = radar.flush();
  let sequence = lastSequence;
  const events = changes.indicators.map((change): StoredEvent => ({
    sequence: ++sequence,
    type: change.type,
    indicator: change.indicator,
    recordedAt: now.toISOString(),
  }));
  // A view resolves the household's persons; its summary is read off it rather than counted again.
  const views = changes.householdsPut.map((h) => radar.householdView(h));
  const state: StateBatch = {
    signals,
    householdsPut: views.map(viewSummary),
    householdsDeleted: changes.householdsDeleted,
    householdViews: views,
    events,
  };
  return { state, events };
}

export function positionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export class Ingestor {
  /**
   * @param positions next offset per `topic:partition`, as stored with the last write
   * @param lastSequence the last indicator event sequence stored
   * @param retainedFrom the first occurredAt kept now (epoch ms): an older signal is not folded
   */
  constructor(
    private readonly fold: StoreFold,
    private readonly positions: Map<string, string>,
    private lastSequence: number,
    private readonly retainedFrom: () => number = () => -Infinity,
  ) {}

  /**
   * Decodes and folds one batch. The result must be stored before the next
   * batch is processed: the fold reads the households the store holds.
   * @param now when the batch is recorded, stamped on its indicator events
   */
  async process(messages: readonly InboundMessage[], now = new Date()): Promise<ProcessedBatch> {
    const counts = noCounts();
    const decoded: { at: number; message: InboundMessage; accepted: AcceptedSignal }[] = [];
    const letters: { at: number; letter: DeadLetter }[] = [];
    const offsets = new Map<string, string>();
    const retainedFrom = this.retainedFrom();
    messages.forEach((message, at) => {
      const key = positionKey(message.topic, message.partition);
      const next = this.positions.get(key);
      if (next !== undefined && BigInt(message.offset) < BigInt(next)) {
        counts.skipped++;
        return;
      }
      try {
        const accepted = decodeMessage(message);
        if (pastRetention(accepted.signal, retainedFrom)) counts.expired++;
        else decoded.push({ at, message, accepted });
      } catch (error) {
        if (!(error instanceof SignalRejectedError)) throw error;
        counts.rejected++;
        letters.push({ at, letter: deadLetter(message, error) });
      }
      const following = (BigInt(message.offset) + 1n).toString();
      this.positions.set(key, following);
      offsets.set(key, following);
    });

    const folded = await this.fold.fold(
      decoded.map((d) => d.accepted.signal),
      this.lastSequence,
      now,
    );
    folded.outcomes.forEach((outcome, i) => {
      const entry = decoded[i];
      if (entry === undefined) return;
      if (outcome === 'accepted') {
        counts.accepted++;
        counts.droppedFields += entry.accepted.droppedFields;
        counts.warnings += entry.accepted.warnings.length;
      } else if (outcome === 'duplicate') {
        counts.duplicates++;
      } else {
        counts.rejected++;
        letters.push({ at: entry.at, letter: deadLetter(entry.message, outcome) });
      }
    });
    counts.withdrawn = folded.withdrawn;
    counts.households = folded.householdsAdded;
    this.lastSequence += folded.events.length;
    letters.sort((a, b) => a.at - b.at);
    return {
      state: { ...folded.state, offsets },
      deadLetters: letters.map((l) => l.letter),
      events: folded.events,
      counts,
    };
  }
}
