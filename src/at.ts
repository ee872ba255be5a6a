/**
 * Indexed reads where the code's own invariant keeps the index in range
 * (`noUncheckedIndexedAccess` cannot see it): a broken invariant fails with
 * a clear error instead of an `undefined` travelling on.
 *
 * Hot loops read `items[i] ?? outOfRange(items, i)` in place rather than
 * through `at`: a function's reads share one record of the arrays they have
 * met, and one read serving every kind of array (typed arrays of each
 * element type, arrays of small integers, of doubles, of strings) is
 * compiled to V8's slow generic read. In place, each read meets the one
 * kind of array its loop reads, as the plain read did.
 */
import { RadarError } from './errors.js';

/**
 * `items[index]`, which must exist; an `undefined` there counts as absent, so
 * an array that holds `undefined` elsewhere can be read where it holds none.
 */
export function at<T>(items: ArrayLike<T>, index: number): Exclude<T, undefined> {
  const item = items[index];
  if (item === undefined) outOfRange(items, index);
  return item as Exclude<T, undefined>;
}

/** Fails for a read of `items[index]` that found nothing there. */
export function outOfRange(items: ArrayLike<unknown>, index: number): never {
  throw new RadarError('INDEX_OUT_OF_RANGE', `index ${index} is outside 0..${items.length - 1}`);
}
