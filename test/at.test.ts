import { describe, expect, it } from 'vitest';
import { at } from '../src/at.js';

describe('at', () => {
  it('reads an element inside the array, falsy ones included', () => {
    expect(at(['a', 'b'], 1)).toBe('b');
    expect(at([0, 1], 0)).toBe(0);
    expect(at(new Int32Array([7]), 0)).toBe(7);
  });

  it('fails with INDEX_OUT_OF_RANGE outside it', () => {
    expect(() => at(['a'], 1)).toThrow(expect.objectContaining({ code: 'INDEX_OUT_OF_RANGE' }));
    expect(() => at([], -1)).toThrow(expect.objectContaining({ code: 'INDEX_OUT_OF_RANGE' }));
  });
});
