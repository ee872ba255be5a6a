/**
 * The name half of person resolution (CONTRACT §2): which person records a
 * shared name key and first initial link. It needs nothing but the records'
 * name columns as typed arrays, so that a backtest can link names in a
 * worker thread while its main thread groups the same records by BSN and
 * signals by address.
 */
import { outOfRange } from '../at.js';
import { groupByKey, groupCount } from './key-groups.js';
import { KeyStore, type KeyUnits } from './key-store.js';

/**
 * The records to link by name, and the record columns linking them reads,
 * indexed by record number: in a backtest, the radar's own columns in
 * shared memory, which a worker reads without a copy.
 */
export interface NameRecords {
  /** The records to link, each with a name key; the answer is in these numbers. */
  readonly records: Int32Array;
  /** The valid BSN as a number, or -1. */
  readonly bsns: Int32Array;
  /** The first initial as 0 to 25, or -1. */
  readonly initials: Int32Array;
  readonly hashes: Uint32Array;
  /** Each name key at `units[starts[r]..ends[r])`. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly units: KeyUnits;
}

const LETTERS = 26;

/**
 * Pairs of records a shared name key and first initial link, as a flat
 * list: records `links[2k]` and `links[2k + 1]` are one person. A record
 * without initials matches every initial, so it joins its whole name group.
 * Name matching is off in a group seen with two or more valid BSNs; each
 * such group is handed to `off`, for a caller that tells others about it.
 */
export function linkNames(names: NameRecords, off?: (group: Int32Array) => void): Int32Array {
  const { records, bsns, initials, hashes, starts, ends, units } = names;
  const grouped = records.slice();
  const numbers = new Uint32Array(grouped.length);
  for (let j = 0; j < grouped.length; j++) {
    const record = grouped[j] ?? outOfRange(grouped, j);
    numbers[j] = hashes[record] ?? outOfRange(hashes, record);
  }
  const compare = (a: number, b: number): number =>
    KeyStore.compareUnits(
      units,
      starts[a] ?? outOfRange(starts, a),
      ends[a] ?? outOfRange(ends, a),
      starts[b] ?? outOfRange(starts, b),
      ends[b] ?? outOfRange(ends, b),
    );
  const groups = groupByKey(grouped, numbers, compare);
  const links: number[] = [];
  const firstWithInitial = new Int32Array(LETTERS).fill(-1);
  for (let g = 0; g < groupCount(groups); g++) {
    const { items, starts: from } = groups;
    const group = items.subarray(from[g], from[g + 1]);
    if (group.length < 2) continue;
    if (!nameMatchingOn(bsns, group)) {
      off?.(group);
      continue;
    }
    if (group.some((r) => initials[r] === -1)) {
      const first = group[0] ?? outOfRange(group, 0);
      for (let i = 1; i < group.length; i++) links.push(first, group[i] ?? outOfRange(group, i));
      continue;
    }
    for (const r of group) {
      const initial = initials[r] ?? outOfRange(initials, r);
      const firstOfInitial = firstWithInitial[initial] ?? outOfRange(firstWithInitial, initial);
      if (firstOfInitial === -1) firstWithInitial[initial] = r;
      else links.push(firstOfInitial, r);
    }
    for (const r of group) firstWithInitial[initials[r] ?? outOfRange(initials, r)] = -1;
  }
  return Int32Array.from(links);
}

/** Off for a name and birth date seen with two or more valid BSNs. */
function nameMatchingOn(bsns: Int32Array, group: Int32Array): boolean {
  let seen = -1;
  for (const r of group) {
    const bsn = bsns[r] ?? outOfRange(bsns, r);
    if (bsn === -1 || bsn === seen) continue;
    if (seen !== -1) return false;
    seen = bsn;
  }
  return true;
}
