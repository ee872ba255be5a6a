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
import { deadLetter, decodeMessage, type DeadLetter, type InboundMessage } from './messages.js';

export interface BatchCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Messages at offsets the store already holds: redelivered after a crash. */
  skipped: number;
  droppedFields: number;
  warnings: number;
}

export function noCounts(): BatchCounts {
  return { accepted: 0, duplicates: 0, rejected: 0, skipped: 0, droppedFields: 0, warnings: 0 };
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
    indicatorsPut: changes.indicators.filter((c) => c.type !== 'WITHDRAWN').map((c) => c.indicator),
    indicatorsDeleted: changes.indicators
      .filter((c) => c.type === 'WITHDRAWN')
      .map((c) => c.indicator.indicatorId),
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
   */
  constructor(
    private readonly radar: Radar,
    private readonly positions: Map<string, string>,
    private lastSequence: number,
  ) {}

  /** @param now when the batch is recorded, stamped on its indicator events */
  process(messages: readonly InboundMessage[], now = new Date()): ProcessedBatch {
    const counts = noCounts();
    const signals: Signal[] = [];
    const deadLetters: DeadLetter[] = [];
    const offsets = new Map<string, string>();
    for (const message of messages) {
      const key = positionKey(message.topic, message.partition);
      const next = this.positions.get(key);
      if (next !== undefined && BigInt(message.offset) < BigInt(next)) {
        counts.skipped++;
        continue;
      }
      try {
        const accepted = decodeMessage(message);
        if (this.radar.ingest(accepted.signal) === 'accepted') {
          signals.push(accepted.signal);
          counts.accepted++;
          counts.droppedFields += accepted.droppedFields;
          counts.warnings += accepted.warnings.length;
        } else {
          counts.duplicates++;
        }
      } catch (error) {
        if (!(error instanceof SignalRejectedError)) throw error;
        counts.rejected++;
        deadLetters.push(deadLetter(message, error));
      }
      const following = (BigInt(message.offset) + 1n).toString();
      this.positions.set(key, following);
      offsets.set(key, following);
    }

    const { state, events } = flushedBatch(this.radar, signals, this.lastSequence, now);
    this.lastSequence += events.length;
    state.offsets = offsets;
    return { state, deadLetters, events, counts };
  }
}
