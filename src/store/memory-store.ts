/**
 * The store in memory, for tests and for comparing a backtest with the live
 * service. It keeps LevelStore's observable behaviour exactly — the same
 * orders, the same errors, copies rather than shared objects — so whatever
 * passes against one passes against the other. Data survives close() and a
 * later open() of the same instance, like a directory on disk.
 */
import type { HouseholdSummary } from '../engine/household-summary.js';
import type { Indicator } from '../rules/index.js';
import type { Signal } from '../signals/types.js';
import { notOpen } from './errors.js';
import { continueSequence } from './sequence.js';
import type { RadarStore, StateBatch, StoredEvent } from './types.js';

/** LevelDB orders keys by their UTF-8 bytes, which is Unicode code point order. */
function byKeyOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export class MemoryStore implements RadarStore {
  private isOpen = false;
  private readonly signalsById = new Map<string, Signal>();
  private readonly offsetsByPartition = new Map<string, string>();
  private readonly householdsById = new Map<string, HouseholdSummary>();
  private readonly indicatorsById = new Map<string, Indicator>();
  /** `storedEvents[i].sequence === i + 1`. */
  private readonly storedEvents: StoredEvent[] = [];
  private published = 0;
  private readonly counterValues = new Map<string, number>();

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  async write(batch: StateBatch): Promise<void> {
    this.assertOpen();
    // Everything that can reject is checked before the first change.
    continueSequence(this.storedEvents.length, batch.events ?? []);

    for (const signal of batch.signals ?? [])
      this.signalsById.set(signal.id, structuredClone(signal));
    for (const [partition, offset] of batch.offsets ?? [])
      this.offsetsByPartition.set(partition, offset);
    for (const id of batch.householdsDeleted ?? []) this.householdsById.delete(id);
    for (const h of batch.householdsPut ?? [])
      this.householdsById.set(h.householdId, structuredClone(h));
    for (const id of batch.indicatorsDeleted ?? []) this.indicatorsById.delete(id);
    for (const i of batch.indicatorsPut ?? [])
      this.indicatorsById.set(i.indicatorId, structuredClone(i));
    for (const event of batch.events ?? []) this.storedEvents.push(structuredClone(event));
    if (batch.publishedSequence !== undefined) this.published = batch.publishedSequence;
    for (const [name, value] of Object.entries(batch.counters ?? {}))
      this.counterValues.set(name, value);
  }

  async *signals(): AsyncIterable<Signal> {
    this.assertOpen();
    for (const signal of [...this.signalsById.values()]) yield structuredClone(signal);
  }

  async offsets(): Promise<Map<string, string>> {
    this.assertOpen();
    return new Map([...this.offsetsByPartition].sort(([a], [b]) => byKeyOrder(a, b)));
  }

  async *households(): AsyncIterable<HouseholdSummary> {
    this.assertOpen();
    yield* inKeyOrder(this.householdsById);
  }

  async household(id: string): Promise<HouseholdSummary | undefined> {
    this.assertOpen();
    return cloneOrUndefined(this.householdsById.get(id));
  }

  async *indicators(): AsyncIterable<Indicator> {
    this.assertOpen();
    yield* inKeyOrder(this.indicatorsById);
  }

  async indicator(id: string): Promise<Indicator | undefined> {
    this.assertOpen();
    return cloneOrUndefined(this.indicatorsById.get(id));
  }

  async *events(after: number): AsyncIterable<StoredEvent> {
    this.assertOpen();
    for (const event of this.storedEvents.filter((e) => e.sequence > after))
      yield structuredClone(event);
  }

  async lastSequence(): Promise<number> {
    this.assertOpen();
    return this.storedEvents.length;
  }

  async publishedSequence(): Promise<number> {
    this.assertOpen();
    return this.published;
  }

  async counters(): Promise<Record<string, number>> {
    this.assertOpen();
    return Object.fromEntries([...this.counterValues].sort(([a], [b]) => byKeyOrder(a, b)));
  }

  private assertOpen(): void {
    if (!this.isOpen) throw notOpen();
  }
}

/** A snapshot taken when iteration starts, as a LevelDB iterator reads one. */
function inKeyOrder<T>(byId: ReadonlyMap<string, T>): T[] {
  return [...byId].sort(([a], [b]) => byKeyOrder(a, b)).map(([, value]) => structuredClone(value));
}

function cloneOrUndefined<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}
