/**
 * The slice of leveldown 6 (abstract-leveldown 7) that the store uses; the
 * package ships no types. Keys and values go in as strings and, with the
 * `asBuffer: false` options, come back as strings.
 */
declare module 'leveldown' {
  function leveldown(location: string): leveldown.LevelDown;

  namespace leveldown {
    type Callback<T = void> = (err: Error | null | undefined, value?: T) => void;

    /** Operations gathered on the native side, applied atomically by `write`. */
    interface ChainedBatch {
      put(key: string, value: string): this;
      del(key: string): this;
      write(options: { sync: boolean }, callback: Callback): void;
    }

    interface IteratorOptions {
      gt?: string;
      gte?: string;
      lt?: string;
      reverse?: boolean;
      /** -1 (the default) for no limit. */
      limit?: number;
      /** false: entries come with an undefined value, and LevelDB does not copy values out. */
      values?: boolean;
      keyAsBuffer: false;
      valueAsBuffer: false;
    }

    interface OpenOptions {
      createIfMissing: boolean;
      /** Bytes of the memtable, which is written out as a table when full. */
      writeBufferSize?: number;
      /** Bytes after which a compaction starts a new table file. */
      maxFileSize?: number;
      /** Bytes of LevelDB's cache of uncompressed blocks. */
      cacheSize?: number;
    }

    interface LevelIterator {
      /** Resolves to undefined once the range is exhausted. */
      next(): Promise<[string, string | undefined] | undefined>;
      /** Never settles if the iterator was already ended, e.g. by `close()`. */
      end(): Promise<void>;
    }

    interface LevelDown {
      open(options: OpenOptions, callback: Callback): void;
      close(callback: Callback): void;
      /** One value per key, undefined where there is none, read from one snapshot. */
      getMany(
        keys: string[],
        options: { asBuffer: false },
        callback: Callback<(string | undefined)[]>,
      ): void;
      batch(): ChainedBatch;
      iterator(options: IteratorOptions): LevelIterator;
      /** Bytes of table files that hold keys from `start` up to `end`; what is in the memtable is left out. */
      approximateSize(start: string, end: string, callback: Callback<number>): void;
      /** Compacts every level's tables that hold keys from `start` to `end`, both included. */
      compactRange(start: string, end: string, callback: Callback): void;
    }
  }

  export = leveldown;
}
