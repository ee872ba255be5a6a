/**
 * Persons and households (CONTRACT §2) formed once, from scratch, over
 * signals held as `HouseholdColumns`: the partition `HouseholdIndex` keeps
 * up to date one change at a time, computed in a few passes over typed
 * arrays. A backtest needs the end state alone, and at millions of signals
 * this is several times faster than loading the index. The property tests
 * hold the two to the same households and person counts.
 */
import { sortRange } from '../sort-range.js';
import type { HouseholdColumns } from './household-columns.js';
import { groupByKey, groupCount, type CompareKeys, type Groups } from './key-groups.js';
import { ADDRESS_LINK_WINDOW_MS } from './model.js';
import { UnionFind } from './union-find.js';

export interface FormedHouseholds {
  /** Each household's rows, in no particular order: household h is group h. */
  readonly households: Groups;
  /** Distinct persons each household's signals name. */
  readonly personCounts: Int32Array;
}

export interface FormOptions {
  /** Whether each row takes part: withdrawn signals are in the columns but in no household. */
  active: (row: number) => boolean;
  /** An address whose signals name more than this many distinct persons is institutional. */
  institutionalPersonThreshold: number;
}

const LETTERS = 26;

export function formHouseholds(columns: HouseholdColumns, options: FormOptions): FormedHouseholds {
  const rows = select(columns.rows, options.active);
  const rowOfRecord = new Int32Array(columns.records).fill(-1);
  for (const row of rows) {
    for (let r = columns.recordStart(row); r < columns.recordEnds[row]!; r++) rowOfRecord[r] = row;
  }
  const records = select(columns.records, (r) => rowOfRecord[r] !== -1);
  const persons = resolvePersons(columns, records);
  const signals = new UnionFind(columns.rows);
  linkThroughPersons(signals, persons, records, rowOfRecord);
  linkAlongAddresses(signals, columns, rows, persons, options.institutionalPersonThreshold);
  const households = groupByKey(
    ...keyed(
      rows,
      () => true,
      (row) => signals.find(row),
    ),
  );
  const personCounts = new Int32Array(groupCount(households));
  const counted = new Int32Array(columns.records);
  for (let h = 0; h < personCounts.length; h++) {
    const { starts } = households;
    personCounts[h] = countPersons(columns, households.items, starts[h]!, starts[h + 1]!, {
      persons,
      counted,
      mark: h + 1,
    });
  }
  return { households, personCounts };
}

/** The numbers below `count` that pass `test`, in order. */
function select(count: number, test: (n: number) => boolean): Int32Array {
  const selected = new Int32Array(count);
  let length = 0;
  for (let n = 0; n < count; n++) if (test(n)) selected[length++] = n;
  return selected.slice(0, length);
}

/** The items that pass `test`, with each one's number. */
function keyed(
  items: Int32Array,
  test: (item: number) => boolean,
  numberOf: (item: number) => number,
): [items: Int32Array, numbers: Uint32Array] {
  const kept = new Int32Array(items.length);
  const numbers = new Uint32Array(items.length);
  let length = 0;
  for (const item of items) {
    if (!test(item)) continue;
    kept[length] = item;
    numbers[length++] = numberOf(item);
  }
  return [kept.subarray(0, length), numbers.subarray(0, length)];
}

/** The items that have a stored key (a start other than -1), grouped by it, through the hashes taken as the keys arrived. */
function groupByStoredKey(
  items: Int32Array,
  starts: readonly number[],
  hashes: readonly number[],
  compareKeys: CompareKeys,
): Groups {
  return groupByKey(
    ...keyed(
      items,
      (item) => starts[item] !== -1,
      (item) => hashes[item]!,
    ),
    compareKeys,
  );
}

/** Records linked by a shared valid BSN, or by name key and first initial where name matching is on. */
function resolvePersons(columns: HouseholdColumns, records: Int32Array): UnionFind {
  const { bsns, nameStarts, nameHashes, initials } = columns;
  const persons = new UnionFind(columns.records);
  const byBsn = groupByKey(
    ...keyed(
      records,
      (r) => bsns[r] !== -1,
      (r) => bsns[r]!,
    ),
  );
  const { items: withBsn, starts: bsnStarts } = byBsn;
  for (let g = 0; g < groupCount(byBsn); g++) {
    const first = withBsn[bsnStarts[g]!]!;
    for (let i = bsnStarts[g]! + 1; i < bsnStarts[g + 1]!; i++) persons.union(first, withBsn[i]!);
  }
  const byName = groupByStoredKey(records, nameStarts, nameHashes, (a, b) =>
    columns.compareNames(a, b),
  );
  const firstWithInitial = new Int32Array(LETTERS).fill(-1);
  for (let g = 0; g < groupCount(byName); g++) {
    const { items, starts } = byName;
    const from = starts[g]!;
    const to = starts[g + 1]!;
    if (to - from < 2 || !nameMatchingOn(bsns, items, from, to)) continue;
    linkByInitial(persons, initials, items.subarray(from, to), firstWithInitial);
  }
  return persons;
}

