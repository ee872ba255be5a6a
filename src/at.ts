/**
 * Indexed reads where the code's own invariant keeps the index in range
 * (`noUncheckedIndexedAccess` cannot see it): the invariant is stated once
 * here, and a broken one fails with a clear error instead of an `undefined`
 * travelling on.
 */
import { RadarError } from './errors.js';

/** `items[index]`, which must exist; for arrays whose elements are never `undefined`. */
export function at<T>(items: ArrayLike<T>, index: number): T {
  const item = items[index];
  if (item === undefined) {
    throw new RadarError('INDEX_OUT_OF_RANGE', `index ${index} is outside 0..${items.length - 1}`);
  }
  return item;
}
