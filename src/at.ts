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
  if (item === undefined) throw outOfRange(index, items.length);
  return item as Exclude<T, undefined>;
}

/*
 * `at` for the typed arrays of the hot loops, one function per element type
 * (and one each for plain arrays of numbers and of strings).
 * The read inside the generic `at` meets every kind of array the code base
 * has, so V8 compiles it to a slow generic read; each of these meets one
 * kind, inlines to a plain typed-array read, and drops the `undefined` check
 * because an in-range read of a typed array is always a number.
 */

export function byteAt(items: Uint8Array, index: number): number {
  const item = items[index];
  if (item === undefined) throw outOfRange(index, items.length);
  return item;
}

export function uint16At(items: Uint16Array, index: number): number {
  const item = items[index];
  if (item === undefined) throw outOfRange(index, items.length);
  return item;
}

export function int32At(items: Int32Array, index: number): number {
  const item = items[index];
  if (item === undefined) throw outOfRange(index, items.length);
  return item;
}

export function uint32At(items: Uint32Array, index: number): number {
  const item = items[index];
  if (item === undefined) throw outOfRange(index, items.length);
  return item;
}

export function float64At(items: Float64Array, index: number): number {
  const item = items[index];
  if (item === undefined) throw outOfRange(index, items.length);
  return item;
}

/** `at` for the plain arrays of strings that hot loops read (signal ids). */
export function stringAt(items: readonly string[], index: number): string {
  const item = items[index];
  if (item === undefined) throw outOfRange(index, items.length);
  return item;
}

/** `at` for the plain arrays of numbers that hot loops read (spans, counts). */
export function numberAt(items: readonly number[], index: number): number {
  const item = items[index];
  if (item === undefined) throw outOfRange(index, items.length);
  return item;
}

function outOfRange(index: number, length: number): RadarError {
  return new RadarError('INDEX_OUT_OF_RANGE', `index ${index} is outside 0..${length - 1}`);
}
