import { describe, expect, it } from 'vitest';
import {
  at,
  byteAt,
  float64At,
  int32At,
  numberAt,
  stringAt,
  uint16At,
  uint32At,
} from '../src/at.js';

const outOfRange = expect.objectContaining({ code: 'INDEX_OUT_OF_RANGE' });

describe('at', () => {
  it('reads an element inside the array, falsy ones included', () => {
    expect(at(['a', 'b'], 1)).toBe('b');
    expect(at([0, 1], 0)).toBe(0);
    expect(at(new Int32Array([7]), 0)).toBe(7);
  });

  it('fails with INDEX_OUT_OF_RANGE outside it', () => {
    expect(() => at(['a'], 1)).toThrow(outOfRange);
    expect(() => at([], -1)).toThrow(outOfRange);
  });
});

describe('the readers of one kind of array', () => {
  const readers = [
    ['byteAt', (i: number) => byteAt(new Uint8Array([0, 255]), i), 0, 255],
    ['uint16At', (i: number) => uint16At(new Uint16Array([0, 65535]), i), 0, 65535],
    ['int32At', (i: number) => int32At(new Int32Array([0, -1]), i), 0, -1],
    ['uint32At', (i: number) => uint32At(new Uint32Array([0, 2 ** 32 - 1]), i), 0, 2 ** 32 - 1],
    ['float64At', (i: number) => float64At(new Float64Array([0, 0.5]), i), 0, 0.5],
    ['numberAt', (i: number) => numberAt([0, -3], i), 0, -3],
    ['stringAt', (i: number) => stringAt(['', 'b'], i), '', 'b'],
  ] as const;

  it.each(readers)(
    '%s reads the elements inside the array, zero and empty included',
    (_, read, first, last) => {
      expect(read(0)).toBe(first);
      expect(read(1)).toBe(last);
    },
  );

  it.each(readers)('%s fails with INDEX_OUT_OF_RANGE outside it', (_, read) => {
    expect(() => read(2)).toThrow(outOfRange);
    expect(() => read(-1)).toThrow(outOfRange);
    expect(() => read(0.5)).toThrow(outOfRange);
  });
});
