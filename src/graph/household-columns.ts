/**
 * Signals as the household graph needs them, held as columns: what a bulk
 * formation (`formHouseholds`) links, and nothing more. The signals need no
 * objects of their own, and no key is looked up as they arrive: at millions
 * of signals those objects were most of a backtest's heap, and the lookups
 * a good part of its time. Name and address keys go into a `KeyStore` as
 * they arrive, hashed while they are copied, or come with a decode
 * worker's whole batch of keys, copied in one piece (`takeKeys`), and the
 * hashes it took (`startRow`, `addRecord`).
 */
import { outOfRange } from '../at.js';
import { Int32Column } from './int32-column.js';
import { KeyStore, type KeyUnits } from './key-store.js';
import type { GraphInput } from './model.js';
import type { NameRecords } from './name-links.js';

const LETTER_A = 0x61;

/** A column that key positions are pushed onto: a plain array, or one in shared memory. */
interface Pushable {
  push(value: number): unknown;
}

export class HouseholdColumns {
  /** Per row (signal), in the order added. */
  readonly ids: string[] = [];
  /** `occurredAt` in epoch milliseconds. */
  readonly times: number[] = [];
  /** Name and address keys, each at its start and end in the store; a start of -1 means none. */
  readonly keys = new KeyStore(true);
  readonly addressStarts: number[] = [];
  readonly addressEnds: number[] = [];
  /** The address key's hash (see `KeyStore.add`), 0 without one. */
  readonly addressHashes: number[] = [];
  /** Where each row's records end in the record columns; they start where the previous row's end. */
  readonly recordEnds: number[] = [];
  /**
   * Per record: the valid BSN as a number (nine digits, so it fits 32
   * bits), or -1. The record columns are in shared memory, for a worker to
   * link the records by name (`nameRecords`).
   */
  readonly bsns = new Int32Column();
  readonly nameStarts = new Int32Column();
  readonly nameEnds = new Int32Column();
  /** The name key's hash, 0 without one, as its 32 bits. */
  readonly nameHashes = new Int32Column();
  /** Per record: the first initial as 0 to 25 for `a` to `z`, or -1. */
  readonly initials = new Int32Column();

  /** See `HouseholdIndexOptions.institutionalAddresses`. */
  constructor(readonly institutionalAddresses: ReadonlySet<string>) {}

  get rows(): number {
    return this.ids.length;
  }

  get records(): number {
    return this.bsns.length;
  }

  /** Adds a signal as the next row. */
  add(id: string, { t, addressKey, keys }: GraphInput): void {
    this.ids.push(id);
    this.times.push(t);
    this.addressHashes.push(this.store(addressKey, this.addressStarts, this.addressEnds));
    // Four keys a person record: ref, valid BSN, name key, first initial.
    for (let i = 0; i < keys.length; i += 4) {
      const bsn = keys[i + 1];
      const initial = keys[i + 3];
      this.bsns.push(bsn === undefined ? -1 : Number(bsn));
      this.nameHashes.push(this.store(keys[i + 2], this.nameStarts, this.nameEnds));
      this.initials.push(initial === undefined ? -1 : letterIndex(initial));
    }
    this.endRow();
  }

  /**
   * Copies a batch of keys, held as code units, into the store in one
   * piece; returns where the batch starts there, for `startRow` and
   * `addRecord` to address its keys by. Copying key by key took a quarter
   * of what the main thread spent taking signals in.
   */
  takeKeys(units: KeyUnits): number {
    const at = this.keys.end;
    this.keys.addAll(units);
    return at;
  }

  /**
   * `add` from keys already in the store (see `takeKeys`), the key at
   * `start` of `length` units, -1 for none, hashed as `KeyStore.add` hashes:
   * the next row's id, time and address key. Its records follow with
   * `addRecord`, and `endRow` ends it.
   */
  startRow(id: string, t: number, start: number, length: number, hash: number): void {
    this.ids.push(id);
    this.times.push(t);
    this.addressHashes.push(
      this.storeAt(start, length, hash, this.addressStarts, this.addressEnds),
    );
  }

