/** The accepted-id table must answer as a Map from id to number would. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from '../../src/engine/id-table.js';

describe('IdTable', () => {
  it('property: numbers ids in the order added and finds exactly those', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 8 }), { maxLength: 200 }),
        fc.array(fc.string({ maxLength: 8 }), { maxLength: 50 }),
        (added, asked) => {
          const table = new IdTable();
          const expected = new Map<string, number>();
          for (const id of added) {
            expected.set(id, expected.size);
            expect(table.add(id)).toBe(expected.get(id));
          }
          expect(table.size).toBe(added.length);
          for (const id of [...added, ...asked])
            expect(table.indexOf(id)).toBe(expected.get(id) ?? -1);
        },
      ),
    );
  });

  it('keeps every id as it grows far past its first size, and forgets them all when cleared', () => {
    const table = new IdTable();
    const ids = Array.from({ length: 200_000 }, (_, i) => `S-${i.toString(36)}`);
    for (const id of ids) table.add(id);
    expect(ids.every((id, i) => table.indexOf(id) === i)).toBe(true);
    expect(table.indexOf('S-x-absent')).toBe(-1);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.indexOf(ids[0]!)).toBe(-1);
  });
});
