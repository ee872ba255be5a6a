/**
 * The latest stored event per indicator, read incrementally from the store's
 * event log: it tells which indicators were withdrawn (the radar keeps only
 * current ones) and the sequence number and time of each indicator's last
 * change.
 */
import type { IndicatorEventType } from '../engine/index.js';
import type { Indicator } from '../rules/index.js';
import type { RadarStore } from '../store/index.js';

export interface LatestEvent {
  sequence: number;
  type: IndicatorEventType;
  indicator: Indicator;
  /** Epoch milliseconds of `recordedAt`. */
  recordedAt: number;
}

export class EventIndex {
  private readonly latest = new Map<string, LatestEvent>();
  private after = 0;
  private pending: Promise<void> = Promise.resolve();

  /** Reads the events stored since the last call; concurrent calls share the work. */
  catchUp(store: RadarStore): Promise<void> {
    this.pending = this.pending.then(() => this.read(store));
    return this.pending;
  }

  get lastSequence(): number {
    return this.after;
  }

  of(indicatorId: string): LatestEvent | undefined {
    return this.latest.get(indicatorId);
  }

  /** Indicators whose latest event withdrew them, as they last stood. */
  *withdrawn(): IterableIterator<LatestEvent> {
    for (const event of this.latest.values()) if (event.type === 'WITHDRAWN') yield event;
  }

  private async read(store: RadarStore): Promise<void> {
    for await (const event of store.events(this.after)) {
      this.latest.set(event.indicator.indicatorId, {
        sequence: event.sequence,
        type: event.type,
        indicator: event.indicator,
        recordedAt: Date.parse(event.recordedAt),
      });
      this.after = event.sequence;
    }
  }
}
