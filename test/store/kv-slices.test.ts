import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byKeyOrder, nextCharacterSlices } from '../../src/store/kv.js';

const inSlice = (key: string, s: { gte: string; lt: string }): boolean =>
  byKeyOrder(key, s.gte) >= 0 && byKeyOrder(key, s.lt) < 0;

describe('nextCharacterSlices', () => {
  it('parts a slice in order, end to end, from its prefix to its end', () => {
    const parts = nextCharacterSlices({ gte: 'sig!', lt: 'sig"' });
    expect(parts[0]!.gte).toBe('sig!');
    expect(parts.at(-1)!.lt).toBe('sig"');
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.gte).toBe(parts[i - 1]!.lt);
  });

  it('puts every key of the slice in exactly one part', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 6 }), (rest) => {
        const key = `sig!${rest}`;
        const parts = nextCharacterSlices({ gte: 'sig!', lt: 'sig"' });
        expect(parts.filter((p) => inSlice(key, p))).toHaveLength(1);
      }),
    );
  });
});
