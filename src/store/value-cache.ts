/**
 * The most recently used values, bounded by entries: stored values as the
 * JSON text LevelDB holds, or decoded ones that never change. An absent key
 * is cached too (`null`), since "no such key" is as much an answer as a
 * value.
 *
 * Two generations rather than an exact LRU list: entries go into the young
 * map; when it is full it becomes the old one and the old one is dropped,
 * and a hit in the old map moves the entry to the young one. Least recently
 * used entries go first, at the price of two map lookups, with no delete
 * per hit (a Map that deletes and re-inserts on every hit spent more than
 * the reads it saved).
 *
 * A store that caches its values keeps them exact by writing through it:
 * every write puts what it wrote, and a read caches what it read only when
 * no write landed while it ran (`generation`), so an answer LevelDB gave
 * from before a write can never replace what the write put.
 */
export class ValueCache<V = string> {
  private young = new Map<string, V | null>();
  private old = new Map<string, V | null>();
  private readonly half: number;
  /** Bumped by every write that lands. */
  generation = 0;

  constructor(readonly capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2));
  }

  /** The cached value, null for a key known absent, undefined when not cached. */
  get(key: string): V | null | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const aging = this.old.get(key);
    if (aging !== undefined) this.set(key, aging);
    return aging;
  }

  set(key: string, value: V | null): void {
    if (this.young.size >= this.half && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
    // A value set anew must not be shadowed by an older one left behind.
    if (this.old.size > 0) this.old.delete(key);
  }

  /** Forgets one key: its value is neither known nor known absent. */
  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  /** At most `capacity`. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
