/**
 * The store on LevelDB, through leveldown directly. The key layout and every
 * rule of the store are in kv-store.ts; this module opens LevelDB, maps its
 * errors to the store's codes, and nothing else.
 *
 * A `write` is one LevelDB write batch, which LevelDB applies atomically —
 * that, and nothing else, is why a crash leaves a batch whole or absent.
 */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import leveldown from 'leveldown';
import { notOpen, StoreError } from './errors.js';
import type { KeySlice, KvOperation, KvRange, OrderedKv } from './kv.js';
import { KvStore } from './kv-store.js';

export interface LevelStoreOptions {
  /**
   * Whether LevelDB fsyncs each write before acknowledging it (default true).
   * With `false` an acknowledged write survives a crash of the process but
   * not a power loss or kernel crash: it may still sit in the page cache, and
   * the consumer would then have committed Kafka offsets for state that is
   * gone. Only tests and benchmarks should turn it off.
   */
  sync?: boolean;
  /**
   * Whether open() creates an empty store when the directory holds none
   * (default true). Readers of a stopped service's state pass false, so a
   * mistyped path fails with STORE_NOT_FOUND instead of showing nothing.
   */
  createIfMissing?: boolean;
}

/**
 * LevelDB's sizes, against its defaults of 4 MiB, 2 MiB and 8 MiB: every
 * batch rewrites household views, identity lists and indicator records, so
 * most of what is written is soon overwritten. A larger memtable lets those
 * die in memory and makes fewer, larger tables for the compactions to
 * merge, which run on the same two cores as the fold: at a million lines
 * 256 MiB left the compactions a third of what 64 MiB did, and the whole
 * process a fifth less CPU. What it cost and saved is in
 * docs/performance-history.md.
 */
const TUNING = {
  writeBufferSize: 256 * 1024 * 1024,
  maxFileSize: 32 * 1024 * 1024,
  cacheSize: 128 * 1024 * 1024,
} as const;

interface PendingGet {
  key: string;
  resolve: (value: string | undefined) => void;
  reject: (err: unknown) => void;
}

class LevelKv implements OrderedKv {
  /** Set exactly while the database is open and not closing. */
  private db: leveldown.LevelDown | undefined;
  /** Gets asked for since the last `getMany` went out. */
  private pending: PendingGet[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly sync: boolean,
    private readonly createIfMissing: boolean,
  ) {}

  async open(): Promise<void> {
    if (this.createIfMissing) {
      // LevelDB creates the last directory of the path only.
      await mkdir(this.dataDir, { recursive: true }).catch((err: unknown) => {
        throw this.failure(err);
      });
    } else {
      // Checked here rather than by LevelDB, which would leave a LOCK and a LOG behind.
      await access(join(this.dataDir, 'CURRENT')).catch((err: unknown) => {
        throw new StoreError('STORE_NOT_FOUND', `There is no radar store in ${this.dataDir}`, {
          cause: err,
        });
      });
    }
    const db = leveldown(this.dataDir);
    await call((cb) => db.open({ createIfMissing: this.createIfMissing, ...TUNING }, cb)).catch(
      (err: unknown) => {
        throw this.failure(err);
      },
    );
    this.db = db;
  }

  async close(): Promise<void> {
    const db = this.db;
    if (!db) return;
    this.db = undefined;
    // leveldown ends any iterator still open.
    await call((cb) => db.close(cb)).catch((err: unknown) => {
      throw this.failure(err);
    });
  }

