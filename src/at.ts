/**
 * Indexed reads where the code's own invariant keeps the index in range
 * (`noUncheckedIndexedAccess` cannot see it): the invariant is stated once
 * here, and a broken one fails with a clear error instead of an `undefined`
 * travelling on.
 */
import { RadarError } from './errors.js';

/**
 * `items[index]`, which must exist; an `undefined` there counts as absent, so
 * an array that holds `undefined` elsewhere can be read where it holds none.
 */
export function at<T>(items: ArrayLike<T>, index: number): Exclude<T, undefined> {
  const item = items[index];
  if (item === undefined) {
    throw new RadarError('INDEX_OUT_OF_RANGE', `index ${index} is outside 0..${items.length - 1}`);
  }
  return item as Exclude<T, undefined>;
}
