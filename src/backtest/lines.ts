/** Reading NDJSON input in chunks of whole lines, and writing lines out. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

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

/** Writes lines in chunks, waiting for the stream to drain so memory stays flat. */
export async function writeLines(out: Writable, lines: Iterable<string>): Promise<void> {
  let buffer = '';
  for (const line of lines) {
    buffer += line + '\n';
    if (buffer.length >= 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  if (buffer !== '') out.write(buffer);
}
