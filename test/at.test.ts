import { describe, expect, it } from 'vitest';
import { at, outOfRange } from '../src/at.js';

const outOfRangeError = expect.objectContaining({ code: 'INDEX_OUT_OF_RANGE' });

describe('at', () => {
  it('reads an element inside the array, falsy ones included', () => {
    expect(at(['a', 'b'], 1)).toBe('b');
    expect(at([0, 1], 0)).toBe(0);
    expect(at(new Int32Array([7]), 0)).toBe(7);
  });

  it('fails with INDEX_OUT_OF_RANGE outside it', () => {
    expect(() => at(['a'], 1)).toThrow(outOfRangeError);
    expect(() => at([], -1)).toThrow(outOfRangeError);
  });
});

describe('outOfRange, for a read in place', () => {
  const read = (items: Int32Array, index: number): number =>
    items[index] ?? outOfRange(items, index);

  it('is not reached by a read inside the array, zero included', () => {
    expect(read(new Int32Array([0, -1]), 0)).toBe(0);
    expect(read(new Int32Array([0, -1]), 1)).toBe(-1);
  });

  it('fails with INDEX_OUT_OF_RANGE for a read outside it', () => {
    expect(() => read(new Int32Array(2), 2)).toThrow(outOfRangeError);
    expect(() => read(new Int32Array(2), -1)).toThrow(outOfRangeError);
    expect(() => read(new Int32Array(2), 0.5)).toThrow(outOfRangeError);
  });
});
