/**
 * The store on LevelDB, through leveldown directly: one key space, one prefix
 * per kind of data, JSON values.
 *
 *   sig!<signalId>         Signal, exactly as the decoder produced it
 *   off!<topic>:<part>     next offset to read, as a decimal string
 *   hh!<householdId>       HouseholdSummary
 *   ind!<indicatorId>      Indicator
 *   evt!<sequence>         StoredEvent; sequence zero-padded to 16 digits so
 *                          byte order is numeric order
 *   meta!seq               last event sequence
 *   meta!published         last sequence produced to the indicator topic
 *   cnt!<name>             counter value
 *
 * A `write` is one LevelDB write batch, which LevelDB applies atomically —
 * that, and nothing else, is why a crash leaves a batch whole or absent.
 * Values are never logged and never put into error messages: signals carry
 * personal data.
 */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import leveldown from 'leveldown';
import type { HouseholdSummary } from '../engine/household-summary.js';
import type { Indicator } from '../rules/index.js';
import type { Signal } from '../signals/types.js';
import { notOpen, StoreError } from './errors.js';
import { continueSequence } from './sequence.js';
import type { RadarStore, StateBatch, StoredEvent } from './types.js';

const SIGNAL = 'sig!';
const OFFSET = 'off!';
const HOUSEHOLD = 'hh!';
const INDICATOR = 'ind!';
const EVENT = 'evt!';
const COUNTER = 'cnt!';
const LAST_SEQUENCE = 'meta!seq';
const PUBLISHED = 'meta!published';

function eventKey(sequence: number): string {
  return EVENT + String(sequence).padStart(16, '0');
}

/** Every key that starts with `prefix`: each prefix ends in `!`, and `"` is the next byte. */
function prefixRange(prefix: string): { gte: string; lt: string } {
  return { gte: prefix, lt: `${prefix.slice(0, -1)}"` };
}

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

export class LevelStore implements RadarStore {
  readonly dataDir: string;
  private readonly sync: boolean;
  private readonly createIfMissing: boolean;
  /** Set exactly while the store is open and not closing. */
  private db: leveldown.LevelDown | undefined;
  /** Kept in memory so the sequence check of a write costs no read. */
  private last = 0;
  private published = 0;
  /** Writes run one at a time, so each checks the sequence its predecessor left. */
  private writes: Promise<void> = Promise.resolve();
  /** open() and close() run one at a time, in call order. */
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(dataDir: string, options: LevelStoreOptions = {}) {
    this.dataDir = dataDir;
    this.sync = options.sync ?? true;
    this.createIfMissing = options.createIfMissing ?? true;
  }

  open(): Promise<void> {
    return this.transition(async () => {
      if (this.db) return;
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
      await call((cb) => db.open({ createIfMissing: this.createIfMissing }, cb)).catch(
        (err: unknown) => {
          throw this.failure(err);
        },
      );
      try {
        this.last = this.parseSequence(LAST_SEQUENCE, await this.get(db, LAST_SEQUENCE));
        this.published = this.parseSequence(PUBLISHED, await this.get(db, PUBLISHED));
      } catch (err) {
        await call((cb) => db.close(cb));
        throw err;
      }
      this.db = db;
    });
  }

  close(): Promise<void> {
    return this.transition(async () => {
      const db = this.db;
      if (!db) return;
      this.db = undefined;
      // Writes accepted before close() still land; later ones get STORE_NOT_OPEN.
      await this.writes;
      // leveldown ends any iterator still open.
      await call((cb) => db.close(cb)).catch((err: unknown) => {
        throw this.failure(err);
      });
    });
  }

  async write(batch: StateBatch): Promise<void> {
    const db = this.opened();
    const run = this.writes.then(() => this.apply(db, batch));
    this.writes = run.catch(() => undefined);
    return run;
  }

  async *signals(): AsyncIterable<Signal> {
    for await (const [key, value] of this.entries(SIGNAL)) yield this.parse<Signal>(key, value);
  }

  async offsets(): Promise<Map<string, string>> {
    const offsets = new Map<string, string>();
    for await (const [key, value] of this.entries(OFFSET)) {
      offsets.set(key.slice(OFFSET.length), this.parse<string>(key, value));
    }
    return offsets;
  }

  async *households(): AsyncIterable<HouseholdSummary> {
    for await (const [key, value] of this.entries(HOUSEHOLD))
      yield this.parse<HouseholdSummary>(key, value);
  }

  async household(id: string): Promise<HouseholdSummary | undefined> {
    return this.lookup<HouseholdSummary>(HOUSEHOLD + id);
  }

