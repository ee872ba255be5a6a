/**
 * Persons and households (CONTRACT §2) formed once, from scratch, over
 * signals held as `HouseholdColumns`: the partition `HouseholdIndex` keeps
 * up to date one change at a time, computed in a few passes over typed
 * arrays. A backtest needs the end state alone, and at millions of signals
 * this is several times faster than loading the index. The property tests
 * hold the two to the same households and person counts.
 */
import type { HouseholdColumns } from './household-columns.js';
import { ADDRESS_LINK_WINDOW_MS } from './model.js';
import { UnionFind } from './union-find.js';

export interface FormedHouseholds {
  /** The households' rows: household h has `rows[starts[h]]` up to `rows[starts[h + 1]]`, in row order. */
  readonly rows: Int32Array;
  readonly starts: Int32Array;
  /** Distinct persons each household's signals name. */
  readonly personCounts: Int32Array;
}

export interface FormOptions {
  /** Whether each row takes part: withdrawn signals are in the columns but in no household. */
  active: (row: number) => boolean;
  /** An address whose signals name more than this many distinct persons is institutional. */
  institutionalPersonThreshold: number;
}

/**
 * Items grouped by a key: group k holds `items[starts[k]]` up to
 * `items[starts[k + 1]]`, in the order given. Items with key -1 are left out.
 */
interface Groups {
  readonly items: Int32Array;
  readonly starts: Int32Array;
}

function groupBy(count: number, items: Iterable<number>, keyOf: (item: number) => number): Groups {
  const starts = new Int32Array(count + 1);
  let total = 0;
  for (const item of items) {
    const key = keyOf(item);
    if (key === -1) continue;
    starts[key + 1]!++;
    total++;
  }
  for (let k = 0; k < count; k++) starts[k + 1]! += starts[k]!;
  const next = starts.slice(0, count);
  const grouped = new Int32Array(total);
  for (const item of items) {
    const key = keyOf(item);
    if (key !== -1) grouped[next[key]!++] = item;
  }
  return { items: grouped, starts };
}

export function formHouseholds(columns: HouseholdColumns, options: FormOptions): FormedHouseholds {
  const rows: number[] = [];
  for (let row = 0; row < columns.rows; row++) if (options.active(row)) rows.push(row);
  const records: number[] = [];
  const rowOfRecord = new Int32Array(columns.bsns.length);
  for (const row of rows) {
    for (let r = recordStart(columns, row); r < columns.recordEnds[row]!; r++) {
      records.push(r);
      rowOfRecord[r] = row;
    }
  }
  const persons = resolvePersons(columns, records);
  const signals = new UnionFind(columns.rows);
  linkThroughPersons(signals, persons, records, rowOfRecord);
  linkAlongAddresses(signals, columns, rows, persons, options.institutionalPersonThreshold);
  return collect(columns, signals, rows, persons);
}

function recordStart(columns: HouseholdColumns, row: number): number {
  return row === 0 ? 0 : columns.recordEnds[row - 1]!;
}

/** Records linked by a shared valid BSN, or by name key and first initial where name matching is on. */
function resolvePersons(columns: HouseholdColumns, records: readonly number[]): UnionFind {
  const { bsns, names, initials } = columns;
  const persons = new UnionFind(bsns.length);
  const firstWithBsn = new Int32Array(columns.bsnCount).fill(-1);
  for (const r of records) {
    const bsn = bsns[r]!;
    if (bsn === -1) continue;
    if (firstWithBsn[bsn] === -1) firstWithBsn[bsn] = r;
    else persons.union(firstWithBsn[bsn]!, r);
  }
  const byName = groupBy(columns.nameCount, records, (r) => names[r]!);
  const firstWithInitial = new Int32Array(columns.initialCount).fill(-1);
  for (let k = 0; k < columns.nameCount; k++) {
    const from = byName.starts[k]!;
    const to = byName.starts[k + 1]!;
    if (to - from < 2 || !nameMatchingOn(bsns, byName.items, from, to)) continue;
    linkByInitial(persons, initials, byName.items, from, to, firstWithInitial);
  }
  return persons;
}

