/**
 * Signals set aside while a backlog is read, to be taken out again in
 * another order (engine/backlog-plan.ts). They are numbered in the order put,
 * which is the order the plan accepted them in, so the plan's number of an
 * id finds its signal and the spool keeps no key of its own.
 *
 * On disk it is one file the signals are appended to as JSON, and in memory
 * where each ends: nothing is ever rewritten or compacted. A LevelDB held
 * them by id before: its tables, as large as the backlog's JSON (6 GB at
 * twenty years), were merged level into level while the load read and
 * folded, on the core the fold needs, and each get looked through them.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { at, outOfRange } from '../at.js';
import { RadarError } from '../errors.js';
import { NumberBuffer } from '../number-buffer.js';
import type { Signal } from '../signals/types.js';
import { StoreError } from './errors.js';

/** A signal as put, and its JSON as written: what a store writes for it. */
export interface SpooledSignal {
  signal: Signal;
  text: string;
}

/** Where a signal asked for (its place in the question) lies in the file. */
interface Span {
  place: number;
  from: number;
  to: number;
}

/** Reads closer than this in the file are made as one. */
const GAP_BYTES = 16 * 1024;

export interface SignalSpool {
  /** How many signals were put. */
  readonly size: number;
  /** Sets signals aside, each given as its JSON (what the store holds of it), numbered on from `size`. */
  put(texts: readonly Uint8Array[]): Promise<void>;
  /** The signals under these numbers, in their order. */
  get(numbers: readonly number[]): Promise<SpooledSignal[]>;
  /** Lets go of them; a spool on disk deletes its file. */
  close(): Promise<void>;
}

/** A spool in the file at `path`, made anew (emptied if a file is there). */
export async function spoolOnDisk(path: string): Promise<SignalSpool> {
  return new FileSpool(path, await open(path, 'w+'));
}

export function spoolInMemory(): SignalSpool {
  return new MemorySpool();
}

function checkNumbers(numbers: readonly number[], size: number): void {
  for (const n of numbers)
    if (!Number.isInteger(n) || n < 0 || n >= size)
      throw new RadarError('INDEX_OUT_OF_RANGE', `no signal ${n} in a spool of ${size}`);
}

class FileSpool implements SignalSpool {
  /** Where each signal ends in the file; the first begins at 0. */
  private readonly ends = new NumberBuffer();

  constructor(
    private readonly path: string,
    private readonly file: FileHandle,
  ) {}

  get size(): number {
    return this.ends.length;
  }

  async put(texts: readonly Uint8Array[]): Promise<void> {
    if (texts.length === 0) return;
    const from = this.startOf(this.size);
    let end = from;
    // Numbered before the write, so that a put begun meanwhile goes after.
    for (const text of texts) {
      end += text.length;
      this.ends.push(end);
    }
    const data = Buffer.concat(texts);
    await this.file.write(data, 0, data.length, from);
  }

  async get(numbers: readonly number[]): Promise<SpooledSignal[]> {
    checkNumbers(numbers, this.size);
    const spans = numbers.map((n, place) => ({ place, from: this.startOf(n), to: this.endOf(n) }));
    spans.sort((a, b) => a.from - b.from);
    const out = new Array<SpooledSignal>(numbers.length);
    const reads: Promise<void>[] = [];
    for (let i = 0; i < spans.length;) {
      // One read for the next signals in the file while the gap to each is small.
      let j = i + 1;
      while (j < spans.length && at(spans, j).from - at(spans, j - 1).to <= GAP_BYTES) j++;
      reads.push(this.read(spans.slice(i, j), out));
      i = j;
    }
    await Promise.all(reads);
    return out;
  }

  async close(): Promise<void> {
    await this.file.close();
    await rm(this.path, { force: true });
  }

  private async read(spans: readonly Span[], out: SpooledSignal[]): Promise<void> {
    const from = at(spans, 0).from;
    const buffer = Buffer.allocUnsafe(at(spans, spans.length - 1).to - from);
    const { bytesRead } = await this.file.read(buffer, 0, buffer.length, from);
    if (bytesRead !== buffer.length)
      throw new StoreError(
        'STORE_IO',
        `The signal spool ${this.path} ended early: ${bytesRead} of ${buffer.length} bytes read`,
      );
    for (const span of spans) {
      const text = buffer.toString('utf8', span.from - from, span.to - from);
      out[span.place] = { signal: JSON.parse(text) as Signal, text };
    }
  }

  private startOf(n: number): number {
    return n === 0 ? 0 : this.ends.at(n - 1);
  }

  private endOf(n: number): number {
    return this.ends.at(n);
  }
}

class MemorySpool implements SignalSpool {
  private readonly texts: string[] = [];

  get size(): number {
    return this.texts.length;
  }

  put(texts: readonly Uint8Array[]): Promise<void> {
    for (const text of texts)
      this.texts.push(Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8'));
    return Promise.resolve();
  }

  get(numbers: readonly number[]): Promise<SpooledSignal[]> {
    // Refused as the file's spool refuses: by a rejected promise, not a throw.
    return Promise.resolve().then(() => {
      checkNumbers(numbers, this.size);
      return numbers.map((n) => {
        const text = this.texts[n] ?? outOfRange(this.texts, n);
        return { signal: JSON.parse(text) as Signal, text };
      });
    });
  }

  close(): Promise<void> {
    this.texts.length = 0;
    return Promise.resolve();
  }
}
