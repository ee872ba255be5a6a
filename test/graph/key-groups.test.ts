import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupByKey, groupCount, type Groups } from '../../src/graph/key-groups.js';

/** The groups as sorted lists of items, sorted: comparable whatever order they came in. */
function normalised(groups: Groups): number[][] {
  const lists: number[][] = [];
  for (let g = 0; g < groupCount(groups); g++) {
    lists.push(
      [...groups.items.subarray(groups.starts[g], groups.starts[g + 1])].sort((a, b) => a - b),
    );
  }
  return lists.sort((a, b) => a[0]! - b[0]!);
}

/** Items 0…n-1 with their numbers, as `groupByKey` takes them. */
function numbered(numbers: readonly number[]): [Int32Array, Uint32Array] {
  return [Int32Array.from(numbers, (_, i) => i), Uint32Array.from(numbers)];
}

/** What a Map from key to items gives. */
function expected<K>(items: readonly number[], keyOf: (item: number) => K): number[][] {
  const byKey = new Map<K, number[]>();
  for (const item of items) {
    const list = byKey.get(keyOf(item));
    if (list === undefined) byKey.set(keyOf(item), [item]);
    else list.push(item);
  }
  return normalised({
    items: Int32Array.from([...byKey.values()].flat()),
    starts: Int32Array.from(
      [...byKey.values()].reduce((starts, list) => [...starts, starts.at(-1)! + list.length], [0]),
    ),
  });
}

describe('groupByKey', () => {
  it('groups by a 32-bit number, the whole unsigned range included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 1, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 123456789)),
        (numbers) => {
          const items = numbers.map((_, i) => i);
          expect(normalised(groupByKey(...numbered(numbers)))).toEqual(
            expected(items, (i) => numbers[i]!),
          );
        },
      ),
    );
  });

  it('tells keys apart whose numbers collide', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 })), (keys) => {
        const items = keys.map((_, i) => i);
        // A number shared by many keys: every run of equal numbers must be split by key.
        const grouped = groupByKey(...numbered(keys.map((key) => key.length)), (a, b) =>
          keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0,
        );
        expect(normalised(grouped)).toEqual(expected(items, (i) => keys[i]!));
      }),
    );
  });
});
