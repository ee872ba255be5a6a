/** The rule texts' line diff: it keeps a longest common subsequence and gives back both texts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineDiff, textLines } from '../../src/report/line-diff.js';

/** The longest common subsequence's length, by its recursive definition. */
function lcs(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  if (a[0] === b[0]) return 1 + lcs(a.slice(1), b.slice(1));
  return Math.max(lcs(a.slice(1), b), lcs(a, b.slice(1)));
}

describe('lineDiff', () => {
  it('marks a changed threshold as one line removed and one added', () => {
    const base = ['id: x', 'condition: { gte: 2 }', 'level: hoog'];
    const candidate = ['id: x', 'condition: { gte: 3 }', 'level: hoog'];
    expect(lineDiff(base, candidate)).toEqual([
      { op: 'same', base: 'id: x', candidate: 'id: x' },
      { op: 'removed', base: 'condition: { gte: 2 }' },
      { op: 'added', candidate: 'condition: { gte: 3 }' },
      { op: 'same', base: 'level: hoog', candidate: 'level: hoog' },
    ]);
  });

  it('gives back both texts in order and keeps as many lines as a longest common subsequence', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', ''), { maxLength: 7 });
    fc.assert(
      fc.property(lines, lines, (base, candidate) => {
        const diff = lineDiff(base, candidate);
        expect(diff.flatMap((l) => (l.op === 'added' ? [] : [l.base]))).toEqual(base);
        expect(diff.flatMap((l) => (l.op === 'removed' ? [] : [l.candidate]))).toEqual(candidate);
        expect(diff.filter((l) => l.op === 'same').length).toBe(lcs(base, candidate));
      }),
    );
  });

  it('reads a text with or without a final newline as the same lines', () => {
    expect(textLines('a\nb\n')).toEqual(['a', 'b']);
    expect(textLines('a\nb')).toEqual(['a', 'b']);
    expect(textLines('')).toEqual([]);
  });
});