/** Off for a name and birth date seen with two or more valid BSNs. */
function nameMatchingOn(
  bsns: readonly number[],
  records: Int32Array,
  from: number,
  to: number,
): boolean {
  let seen = -1;
  for (let i = from; i < to; i++) {
    const bsn = bsns[records[i]!]!;
    if (bsn === -1 || bsn === seen) continue;
    if (seen !== -1) return false;
    seen = bsn;
  }
  return true;
}

/**
 * A record without initials matches every initial, so it joins the whole
 * group; otherwise records join by first initial. `firstWithInitial` is
 * all -1 on entry and left so.
 */
function linkByInitial(
  persons: UnionFind,
  initials: readonly number[],
  group: Int32Array,
  firstWithInitial: Int32Array,
): void {
  for (const r of group) {
    if (initials[r] !== -1) continue;
    for (const other of group) persons.union(r, other);
    return;
  }
  for (const r of group) {
    const initial = initials[r]!;
    if (firstWithInitial[initial] === -1) firstWithInitial[initial] = r;
    else persons.union(firstWithInitial[initial]!, r);
  }
  for (const r of group) firstWithInitial[initials[r]!] = -1;
}

/** Every signal naming a person is in that person's household. */
function linkThroughPersons(
  signals: UnionFind,
  persons: UnionFind,
  records: Int32Array,
  rowOfRecord: Int32Array,
): void {
  const firstRowOfPerson = new Int32Array(rowOfRecord.length).fill(-1);
  for (const r of records) {
    const person = persons.find(r);
    if (firstRowOfPerson[person] === -1) firstRowOfPerson[person] = rowOfRecord[r]!;
    else signals.union(firstRowOfPerson[person]!, rowOfRecord[r]!);
  }
}

/**
 * At an address that is not institutional, consecutive signals in
 * (occurredAt, id) order link when they lie within the link window.
 */
function linkAlongAddresses(
  signals: UnionFind,
  columns: HouseholdColumns,
  rows: Int32Array,
  persons: UnionFind,
  threshold: number,
): void {
  const { times, ids, addressStarts, addressHashes, institutionalAddresses } = columns;
  const byAddress = groupByStoredKey(rows, addressStarts, addressHashes, (a, b) =>
    columns.compareAddresses(a, b),
  );
  const counted = new Int32Array(columns.records);
  const inOrder = (a: number, b: number): number =>
    times[a]! - times[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0);
  const { items: chains, starts } = byAddress;
  for (let g = 0; g < groupCount(byAddress); g++) {
    const from = starts[g]!;
    const to = starts[g + 1]!;
    if (to - from < 2) continue;
    if (
      institutionalAddresses.size > 0 &&
      institutionalAddresses.has(columns.addressKey(chains[from]!))
    )
      continue;
    sortRange(chains, from, to, inOrder);
    const count = { persons, counted, mark: g + 1, limit: threshold };
    if (countPersons(columns, chains, from, to, count) > threshold) continue;
    for (let j = from + 1; j < to; j++) {
      if (times[chains[j]!]! - times[chains[j - 1]!]! <= ADDRESS_LINK_WINDOW_MS) {
        signals.union(chains[j - 1]!, chains[j]!);
      }
    }
  }
}

/** Where `countPersons` marks the persons it has seen, and where it may stop. */
interface PersonCount {
  readonly persons: UnionFind;
  /** By person root: the mark of the last count that saw the person. */
  readonly counted: Int32Array;
  /** Fresh for each count. */
  readonly mark: number;
  readonly limit?: number;
}

/**
 * The distinct persons the rows `rows[from..to)` name; stops past the
 * limit, so a shelter with thousands of signals costs about as much as a
 * family home.
 */
function countPersons(
  columns: HouseholdColumns,
  rows: Int32Array,
  from: number,
  to: number,
  { persons, counted, mark, limit = Infinity }: PersonCount,
): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const row = rows[i]!;
    for (let r = columns.recordStart(row); r < columns.recordEnds[row]!; r++) {
      const person = persons.find(r);
      if (counted[person] === mark) continue;
      counted[person] = mark;
      if (++count > limit) return count;
    }
  }
  return count;
}
