import { describe, expect, it } from 'vitest';
import { MemoryKv } from '../../src/store/kv.js';
import { KvStore } from '../../src/store/kv-store.js';
import { ValueCache } from '../../src/store/value-cache.js';

describe('value cache', () => {
  it('keeps the most recently used entries up to its capacity, absent keys included', () => {
    const cache = new ValueCache(2);
    cache.set('a', '1');
    cache.set('b', null);
    expect(cache.get('a')).toBe('1');
    cache.set('c', '3');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('1');
    expect(cache.get('c')).toBe('3');
    expect(cache.size).toBe(2);
  });
});

/** A key-value store whose gets answer only when told to, to hold a read across a write. */
class HeldKv extends MemoryKv {
  held: (() => void)[] = [];
  hold = false;

  override async get(key: string): Promise<string | undefined> {
    const value = await super.get(key);
    if (!this.hold) return value;
    await new Promise<void>((resolve) => this.held.push(resolve));
    return value;
  }
}

class HeldStore extends KvStore {
  constructor(readonly heldKv: HeldKv) {
    super(heldKv, 'held', 100);
  }
}

describe('the store behind its value cache', () => {
  it('never caches an answer read before a write landed in place of what the write put', async () => {
    const kv = new HeldKv();
    const store = new HeldStore(kv);
    await store.open();
    const summary = (n: number) => ({ householdId: 'H-1', signalIds: [`S-${n}`], personCount: n });
    await store.write({ householdsPut: [summary(1)] });

    kv.hold = true;
    const stale = store.household('H-1');
    kv.hold = false;
    await store.write({ householdsPut: [summary(2)] });
    for (const release of kv.held) release();
    expect(await stale).toEqual(summary(1));
    expect(await store.household('H-1')).toEqual(summary(2));
  });

  it('answers from the cache what it wrote, and forgets what it deleted', async () => {
    const kv = new HeldKv();
    const store = new HeldStore(kv);
    await store.open();
    await store.write({
      householdsPut: [{ householdId: 'H-1', signalIds: ['S-1'], personCount: 1 }],
    });
    kv.hold = true;
    // Held gets would never answer: these come from the cache.
    expect(await store.household('H-1')).toEqual({
      householdId: 'H-1',
      signalIds: ['S-1'],
      personCount: 1,
    });
    kv.hold = false;
    await store.write({ householdsDeleted: ['H-1'] });
    kv.hold = true;
    expect(await store.household('H-1')).toBeUndefined();
  });
});
