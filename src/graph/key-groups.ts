/**
 * Grouping millions of items by a key without a hash map: each item gets a
 * 32-bit number for its key (the key itself, or a hash of it), a radix sort
 * brings equal numbers together in a few sequential passes, and only runs
 * of equal numbers are compared by key. A `Map` from key to group would
 * miss the cache at nearly every item once it holds hundreds of thousands
 * of keys; these passes do not.
 */
import { outOfRange } from '../at.js';

/** Group g holds `items[starts[g]]` up to `items[starts[g + 1]]`; `starts` has one entry more than there are groups. */
export interface Groups {
  readonly items: Int32Array;
  readonly starts: Int32Array;
}

export function groupCount(groups: Groups): number {
  return groups.starts.length - 1;
}

const DIGIT_BITS = 16;
const DIGITS = 1 << DIGIT_BITS;
const DIGIT_MASK = DIGITS - 1;

/** Sorts `items` by `numbers` (parallel arrays, both reordered in place): an LSD radix sort of two 16-bit digits, stable. */
export function radixSort(numbers: Uint32Array, items: Int32Array): void {
  const n = numbers.length;
  let fromNumbers: Uint32Array = numbers;
  let fromItems: Int32Array = items;
  let toNumbers: Uint32Array = new Uint32Array(n);
  let toItems: Int32Array = new Int32Array(n);
  const counts = new Int32Array(DIGITS);
  for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const digit = ((fromNumbers[i] ?? outOfRange(fromNumbers, i)) >>> shift) & DIGIT_MASK;
      counts[digit] = (counts[digit] ?? outOfRange(counts, digit)) + 1;
    }
    let sum = 0;
    for (let d = 0; d < DIGITS; d++) {
      const count = counts[d] ?? outOfRange(counts, d);
      counts[d] = sum;
      sum += count;
    }
    for (let i = 0; i < n; i++) {
      const number = fromNumbers[i] ?? outOfRange(fromNumbers, i);
      const digit = (number >>> shift) & DIGIT_MASK;
      const at = counts[digit] ?? outOfRange(counts, digit);
      counts[digit] = at + 1;
      toNumbers[at] = number;
      toItems[at] = fromItems[i] ?? outOfRange(fromItems, i);
    }
    [fromNumbers, toNumbers] = [toNumbers, fromNumbers];
    [fromItems, toItems] = [toItems, fromItems];
  }
  // An even number of passes leaves the sorted order in the arrays given.
}

/**
 * The order of two items' keys: 0 for the same key. Given when a number is
 * a hash of the key rather than the key itself.
 */
export type CompareKeys = (a: number, b: number) => number;

/**
 * The items grouped by key, each item's 32-bit number given at the same
 * index in `numbers`; items with equal keys must have equal numbers.
 * Without `compareKeys` the number is the key; with it, items whose numbers
 * collide are told apart by key. Both arrays are reordered in place and the
 * groups are views of `items`. Groups come in no particular order, and so
 * do the items in a group.
 */
export function groupByKey(
  items: Int32Array,
  numbers: Uint32Array,
  compareKeys?: CompareKeys,
): Groups {
  const n = items.length;
  radixSort(numbers, items);
  const starts = new Int32Array(n + 1);
  let count = 0;
  for (let from = 0; from < n;) {
    let to = from + 1;
    while (to < n && numbers[to] === numbers[from]) to++;
    if (compareKeys === undefined || to - from === 1) starts[count++] = from;
    else count = splitByKey(items, from, to, compareKeys, starts, count);
    from = to;
  }
  starts[count] = n;
  return { items, starts: starts.subarray(0, count + 1) };
}

/**
 * Writes the starts of the groups of equal keys in `items[from..to)` from
 * `starts[count]` on, ordering the run by key when keys differ, and returns
 * the new count.
 */
function splitByKey(
  items: Int32Array,
  from: number,
  to: number,
  compareKeys: CompareKeys,
  starts: Int32Array,
  count: number,
): number {
  const first = items[from] ?? outOfRange(items, from);
  let same = from + 1;
  while (same < to && compareKeys(first, items[same] ?? outOfRange(items, same)) === 0) same++;
  if (same === to) {
    starts[count] = from;
    return count + 1;
  }
  // Two keys with one hash: rare enough that sorting the run by key costs nothing overall.
  items.subarray(from, to).sort(compareKeys);
  let previous = items[from] ?? outOfRange(items, from);
  starts[count++] = from;
  for (let i = from + 1; i < to; i++) {
    const item = items[i] ?? outOfRange(items, i);
    if (compareKeys(item, previous) !== 0) starts[count++] = i;
    previous = item;
  }
  return count;
}
