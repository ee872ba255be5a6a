/** Reading NDJSON input in chunks of whole lines, and writing lines out. */
import { once } from 'node:events';
import { WriteStream } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { Utf8Writer, type ByteBuffers } from './utf8-writer.js';

const NEWLINE = 0x0a;

/** About 1,700 signals: large enough that handing a chunk to a worker costs next to nothing. */
const CHUNK_BYTES = 1 << 20;

/**
 * Cuts a byte stream into chunks of whole lines of at least `size` bytes
 * (the last may be shorter and lack its newline). Each chunk is a fresh
 * copy, so it can be transferred to a worker. A `\n` byte never occurs
 * inside a UTF-8 sequence, so cutting after one never splits a character.
 */
export async function* lineChunks(
  input: AsyncIterable<Buffer | string>,
  { size = CHUNK_BYTES, onChunk }: { size?: number; onChunk?: (bytes: number) => void } = {},
): AsyncGenerator<Uint8Array> {
  let parts: Buffer[] = [];
  let buffered = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    onChunk?.(bytes.length);
    parts.push(bytes);
    buffered += bytes.length;
    if (buffered < size) continue;
    const joined = Buffer.concat(parts, buffered);
    const cut = joined.lastIndexOf(NEWLINE) + 1;
    if (cut === 0) continue;
    yield new Uint8Array(joined.subarray(0, cut));
    parts = [joined.subarray(cut)];
    buffered = joined.length - cut;
  }
  if (buffered > 0) yield new Uint8Array(Buffer.concat(parts, buffered));
}

/** The text of a chunk from `lineChunks`. */
export function chunkText(chunk: Uint8Array): string {
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
}

/**
 * Calls `onLine` for each line of `text` with its number from 1: split on
 * `\n`, a trailing `\r` dropped, blank lines included. Returns how many lines
 * there were; a final newline does not start another.
 */
export function eachLine(text: string, onLine: (line: string, lineNumber: number) => void): number {
  let lines = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    onLine(text.slice(start, text.charCodeAt(end - 1) === 13 ? end - 1 : end), ++lines);
    start = end + 1;
  }
  return lines;
}

/** The size of the buffers output is written in: a megabyte, a few hundred lines. */
const OUTPUT_BYTES = 1 << 20;

/**
 * A stream's output buffers: each written as it is filled and used again
 * once the stream is done with it, so that writing makes no buffer a line
 * (see `Utf8Writer`). Honours the stream's back-pressure: wait on `drain`
 * whenever `full` says so.
 */
export class StreamBuffers implements ByteBuffers {
  private readonly free: Uint8Array[] = [];
  /**
   * A file or a socket (a pipe, a terminal) has handed the bytes to the
   * system when it calls back. Any other stream may still hold them (a
   * PassThrough queues the very chunk it is given): it gets a copy.
   */
  private readonly copies: boolean;

  constructor(private readonly out: Writable) {
    this.copies = !(out instanceof WriteStream || out instanceof Socket);
  }

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(OUTPUT_BYTES);
  }

  filled(bytes: Uint8Array, length: number): void {
    this.send(bytes, length, () => this.free.push(bytes));
  }

  /** Writes `bytes[0, length)` and calls `done` once they may be written over. */
  send(bytes: Uint8Array, length: number, done: () => void): void {
    if (this.copies) {
      this.out.write(Buffer.from(bytes.subarray(0, length)));
      done();
    } else this.out.write(Buffer.from(bytes.buffer, bytes.byteOffset, length), done);
  }

  /** Whether to wait on `drain` before writing more. */
  get full(): boolean {
    return this.out.writableNeedDrain;
  }

  drain(): Promise<unknown> {
    return once(this.out, 'drain');
  }
}

/** Writes lines in buffers of a megabyte, waiting for the stream to drain so memory stays flat. */
export async function writeLines(out: Writable, lines: Iterable<string>): Promise<void> {
  const buffers = new StreamBuffers(out);
  const writer = new Utf8Writer(buffers);
  for (const line of lines) {
    writer.text(line);
    writer.byte(NEWLINE);
    if (buffers.full) await buffers.drain();
  }
  writer.flush();
}
