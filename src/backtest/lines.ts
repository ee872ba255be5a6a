/** Reading NDJSON input in chunks of whole lines. */
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