  async *indicators(): AsyncIterable<Indicator> {
    for await (const [key, value] of this.entries(INDICATOR))
      yield this.parse<Indicator>(key, value);
  }

  async indicator(id: string): Promise<Indicator | undefined> {
    return this.lookup<Indicator>(INDICATOR + id);
  }

  async *events(after: number): AsyncIterable<StoredEvent> {
    const from = after < 1 ? undefined : eventKey(Math.floor(after));
    for await (const [key, value] of this.entries(EVENT, from))
      yield this.parse<StoredEvent>(key, value);
  }

  async lastSequence(): Promise<number> {
    this.opened();
    return this.last;
  }

  async publishedSequence(): Promise<number> {
    this.opened();
    return this.published;
  }

  async counters(): Promise<Record<string, number>> {
    const counters: [string, number][] = [];
    for await (const [key, value] of this.entries(COUNTER)) {
      counters.push([key.slice(COUNTER.length), this.parse<number>(key, value)]);
    }
    return Object.fromEntries(counters);
  }

  private async apply(db: leveldown.LevelDown, batch: StateBatch): Promise<void> {
    const events = batch.events ?? [];
    const last = continueSequence(this.last, events);
    const ops: leveldown.BatchOperation[] = [];
    const put = (key: string, value: unknown): void => {
      ops.push({ type: 'put', key, value: JSON.stringify(value) });
    };
    const del = (key: string): void => {
      ops.push({ type: 'del', key });
    };

    for (const signal of batch.signals ?? []) put(SIGNAL + signal.id, signal);
    for (const [partition, offset] of batch.offsets ?? []) put(OFFSET + partition, offset);
    // Deletes go first: an id both deleted and put in one batch ends up put.
    for (const id of batch.householdsDeleted ?? []) del(HOUSEHOLD + id);
    for (const h of batch.householdsPut ?? []) put(HOUSEHOLD + h.householdId, h);
    for (const id of batch.indicatorsDeleted ?? []) del(INDICATOR + id);
    for (const i of batch.indicatorsPut ?? []) put(INDICATOR + i.indicatorId, i);
    for (const event of events) put(eventKey(event.sequence), event);
    if (events.length > 0) put(LAST_SEQUENCE, last);
    if (batch.publishedSequence !== undefined) put(PUBLISHED, batch.publishedSequence);
    for (const [name, value] of Object.entries(batch.counters ?? {})) put(COUNTER + name, value);

    await call((cb) => db.batch(ops, { sync: this.sync }, cb)).catch((err: unknown) => {
      throw this.failure(err);
    });
    this.last = last;
    if (batch.publishedSequence !== undefined) this.published = batch.publishedSequence;
  }

  /** Key and value of every entry under `prefix`, in key order, from one LevelDB snapshot. */
  private async *entries(prefix: string, after?: string): AsyncGenerator<[string, string]> {
    const db = this.opened();
    const range = prefixRange(prefix);
    const iterator = db.iterator({
      ...(after === undefined ? { gte: range.gte } : { gt: after }),
      lt: range.lt,
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

  private async lookup<T>(key: string): Promise<T | undefined> {
    const value = await this.get(this.opened(), key);
    return value === undefined ? undefined : this.parse<T>(key, value);
  }

  private async get(db: leveldown.LevelDown, key: string): Promise<string | undefined> {
    try {
      return await call<string>((cb) => db.get(key, { asBuffer: false }, cb));
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NotFound')) return undefined;
      throw this.failure(err);
    }
  }

  private parse<T>(key: string, value: string): T {
    try {
      return JSON.parse(value) as T;
    } catch {
      // Not chained: the SyntaxError quotes the value, which may be personal data.
      throw new StoreError(
        'STORE_CORRUPT',
        `Unparseable value under key ${key} in ${this.dataDir}`,
      );
    }
  }

  private parseSequence(key: string, value: string | undefined): number {
    if (value === undefined) return 0;
    const sequence = this.parse<unknown>(key, value);
    if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) {
      throw new StoreError('STORE_CORRUPT', `${key} in ${this.dataDir} is not a sequence number`);
    }
    return sequence;
  }

  private opened(): leveldown.LevelDown {
    if (!this.db) throw notOpen();
    return this.db;
  }

  private transition(step: () => Promise<void>): Promise<void> {
    const run = this.lifecycle.then(step);
    this.lifecycle = run.catch(() => undefined);
    return run;
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

/** leveldown's callback API as a promise: the one place the store bridges the two. */
function call<T = void>(run: (callback: leveldown.Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    run((err, value) => {
      if (err) reject(err);
      else resolve(value as T);
    });
  });
}
