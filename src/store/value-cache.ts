/**
 * The most recently used stored values, as the JSON text LevelDB holds, so
 * that a batch touching a household touched a moment ago reads it from
 * memory. Bounded by entries; an absent key is cached too (`null`), since
 * "no such key" is as much an answer as a value.
 *
 * Kept exact by the one store that writes: every write puts what it wrote
 * and a read caches what it read only when no write landed while it ran
 * (`generation`), so an answer LevelDB gave from before a write can never
 * replace what the write put.
 */
export class ValueCache<V = string> {
  private readonly values = new Map<string, V | null>();
  /** Bumped by every write that lands. */
  generation = 0;

  constructor(readonly capacity: number) {}

  /** The cached value, null for a key known absent, undefined when not cached. */
  get(key: string): V | null | undefined {
    const value = this.values.get(key);
    if (value === undefined) return undefined;
    // Map keeps insertion order: moved to the end, it is the last to go.
    this.values.delete(key);
    this.values.set(key, value);
    return value;
  }

  set(key: string, value: V | null): void {
    this.values.delete(key);
    this.values.set(key, value);
    if (this.values.size <= this.capacity) return;
    const oldest = this.values.keys().next();
    if (oldest.done !== true) this.values.delete(oldest.value);
  }

  clear(): void {
    this.values.clear();
  }

  get size(): number {
    return this.values.size;
  }
}
