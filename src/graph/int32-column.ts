/**
 * A column of 32-bit integers that grows as values are pushed, held in
 * shared memory so that a worker thread can read it without a copy: a
 * backtest's person records, millions of them, which the worker links by
 * name while the main thread goes on forming households.
 */
export class Int32Column {
  private array = new Int32Array(new SharedArrayBuffer(4 * INITIAL_CAPACITY));
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.array.length) this.grow();
    this.array[this.size++] = value;
  }

  /** The values so far, in shared memory; a push may move them, so it is for reading once pushing is done. */
  view(): Int32Array {
    return this.array.subarray(0, this.size);
  }

  /** Lets go of every value. */
  clear(): void {
    this.array = new Int32Array(new SharedArrayBuffer(0));
    this.size = 0;
  }

  private grow(): void {
    const grown = new Int32Array(new SharedArrayBuffer(8 * Math.max(INITIAL_CAPACITY, this.size)));
    grown.set(this.array);
    this.array = grown;
  }
}

const INITIAL_CAPACITY = 1 << 12;
