import { outOfRange } from './at.js';

/**
 * Sorts `items[from..to)` in place by `compare`. Most of the ranges sorted
 * are small (the signals at one address, or of one household): an
 * insertion sort beats the general one there.
 */
export function sortRange(
  items: Int32Array,
  from: number,
  to: number,
  compare: (a: number, b: number) => number,
): void {
  if (to - from > 16) {
    items.subarray(from, to).sort(compare);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const item = items[i] ?? outOfRange(items, i);
    let j = i - 1;
    for (; j >= from; j--) {
      const before = items[j] ?? outOfRange(items, j);
      if (compare(before, item) <= 0) break;
      items[j + 1] = before;
    }
    items[j + 1] = item;
  }
}

/**
 * Compares rows in the contract's order `<`: by occurredAt (`times`, epoch
 * ms), then by signal id in code-unit order.
 */
export function byContractOrder(
  times: ArrayLike<number>,
  ids: readonly string[],
): (a: number, b: number) => number {
  return (a, b) => {
    const byTime = (times[a] ?? outOfRange(times, a)) - (times[b] ?? outOfRange(times, b));
    if (byTime !== 0) return byTime;
    const idA = ids[a] ?? outOfRange(ids, a);
    const idB = ids[b] ?? outOfRange(ids, b);
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  };
}