/** Off for a name and birth date seen with two or more valid BSNs. */
function nameMatchingOn(
  bsns: readonly number[],
  group: Int32Array,
  from: number,
  to: number,
): boolean {
  let seen = -1;
  for (let i = from; i < to; i++) {
    const bsn = bsns[group[i]!]!;
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
  from: number,
  to: number,
  firstWithInitial: Int32Array,
): void {
  for (let i = from; i < to; i++) {
    if (initials[group[i]!] !== -1) continue;
    for (let j = from; j < to; j++) persons.union(group[i]!, group[j]!);
    return;
  }
  for (let i = from; i < to; i++) {
    const r = group[i]!;
    const initial = initials[r]!;
    if (firstWithInitial[initial] === -1) firstWithInitial[initial] = r;
    else persons.union(firstWithInitial[initial]!, r);
  }
  for (let i = from; i < to; i++) firstWithInitial[initials[group[i]!]!] = -1;
}

/** Every signal naming a person is in that person's household. */
function linkThroughPersons(
  signals: UnionFind,
  persons: UnionFind,
  records: readonly number[],
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
  rows: readonly number[],
  persons: UnionFind,
  threshold: number,
): void {
  const { times, ids } = columns;
  const byAddress = groupBy(columns.addressCount, rows, (row) => columns.addresses[row]!);
  const counted = new Int32Array(columns.bsns.length);
  const inOrder = (a: number, b: number): number =>
    times[a]! - times[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0);
  for (let k = 0; k < columns.addressCount; k++) {
    const from = byAddress.starts[k]!;
    const to = byAddress.starts[k + 1]!;
    if (to - from < 2) continue;
    if (columns.configured[k]) continue;
    const chain = byAddress.items.subarray(from, to).sort(inOrder);
    if (countPersons(columns, chain, persons, counted, k + 1, threshold) > threshold) continue;
    for (let j = 1; j < chain.length; j++) {
      if (times[chain[j]!]! - times[chain[j - 1]!]! <= ADDRESS_LINK_WINDOW_MS) {
        signals.union(chain[j - 1]!, chain[j]!);
      }
    }
  }
}

/** The households as groups of rows, with their person counts. */
function collect(
  columns: HouseholdColumns,
  signals: UnionFind,
  rows: readonly number[],
  persons: UnionFind,
): FormedHouseholds {
  const householdOfRoot = new Int32Array(columns.rows).fill(-1);
  let count = 0;
  for (const row of rows) {
    const root = signals.find(row);
    if (householdOfRoot[root] === -1) householdOfRoot[root] = count++;
  }
  const grouped = groupBy(count, rows, (row) => householdOfRoot[signals.find(row)]!);
  const personCounts = new Int32Array(count);
  const counted = new Int32Array(columns.bsns.length);
  for (let h = 0; h < count; h++) {
    const members = grouped.items.subarray(grouped.starts[h]!, grouped.starts[h + 1]!);
    personCounts[h] = countPersons(columns, members, persons, counted, h + 1);
  }
  return { rows: grouped.items, starts: grouped.starts, personCounts };
}

/**
 * The distinct persons the rows name, marking each person's root with
 * `mark` in `counted`; stops past `limit`, so a shelter with thousands of
 * signals costs about as much as a family home.
 */
function countPersons(
  columns: HouseholdColumns,
  rows: Int32Array,
  persons: UnionFind,
  counted: Int32Array,
  mark: number,
  limit = Infinity,
): number {
  let count = 0;
  for (const row of rows) {
    for (let r = recordStart(columns, row); r < columns.recordEnds[row]!; r++) {
      const person = persons.find(r);
      if (counted[person] === mark) continue;
      counted[person] = mark;
      if (++count > limit) return count;
    }
  }
  return count;
}
