/**
 * Signals set aside by id while a backlog is read, to be taken out again in
 * another order (engine/backlog-plan.ts): a LevelDB of its own beside the
 * store, written without sync and deleted whole when the backlog is in, so
 * none of it is ever compacted into the store's tables.
 */
import type { Signal } from '../signals/types.js';
import { MemoryKv, type OrderedKv } from './kv.js';
import { levelKv } from './level-store.js';

export class SignalSpool {
  private constructor(private readonly kv: OrderedKv) {}

  /** A spool in `dir`, which must not hold one already: the caller deletes what an interrupted run left. */
  static async onDisk(dir: string): Promise<SignalSpool> {
    const spool = new SignalSpool(levelKv(dir, { sync: false }));
    await spool.kv.open();
    return spool;
  }

  static inMemory(): SignalSpool {
    return new SignalSpool(new MemoryKv());
  }

  async put(signals: readonly Signal[]): Promise<void> {
    if (signals.length === 0) return;
    await this.kv.batch(
      signals.map((signal) => ({ type: 'put', key: signal.id, value: JSON.stringify(signal) })),
      false,
    );
  }

  /** The signals set aside under these ids, in their order; ids never put are left out. */
  async get(ids: readonly string[]): Promise<Signal[]> {
    const values = await Promise.all(ids.map((id) => this.kv.get(id)));
    const signals: Signal[] = [];
    for (const value of values) if (value !== undefined) signals.push(JSON.parse(value) as Signal);
    return signals;
  }

  async close(): Promise<void> {
    await this.kv.close();
  }
}