  /** A record of the row `startRow` began: BSN as a number or -1, name key as there, initial as 0 to 25 or -1. */
  addRecord(bsn: number, start: number, length: number, hash: number, initial: number): void {
    this.bsns.push(bsn);
    this.nameHashes.push(this.storeAt(start, length, hash, this.nameStarts, this.nameEnds));
    this.initials.push(initial);
  }

  endRow(): void {
    this.recordEnds.push(this.bsns.length);
  }

  /**
   * Empties every column but `ids`, once households are formed: the rest
   * served only to link them, and a backtest's later collections would
   * mark it all again and again.
   */
  releaseLinks(): void {
    for (const column of [
      this.times,
      this.addressStarts,
      this.addressEnds,
      this.addressHashes,
      this.recordEnds,
    ]) {
      column.length = 0;
    }
    for (const column of [
      this.bsns,
      this.nameStarts,
      this.nameEnds,
      this.nameHashes,
      this.initials,
    ]) {
      column.clear();
    }
    this.keys.clear();
  }

  /** What `linkNames` needs to link those of `records` that have a name key: the columns as they are, in shared memory. */
  nameRecords(records: Int32Array): NameRecords {
    const nameStarts = this.nameStarts.view();
    const named = new Int32Array(records.length);
    let count = 0;
    for (const r of records) if (nameStarts[r] !== -1) named[count++] = r;
    const hashes = this.nameHashes.view();
    return {
      records: named.slice(0, count),
      bsns: this.bsns.view(),
      initials: this.initials.view(),
      hashes: new Uint32Array(hashes.buffer, hashes.byteOffset, hashes.length),
      starts: nameStarts,
      ends: this.nameEnds.view(),
      units: this.keys.view(),
    };
  }

  /** The address key of a row that has one. */
  addressKey(row: number): string {
    return this.keys.text(
      this.addressStarts[row] ?? outOfRange(this.addressStarts, row),
      this.addressEnds[row] ?? outOfRange(this.addressEnds, row),
    );
  }

  /** The name key of a record that has one. */
  nameKey(record: number): string {
    const starts = this.nameStarts.view();
    const ends = this.nameEnds.view();
    return this.keys.text(
      starts[record] ?? outOfRange(starts, record),
      ends[record] ?? outOfRange(ends, record),
    );
  }

  /** Code-unit order of two rows' address keys; both must have one. */
  compareAddresses(a: number, b: number): number {
    const { addressStarts: starts, addressEnds: ends } = this;
    return this.keys.compare(
      starts[a] ?? outOfRange(starts, a),
      ends[a] ?? outOfRange(ends, a),
      starts[b] ?? outOfRange(starts, b),
      ends[b] ?? outOfRange(ends, b),
    );
  }

  /** Stores `key` and notes where; returns its hash, 0 for none. */
  private store(key: string | undefined, starts: Pushable, ends: Pushable): number {
    if (key === undefined) return this.none(starts, ends);
    starts.push(this.keys.end);
    const hash = this.keys.add(key);
    ends.push(this.keys.end);
    return hash;
  }

  /** `store` for a key already in the store and its hash, a length of -1 meaning none. */
  private storeAt(
    start: number,
    length: number,
    hash: number,
    starts: Pushable,
    ends: Pushable,
  ): number {
    if (length === -1) return this.none(starts, ends);
    starts.push(start);
    ends.push(start + length);
    return hash;
  }

  private none(starts: Pushable, ends: Pushable): number {
    starts.push(-1);
    ends.push(-1);
    return 0;
  }

  /** Where a row's records start in the record columns. */
  recordStart(row: number): number {
    return row === 0 ? 0 : (this.recordEnds[row - 1] ?? outOfRange(this.recordEnds, row - 1));
  }
}

/** `firstInitial` gives one letter from `a` to `z`, as 0 to 25; anything else would be a bug there. */
export function letterIndex(initial: string): number {
  const index = initial.charCodeAt(0) - LETTER_A;
  if (initial.length !== 1 || index < 0 || index >= 26) {
    throw new Error(`an initial is one letter from a to z, got ${JSON.stringify(initial)}`);
  }
  return index;
}
