/**
 * Splits a byte stream into lines without holding more than one chunk and one
 * partial line in memory, so a file of millions of signals streams through.
 * The callback runs synchronously per line: no promise per line on the hot path.
 */
import { StringDecoder } from 'node:string_decoder';

export async function forEachLine(
  input: AsyncIterable<Buffer | string>,
  onLine: (line: string, lineNumber: number) => void,
  onChunk?: (bytes: number) => void,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let lineNumber = 0;
  for await (const chunk of input) {
    onChunk?.(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);
    const text = partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    let end = text.indexOf('\n', start);
    while (end !== -1) {
      onLine(
        text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end),
        ++lineNumber,
      );
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    partial = text.slice(start);
  }
  partial += decoder.end();
  if (partial !== '') onLine(partial.endsWith('\r') ? partial.slice(0, -1) : partial, ++lineNumber);
}

const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into chunks of whole lines of at least `size` bytes
 * (the last may be shorter and lack its newline). Each chunk is a fresh
 * copy, so it can be transferred to a worker. A `\n` byte never occurs
 * inside a UTF-8 sequence, so cutting after one never splits a character.
 */
export async function* lineChunks(
  input: AsyncIterable<Buffer | string>,
  size: number,
  onChunk?: (bytes: number) => void,
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
