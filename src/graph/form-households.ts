/**
 * Persons and households (CONTRACT §2) formed once, from scratch, over
 * signals held as `HouseholdColumns`: the partition `HouseholdIndex` keeps
 * up to date one change at a time, computed in a few passes over typed
 * arrays. A backtest needs the end state alone, and at millions of signals
 * this is several times faster than loading the index. The property tests
 * hold the two to the same households and person counts.
 */
import { outOfRange } from '../at.js';
import { byContractOrder, sortRange } from '../sort-range.js';
import type { HouseholdColumns } from './household-columns.js';
import { groupByKey, groupCount, type Groups } from './key-groups.js';
import { ADDRESS_LINK_WINDOW_MS } from './model.js';
import { linkNames, type NameRecords } from './name-links.js';
import { UnionFind } from './union-find.js';

/** A valid BSN has nine digits; the columns keep it as a number. */
const BSN_DIGITS = 9;

export interface FormedHouseholds {
  /** Each household's rows, in no particular order: household h is group h. */
  readonly households: Groups;
  /** Distinct persons each household's signals name. */
  readonly personCounts: Int32Array;
  /**
   * The addresses whose signals name more distinct persons than the
   * threshold (configured ones aside), and the name keys seen with two or
   * more valid BSNs, each with two of them: what a part of the history,
   * formed on its own, must be told of the whole (`HouseholdIndexOptions.outside`).
   * Name keys only when the names were linked in this thread.
   */
  readonly crowdedAddresses: readonly string[];
  readonly nameKeysOff?: ReadonlyMap<string, readonly string[]>;
}

export interface FormOptions {
  /** Whether each row takes part: withdrawn signals are in the columns but in no household. */
  active: (row: number) => boolean;
  /** An address whose signals name more than this many distinct persons is institutional. */
  institutionalPersonThreshold: number;
}

/**
 * Forms the households, linking person records by name (`linkNames`) in
 * this thread.
 */
export function formHouseholds(columns: HouseholdColumns, options: FormOptions): FormedHouseholds {
  const forming = startForming(columns, options);
  const nameKeysOff = new Map<string, string[]>();
  const { bsns } = forming.names;
  const links = linkNames(forming.names, (group) => {
    const first = group[0] ?? outOfRange(group, 0);
    const seen = new Set<number>();
    for (const r of group) if ((bsns[r] ?? -1) !== -1) seen.add(bsns[r] ?? outOfRange(bsns, r));
    nameKeysOff.set(
      columns.nameKey(first),
      [...seen].slice(0, 2).map((bsn) => String(bsn).padStart(BSN_DIGITS, '0')),
    );
  });
  return { ...finishForming(forming, groupAhead(forming), links), nameKeysOff };
}

/**
 * `formHouseholds` with the records linked by name by `link`, in a worker
 * thread say, while this thread groups records by BSN and signals by address.
 */
export async function formHouseholdsLinkingNames(
  columns: HouseholdColumns,
  options: FormOptions,
  link: (names: NameRecords) => Promise<Int32Array>,
): Promise<FormedHouseholds> {
  const forming = startForming(columns, options);
  const links = link(forming.names);
  return finishForming(forming, groupAhead(forming), await links);
}

/** The active rows and records, and what linking the records by name needs. */
interface Forming {
  readonly columns: HouseholdColumns;
  readonly options: FormOptions;
  readonly rows: Int32Array;
  readonly records: Int32Array;
  readonly rowOfRecord: Int32Array;
  readonly names: NameRecords;
}

function startForming(columns: HouseholdColumns, options: FormOptions): Forming {
  const rows = select(columns.rows, options.active);
  const rowOfRecord = new Int32Array(columns.records).fill(-1);
  for (const row of rows) {
    const end = columns.recordEnds[row] ?? outOfRange(columns.recordEnds, row);
    for (let r = columns.recordStart(row); r < end; r++) rowOfRecord[r] = row;
  }
  const records = select(columns.records, (r) => rowOfRecord[r] !== -1);
  return { columns, options, rows, records, rowOfRecord, names: columns.nameRecords(records) };
}

/** What needs no names: persons linked by BSN, and the signals at each address. */
interface Ahead {
  readonly persons: UnionFind;
  /** Each address's signals, in (occurredAt, id) order. */
  readonly byAddress: Groups;
}

