/**
 * Strings kept as UTF-16 code units in one growing array, each addressed by
 * its start and end: a backtest's millions of name and address keys without
 * an object apiece. As strings they were half the objects the main thread
 * held, and every collection copied or marked each of them again. A decode
 * worker's wire carries its keys in one too, so that the radar's store
 * takes them over by copying units.
 */
import { outOfRange } from '../at.js';

export class KeyStore {
  private units: Uint16Array;
  private length = 0;

  /** `shared`: in shared memory, for a worker thread to read (see `view`). */
  constructor(private readonly shared = false) {
    this.units = this.allocate(1 << 16);
  }

  /** Where the next key added starts, and the last one added ends. */
  get end(): number {
    return this.length;
  }

  /** Appends `key`; returns its FNV-1a hash, taken while copying it. */
  add(key: string): number {
    if (this.length + key.length > this.units.length) this.grow(key.length);
    const units = this.units;
    let at = this.length;
    let hash = FNV_OFFSET;
    for (let i = 0; i < key.length; i++) {
      const unit = key.charCodeAt(i);
      units[at++] = unit;
      hash = Math.imul(hash ^ unit, FNV_PRIME);
    }
    this.length = at;
    return hash >>> 0;
  }

  /** Appends one code unit: for a key written a unit at a time, from `end` on, and ended by `hashSince`. */
  push(unit: number): void {
    if (this.length === this.units.length) this.grow(1);
    this.units[this.length++] = unit;
  }

  /** The hash `add` gives, of the key from `start` to the end: one written with `push`. */
  hashSince(start: number): number {
    const units = this.units;
    let hash = FNV_OFFSET;
    for (let i = start; i < this.length; i++) {
      hash = Math.imul(hash ^ (units[i] ?? outOfRange(units, i)), FNV_PRIME);
    }
    return hash >>> 0;
  }

  /** Appends every code unit of `units`: a batch of keys gathered and hashed elsewhere. */
  addAll(units: Uint16Array): void {
    if (this.length + units.length > this.units.length) this.grow(units.length);
    this.units.set(units, this.length);
    this.length += units.length;
  }

  /** Every key so far, in an array of their own. */
  copy(): Uint16Array<ArrayBuffer> {
    return new Uint16Array(this.units.subarray(0, this.length));
  }

  /** Every key so far, where they are: for a shared store, readable by a worker; a key added may move them. */
  view(): Uint16Array {
    return this.units.subarray(0, this.length);
  }

  /** Code-unit order of the keys at `[a, aEnd)` and `[b, bEnd)`, as `<` orders strings. */
  compare(a: number, aEnd: number, b: number, bEnd: number): number {
    return KeyStore.compareUnits(this.units, a, aEnd, b, bEnd);
  }

  /** `compare` on keys in `units`: a store's `view`, read where it is, in a worker say. */
  static compareUnits(
    units: Uint16Array,
    a: number,
    aEnd: number,
    b: number,
    bEnd: number,
  ): number {
    const length = Math.min(aEnd - a, bEnd - b);
    for (let i = 0; i < length; i++) {
      const difference =
        (units[a + i] ?? outOfRange(units, a + i)) - (units[b + i] ?? outOfRange(units, b + i));
      if (difference !== 0) return difference;
    }
    return aEnd - a - (bEnd - b);
  }

  /** Lets go of every key. */
  clear(): void {
    this.units = this.allocate(0);
    this.length = 0;
  }

  text(start: number, end: number): string {
    return KeyStore.textOf(this.units, start, end);
  }

  /** The string of the code units `units[start..end)`. */
  static textOf(units: Uint16Array, start: number, end: number): string {
    let text = '';
    // In slices: a call takes only so many arguments.
    for (let at = start; at < end; at += TEXT_SLICE) {
      text += String.fromCharCode(...units.subarray(at, Math.min(end, at + TEXT_SLICE)));
    }
    return text;
  }

  private allocate(length: number): Uint16Array {
    return this.shared
      ? new Uint16Array(new SharedArrayBuffer(2 * length))
      : new Uint16Array(length);
  }

  private grow(needed: number): void {
    const grown = this.allocate(Math.max(2 * this.units.length, this.length + needed));
    grown.set(this.units.subarray(0, this.length));
    this.units = grown;
  }
}

const TEXT_SLICE = 8192;

/** FNV-1a over UTF-16 code units, as an unsigned 32-bit number. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
