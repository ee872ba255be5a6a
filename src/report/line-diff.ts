/**
 * A line diff of two short texts (two versions of a rule): the longest
 * common subsequence of their lines, by dynamic programming. A rule is tens
 * of lines, so the quadratic table is small; a library would bring more than
 * this needs.
 */
import { at } from '../at.js';

export type DiffLine =
  | { op: 'same'; base: string; candidate: string }
  | { op: 'removed'; base: string }
  | { op: 'added'; candidate: string };

/** The lines of `base` and `candidate` in order, each kept, removed or added; as many kept as can be. */
export function lineDiff(base: readonly string[], candidate: readonly string[]): DiffLine[] {
  const n = base.length;
  const m = candidate.length;
  // common[i * (m + 1) + j]: the length of the longest common subsequence of base[i..] and candidate[j..].
  const common = new Int32Array((n + 1) * (m + 1));
  const lcs = (i: number, j: number): number => at(common, i * (m + 1) + j);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      common[i * (m + 1) + j] =
        base[i] === candidate[j] ? lcs(i + 1, j + 1) + 1 : Math.max(lcs(i + 1, j), lcs(i, j + 1));
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && base[i] === candidate[j]) {
      lines.push({ op: 'same', base: at(base, i), candidate: at(candidate, j) });
      i++;
      j++;
    } else if (j === m || (i < n && lcs(i + 1, j) >= lcs(i, j + 1))) {
      lines.push({ op: 'removed', base: at(base, i) });
      i++;
    } else {
      lines.push({ op: 'added', candidate: at(candidate, j) });
      j++;
    }
  }
  return lines;
}

/** A text's lines, a trailing newline not making one more. */
export function textLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
