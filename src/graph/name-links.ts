/**
 * The name half of person resolution (CONTRACT §2): which person records a
 * shared name key and first initial link. It needs nothing but the records'
 * name columns, which it takes as typed arrays of their own, so that a
 * backtest can link names in a worker thread while its main thread groups
 * the same records by BSN and signals by address.
 */
import { groupByKey, groupCount } from './key-groups.js';
import { KeyStore } from './key-store.js';

/** The records that have a name key, one entry each, with what linking them by name reads. */
export interface NameRecords {
  /** Each entry's record number, which `linkNames` answers in. */
  readonly records: Int32Array;
  /** The valid BSN as a number, or -1. */
  readonly bsns: Int32Array;
  /** The first initial as 0 to 25, or -1. */
  readonly initials: Int8Array;
  readonly hashes: Uint32Array;
  /** Each name key at `units[starts[j]..ends[j])`. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly units: Uint16Array;
}

/** What `NameRecords` travels in, to transfer rather than copy. */
export function nameRecordBuffers(names: NameRecords): ArrayBuffer[] {
  return [
    names.records,
    names.bsns,
    names.initials,
    names.hashes,
    names.starts,
    names.ends,
    names.units,
  ].map((array) => array.buffer as ArrayBuffer);
}

const LETTERS = 26;

/**
 * Pairs of records a shared name key and first initial link, as a flat
 * list: records `links[2k]` and `links[2k + 1]` are one person. A record
 * without initials matches every initial, so it joins its whole name group.
 * Name matching is off in a group seen with two or more valid BSNs.
 */
export function linkNames(names: NameRecords): Int32Array {
  const { records, bsns, initials, hashes, starts, ends, units } = names;
  const n = records.length;
  const entries = new Int32Array(n);
  for (let j = 0; j < n; j++) entries[j] = j;
  const compare = (a: number, b: number): number =>
    KeyStore.compareUnits(units, starts[a]!, ends[a]!, starts[b]!, ends[b]!);
  const groups = groupByKey(entries, hashes.slice(), compare);
  const links: number[] = [];
  const firstWithInitial = new Int32Array(LETTERS).fill(-1);
  for (let g = 0; g < groupCount(groups); g++) {
    const { items, starts: from } = groups;
    const group = items.subarray(from[g]!, from[g + 1]!);
    if (group.length < 2 || !nameMatchingOn(bsns, group)) continue;
    if (group.some((j) => initials[j] === -1)) {
      for (let i = 1; i < group.length; i++) links.push(records[group[0]!]!, records[group[i]!]!);
      continue;
    }
    for (const j of group) {
      const initial = initials[j]!;
      if (firstWithInitial[initial] === -1) firstWithInitial[initial] = j;
      else links.push(records[firstWithInitial[initial]!]!, records[j]!);
    }
    for (const j of group) firstWithInitial[initials[j]!] = -1;
  }
  return Int32Array.from(links);
}

/** Off for a name and birth date seen with two or more valid BSNs. */
function nameMatchingOn(bsns: Int32Array, group: Int32Array): boolean {
  let seen = -1;
  for (const j of group) {
    const bsn = bsns[j]!;
    if (bsn === -1 || bsn === seen) continue;
    if (seen !== -1) return false;
    seen = bsn;
  }
  return true;
}
