/**
 * Signals as the household graph needs them, held as columns: what a bulk
 * formation (`formHouseholds`) links, and nothing more. The signals need no
 * objects of their own, and no key is looked up as they arrive: at millions
 * of signals those objects were most of a backtest's heap, and the lookups
 * a good part of its time. String keys are hashed as they arrive, while
 * they are still in the cache.
 */
import { hashString } from './key-groups.js';
import type { GraphInput } from './model.js';

const LETTER_A = 0x61;

export class HouseholdColumns {
  /** Per row (signal), in the order added. */
  readonly ids: string[] = [];
  /** `occurredAt` in epoch milliseconds. */
  readonly times: number[] = [];
  readonly addressKeys: (string | undefined)[] = [];
  /** `hashString` of the address key (0 without one), taken while the key is fresh in the cache. */
  readonly addressHashes: number[] = [];
  /** Where each row's records end in the record columns; they start where the previous row's end. */
  readonly recordEnds: number[] = [];
  /** Per record: the valid BSN as a number (nine digits, so it fits 32 bits), or -1. */
  readonly bsns: number[] = [];
  readonly nameKeys: (string | undefined)[] = [];
  /** `hashString` of the name key (0 without one). */
  readonly nameHashes: number[] = [];
  /** Per record: the first initial as 0 to 25 for `a` to `z`, or -1. */
  readonly initials: number[] = [];

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
    this.addressKeys.push(addressKey);
    this.addressHashes.push(addressKey === undefined ? 0 : hashString(addressKey));
    // Four keys a person record: ref, valid BSN, name key, first initial.
    for (let i = 0; i < keys.length; i += 4) {
      const bsn = keys[i + 1];
      const nameKey = keys[i + 2];
      const initial = keys[i + 3];
      this.bsns.push(bsn === undefined ? -1 : Number(bsn));
      this.nameKeys.push(nameKey);
      this.nameHashes.push(nameKey === undefined ? 0 : hashString(nameKey));
      this.initials.push(initial === undefined ? -1 : letterIndex(initial));
    }
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
      this.addressKeys,
      this.addressHashes,
      this.recordEnds,
      this.bsns,
      this.nameKeys,
      this.nameHashes,
      this.initials,
    ]) {
      column.length = 0;
    }
  }

  /** Where a row's records start in the record columns. */
  recordStart(row: number): number {
    return row === 0 ? 0 : this.recordEnds[row - 1]!;
  }
}

/** `firstInitial` gives one letter from `a` to `z`; anything else would be a bug there. */
function letterIndex(initial: string): number {
  const index = initial.charCodeAt(0) - LETTER_A;
  if (initial.length !== 1 || index < 0 || index >= 26) {
    throw new Error(`an initial is one letter from a to z, got ${JSON.stringify(initial)}`);
  }
  return index;
}
