/** A decode worker: whole-line chunks of NDJSON in, `WireChunk`s out, in the order they came. */
import { parentPort } from 'node:worker_threads';
import { decodeChunk, toWireChunk } from './decode-chunk.js';
import { chunkText } from './lines.js';

parentPort!.on('message', (bytes: Uint8Array) => {
  try {
    parentPort!.postMessage({ chunk: toWireChunk(decodeChunk(chunkText(bytes))) });
  } catch (error) {
    parentPort!.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
