/**
 * Numbers appended to a typed array that doubles as it fills: no array of
 * boxed numbers, and doubles, so byte offsets past 4 GiB fit.
 */
import { outOfRange } from './at.js';

export class NumberBuffer {
  private array = new Float64Array(1024);
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.array.length) {
      const grown = new Float64Array(2 * this.size);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.size++] = value;
  }

  /** The number pushed `index`-th, which must have been pushed. */
  at(index: number): number {
    if (index >= this.size) outOfRange(this.array.subarray(0, this.size), index);
    return this.array[index] ?? outOfRange(this.array, index);
  }

  /** The numbers pushed, in an array of their own. */
  finish(): Float64Array<ArrayBuffer> {
    return this.array.slice(0, this.size);
  }
}
