/**
 * Accepted signal ids, each numbered in the order added: the set a
 * backtest's radar tells redeliveries and conflicts by. An open-addressing
 * table over typed arrays rather than a `Map`: at a million ids a map's
 * lookup followed a chain of entries and read each entry's key string, a
 * cache miss apiece, where this reads one slot and its hash side by side
 * and a key only when the hashes match.
 */
import { outOfRange } from '../at.js';

export class IdTable {
  /** Each id, by number. */
  private readonly ids: string[] = [];
  /** Per slot: the number of the id there plus one; 0 is empty. */
  private slots = new Int32Array(1 << 16);
  /** Per slot: the hash of the id there. */
  private hashes = new Uint32Array(1 << 16);

  /**
   * FNV-1a over the id's code units, with a final mix so that ids differing
   * in the last character spread over the table: what `indexOf` and `add`
   * take, for a caller that looks an id up and then adds it.
   */
  static hash(id: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    return hash >>> 0;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The number of `id`, or -1 when it was never added; `hash` saves hashing it when it is known. */
  indexOf(id: string, hash = IdTable.hash(id)): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] ?? outOfRange(this.slots, slot);
      if (entry === 0) return -1;
      if (this.hashes[slot] === hash && this.ids[entry - 1] === id) return entry - 1;
    }
  }

  /** Adds an id not yet in the table; returns its number. */
  add(id: string, hash = IdTable.hash(id)): number {
    // At most half full, so a search for an absent id soon meets an empty slot.
    if (2 * (this.ids.length + 1) > this.slots.length) this.grow();
    const number = this.ids.length;
    this.ids.push(id);
    this.place(number + 1, hash);
    return number;
  }

  /** Lets go of every id. */
  clear(): void {
    this.ids.length = 0;
    this.slots = new Int32Array(1 << 4);
    this.hashes = new Uint32Array(1 << 4);
  }

  private place(entry: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry;
    this.hashes[slot] = hash;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(2 * slots.length);
    this.hashes = new Uint32Array(2 * slots.length);
    for (let slot = 0; slot < slots.length; slot++) {
      const entry = slots[slot] ?? outOfRange(slots, slot);
      if (entry !== 0) this.place(entry, hashes[slot] ?? outOfRange(hashes, slot));
    }
  }
}
