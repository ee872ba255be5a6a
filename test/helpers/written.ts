/** What a `Utf8Writer` writes, gathered in memory, in buffers of `size` bytes (small, to cross their ends often). */
import { Utf8Writer } from '../../src/backtest/utf8-writer.js';

export function memoryWriter(size = 64): {
  writer: Utf8Writer;
  text: () => string;
  bytes: () => Buffer;
} {
  const pieces: Buffer[] = [];
  const writer = new Utf8Writer({
    take: () => new Uint8Array(size),
    filled: (bytes, length) => pieces.push(Buffer.from(bytes.subarray(0, length))),
  });
  const bytes = (): Buffer => {
    writer.flush();
    return Buffer.concat(pieces);
  };
  return { writer, bytes, text: () => bytes().toString('utf8') };
}