function groupAhead({ columns, rows, records }: Forming): Ahead {
  const { addressStarts, addressHashes } = columns;
  const bsns = columns.bsns.view();
  const persons = new UnionFind(columns.records);
  const byBsn = groupByKey(
    ...keyed(
      records,
      (r) => bsns[r] !== -1,
      (r) => bsns[r] ?? outOfRange(bsns, r),
    ),
  );
  const { items: withBsn, starts: bsnStarts } = byBsn;
  for (let g = 0; g < groupCount(byBsn); g++) {
    const from = bsnStarts[g] ?? outOfRange(bsnStarts, g);
    const to = bsnStarts[g + 1] ?? outOfRange(bsnStarts, g + 1);
    const first = withBsn[from] ?? outOfRange(withBsn, from);
    for (let i = from + 1; i < to; i++) persons.union(first, withBsn[i] ?? outOfRange(withBsn, i));
  }
  const byAddress = groupByKey(
    ...keyed(
      rows,
      (row) => addressStarts[row] !== -1,
      (row) => addressHashes[row] ?? outOfRange(addressHashes, row),
    ),
    (a, b) => columns.compareAddresses(a, b),
  );
  const { times, ids } = columns;
  const inOrder = byContractOrder(times, ids);
  const { items: chains, starts } = byAddress;
  for (let g = 0; g < groupCount(byAddress); g++) {
    const from = starts[g] ?? outOfRange(starts, g);
    const to = starts[g + 1] ?? outOfRange(starts, g + 1);
    if (to - from > 1) sortRange(chains, from, to, inOrder);
  }
  return { persons, byAddress };
}

function finishForming(
  { columns, options, rows, records, rowOfRecord }: Forming,
  { persons, byAddress }: Ahead,
  nameLinks: Int32Array,
): FormedHouseholds {
  for (let k = 0; k < nameLinks.length; k += 2) {
    const a = nameLinks[k] ?? outOfRange(nameLinks, k);
    persons.union(a, nameLinks[k + 1] ?? outOfRange(nameLinks, k + 1));
  }
  const signals = new UnionFind(columns.rows);
  linkThroughPersons(signals, persons, records, rowOfRecord);
  const crowdedAddresses = linkAlongAddresses(
    signals,
    columns,
    byAddress,
    persons,
    options.institutionalPersonThreshold,
  );
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
    const from = starts[h] ?? outOfRange(starts, h);
    const to = starts[h + 1] ?? outOfRange(starts, h + 1);
    personCounts[h] = countPersons(columns, households.items, from, to, {
      persons,
      counted,
      mark: h + 1,
    });
  }
  return { households, personCounts, crowdedAddresses };
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
    const row = rowOfRecord[r] ?? outOfRange(rowOfRecord, r);
    const first = firstRowOfPerson[person] ?? outOfRange(firstRowOfPerson, person);
    if (first === -1) firstRowOfPerson[person] = row;
    else signals.union(first, row);
  }
}

/**
 * At an address that is not institutional, consecutive signals in
 * (occurredAt, id) order link when they lie within the link window.
 * Returns the addresses found crowded.
 */
function linkAlongAddresses(
  signals: UnionFind,
  columns: HouseholdColumns,
  byAddress: Groups,
  persons: UnionFind,
  threshold: number,
): string[] {
  const crowded: string[] = [];
  const { times, institutionalAddresses } = columns;
  const counted = new Int32Array(columns.records);
  const { items: chains, starts } = byAddress;
  for (let g = 0; g < groupCount(byAddress); g++) {
    const from = starts[g] ?? outOfRange(starts, g);
    const to = starts[g + 1] ?? outOfRange(starts, g + 1);
    if (to - from < 2) continue;
    if (
      institutionalAddresses.size > 0 &&
      institutionalAddresses.has(columns.addressKey(chains[from] ?? outOfRange(chains, from)))
    )
      continue;
    // No more persons than records: only an address with more records than the threshold
    // needs its persons counted, each a union-find lookup.
    if (recordCount(columns, chains, from, to) > threshold) {
      const count = { persons, counted, mark: g + 1, limit: threshold };
      if (countPersons(columns, chains, from, to, count) > threshold) {
        crowded.push(columns.addressKey(chains[from] ?? outOfRange(chains, from)));
        continue;
      }
    }
    let previous = chains[from] ?? outOfRange(chains, from);
    let previousTime = times[previous] ?? outOfRange(times, previous);
    for (let j = from + 1; j < to; j++) {
      const row = chains[j] ?? outOfRange(chains, j);
      const time = times[row] ?? outOfRange(times, row);
      if (time - previousTime <= ADDRESS_LINK_WINDOW_MS) signals.union(previous, row);
      previous = row;
      previousTime = time;
    }
  }
  return crowded;
}

/** The person records of the rows `rows[from..to)`. */
function recordCount(
  columns: HouseholdColumns,
  rows: Int32Array,
  from: number,
  to: number,
): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const row = rows[i] ?? outOfRange(rows, i);
    count +=
      (columns.recordEnds[row] ?? outOfRange(columns.recordEnds, row)) - columns.recordStart(row);
  }
  return count;
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
    const row = rows[i] ?? outOfRange(rows, i);
    const end = columns.recordEnds[row] ?? outOfRange(columns.recordEnds, row);
    for (let r = columns.recordStart(row); r < end; r++) {
      const person = persons.find(r);
      if (counted[person] === mark) continue;
      counted[person] = mark;
      if (++count > limit) return count;
    }
  }
  return count;
}
