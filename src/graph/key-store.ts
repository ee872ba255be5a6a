/**
 * Strings kept as UTF-16 code units in one growing array, each addressed by
 * its start and end: a backtest's millions of name and address keys without
 * an object apiece. As strings they were half the objects the main thread
 * held, and every collection copied or marked each of them again. A decode
 * worker's wire carries its keys in one too, so that the radar's store
 * takes them over by copying units.
 *
 * The units are held a byte each until a key has one past U+00FF: keys
 * are normalised (CONTRACT §2 folds diacritics and transliterates), so
 * nearly every store stays narrow, and its array is half the size (at
 * twenty years of history 0.5 GB rather than 1 GB, the largest column a
 * first start's load holds). A unit that does not fit widens the store
 * once; reads see the same unit values either way.
 */
import { outOfRange } from '../at.js';

/** A store's units: a byte each while every unit fits one. */
export type KeyUnits<B extends ArrayBufferLike = ArrayBufferLike> = Uint8Array<B> | Uint16Array<B>;

/** The largest unit a narrow store holds. */
const NARROW_MAX = 0xff;

export class KeyStore {
  private units: KeyUnits;
  private length = 0;
  /** The largest unit `units` holds: NARROW_MAX, or 0xffff once widened. */
  private maxUnit = NARROW_MAX;

  /** `shared`: in shared memory, for a worker thread to read (see `view`). */
  constructor(private readonly shared = false) {
    this.units = this.allocate(1 << 16, false);
  }

  /** Where the next key added starts, and the last one added ends. */
  get end(): number {
    return this.length;
  }

  /** Appends `key`; returns its FNV-1a hash, taken while copying it. */
  add(key: string): number {
    if (this.length + key.length > this.units.length) this.grow(key.length);
    let units = this.units;
    let at = this.length;
    let hash = FNV_OFFSET;
    for (let i = 0; i < key.length; i++) {
      const unit = key.charCodeAt(i);
      if (unit > this.maxUnit) units = this.widen(at);
      units[at++] = unit;
      hash = Math.imul(hash ^ unit, FNV_PRIME);
    }
    this.length = at;
    return hash >>> 0;
  }

  /** Appends one code unit: for a key written a unit at a time, from `end` on, and ended by `hashSince`. */
  push(unit: number): void {
    if (this.length === this.units.length) this.grow(1);
    if (unit > this.maxUnit) this.widen(this.length);
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
  addAll(units: KeyUnits): void {
    if (this.length + units.length > this.units.length) this.grow(units.length);
    if (this.maxUnit === NARROW_MAX && units instanceof Uint16Array && !fitsNarrow(units)) {
      this.widen(this.length);
    }
    this.units.set(units, this.length);
    this.length += units.length;
  }

  /** Every key so far, in an array of their own. */
  copy(): KeyUnits<ArrayBuffer> {
    // A slice is made in an ArrayBuffer of its own, a shared store's too.
    return this.units.slice(0, this.length);
  }

  /** Every key so far, where they are: for a shared store, readable by a worker; a key added may move them. */
  view(): KeyUnits {
    return this.units.subarray(0, this.length);
  }

  /** Code-unit order of the keys at `[a, aEnd)` and `[b, bEnd)`, as `<` orders strings. */
  compare(a: number, aEnd: number, b: number, bEnd: number): number {
    return KeyStore.compareUnits(this.units, a, aEnd, b, bEnd);
  }

  /** `compare` on keys in `units`: a store's `view`, read where it is, in a worker say. */
  static compareUnits(units: KeyUnits, a: number, aEnd: number, b: number, bEnd: number): number {
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
    this.units = this.allocate(0, false);
    this.length = 0;
    this.maxUnit = NARROW_MAX;
  }

  text(start: number, end: number): string {
    return KeyStore.textOf(this.units, start, end);
  }

  /** The string of the code units `units[start..end)`. */
  static textOf(units: KeyUnits, start: number, end: number): string {
    let text = '';
    // In slices: a call takes only so many arguments.
    for (let at = start; at < end; at += TEXT_SLICE) {
      text += String.fromCharCode(...units.subarray(at, Math.min(end, at + TEXT_SLICE)));
    }
    return text;
  }

  private allocate(length: number, wide: boolean): KeyUnits {
    if (wide) {
      return this.shared
        ? new Uint16Array(new SharedArrayBuffer(2 * length))
        : new Uint16Array(length);
    }
    return this.shared ? new Uint8Array(new SharedArrayBuffer(length)) : new Uint8Array(length);
  }

  private grow(needed: number): void {
    const grown = this.allocate(
      Math.max(2 * this.units.length, this.length + needed),
      this.maxUnit !== NARROW_MAX,
    );
    grown.set(this.units.subarray(0, this.length));
    this.units = grown;
  }

  /** Holds the units two bytes each from now on, those before `end` as they are; returns the new array. */
  private widen(end: number): Uint16Array {
    const wide = this.allocate(this.units.length, true) as Uint16Array;
    wide.set(this.units.subarray(0, end));
    this.units = wide;
    this.maxUnit = 0xffff;
    return wide;
  }
}

function fitsNarrow(units: Uint16Array): boolean {
  for (const unit of units) if (unit > NARROW_MAX) return false;
  return true;
}

const TEXT_SLICE = 8192;

/** FNV-1a over UTF-16 code units, as an unsigned 32-bit number. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
