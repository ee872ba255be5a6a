/** A shared column of 32-bit integers must hold what was pushed, in order, wherever it grew to. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Int32Column } from '../../src/graph/int32-column.js';

describe('Int32Column', () => {
  it('property: its view holds every value pushed, in order, in shared memory', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 10_000 }),
        (values) => {
          const column = new Int32Column();
          for (const value of values) column.push(value);
          expect(column.length).toBe(values.length);
          expect([...column.view()]).toEqual(values);
          expect(column.view().buffer instanceof SharedArrayBuffer).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('grows far past its first array and lets go of everything when cleared', () => {
    const column = new Int32Column();
    for (let i = 0; i < 100_000; i++) column.push(i * 7);
    expect(column.view()[99_999]).toBe(699_993);
    expect(column.view().length).toBe(100_000);
    column.clear();
    expect(column.length).toBe(0);
    expect(column.view().length).toBe(0);
    column.push(5);
    expect([...column.view()]).toEqual([5]);
  });
});