  /**
   * Gets asked for in the same turn go to LevelDB as one `getMany`: the fold
   * asks for hundreds of keys at once, and a native call each (with an Error
   * made for every absent key) cost more than LevelDB's reads themselves.
   */
  get(key: string): Promise<string | undefined> {
    const db = this.opened();
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) process.nextTick(() => this.readPending(db));
      this.pending.push({ key, resolve, reject });
    });
  }

  private readPending(db: leveldown.LevelDown): void {
    const gets = this.pending;
    this.pending = [];
    if (db !== this.db) {
      for (const get of gets) get.reject(notOpen());
      return;
    }
    db.getMany(
      gets.map((get) => get.key),
      { asBuffer: false },
      (err, values) => {
        gets.forEach((get, i) => {
          if (err) get.reject(this.failure(err));
          else get.resolve(values?.[i]);
        });
      },
    );
  }

  /**
   * Put op by op into a chained batch rather than handed over as an array:
   * leveldown reads each operation of an array on this thread through a
   * dozen N-API calls, after abstract-leveldown has copied it, where a
   * chained put is one call; a first start writes 17 a signal
   * (docs/performance-history.md, "LevelDB's writes through a chained batch").
   */
  async batch(operations: KvOperation[], durable = true): Promise<void> {
    const db = this.opened();
    const sync = this.sync && durable;
    const batch = db.batch();
    try {
      // abstract-leveldown checks each operation as it is put, and throws;
      // LevelDB's own failures come to the write's callback. Both are mapped alike.
      for (const op of operations) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
      await call((cb) => batch.write({ sync }, cb));
    } catch (err) {
      throw this.failure(err);
    }
  }

  async compact(range: KeySlice): Promise<void> {
    const db = this.opened();
    await call((cb) => db.compactRange(range.gte, range.lt, cb)).catch((err: unknown) => {
      throw this.failure(err);
    });
  }

  async approximateSize(range: KeySlice): Promise<number> {
    const db = this.opened();
    return call<number>((cb) => db.approximateSize(range.gte, range.lt, cb)).catch(
      (err: unknown) => {
        throw this.failure(err);
      },
    );
  }

  async *entries(range: KvRange): AsyncGenerator<[string, string]> {
    for await (const [key, value] of this.iterate(range, true)) yield [key, value ?? ''];
  }

  async *keys(range: KvRange): AsyncGenerator<string> {
    for await (const [key] of this.iterate(range, false)) yield key;
  }

  private async *iterate(
    range: KvRange,
    values: boolean,
  ): AsyncGenerator<[string, string | undefined]> {
    const db = this.opened();
    const iterator = db.iterator({
      ...range,
      limit: range.limit ?? -1,
      values,
      keyAsBuffer: false,
      valueAsBuffer: false,
    });
    try {
      for (;;) {
        const entry = await iterator.next().catch((err: unknown) => {
          throw db === this.db ? this.failure(err) : notOpen();
        });
        if (entry === undefined) return;
        yield entry;
      }
    } finally {
      // Once close() began, leveldown ends the iterator itself, and a second
      // end() would never call back.
      if (db === this.db) await iterator.end();
    }
  }

  private opened(): leveldown.LevelDown {
    if (!this.db) throw notOpen();
    return this.db;
  }

  /** leveldown reports everything as a plain Error; only its message says which kind. */
  private failure(err: unknown): StoreError {
    const message = err instanceof Error ? err.message : String(err);
    if (message.startsWith('IO error: lock')) {
      return new StoreError(
        'STORE_LOCKED',
        `The data directory ${this.dataDir} is in use by another radar process (LevelDB holds its lock); ` +
          'stop that process or give this one its own data directory',
        { cause: err, retriable: true },
      );
    }
    if (message.startsWith('Corruption')) {
      return new StoreError('STORE_CORRUPT', `LevelDB reports corruption in ${this.dataDir}`, {
        cause: err,
      });
    }
    // Not retriable: LevelDB keeps a failed background write as the answer to
    // every later write until the store is opened again.
    return new StoreError('STORE_IO', `Storage failed in ${this.dataDir}: ${message}`, {
      cause: err,
    });
  }
}

export class LevelStore extends KvStore {
  readonly dataDir: string;

  constructor(dataDir: string, options: LevelStoreOptions = {}) {
    super(new LevelKv(dataDir, options.sync ?? true, options.createIfMissing ?? true), dataDir);
    this.dataDir = dataDir;
  }
}

/** leveldown's callback API as a promise: the one place the store bridges the two. */
function call<T = void>(run: (callback: leveldown.Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    run((err, value) => {
      if (err) reject(err);
      else resolve(value as T);
    });
  });
}
