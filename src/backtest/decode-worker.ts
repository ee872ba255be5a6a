/** A decode worker: whole-line chunks of NDJSON in, `DecodedChunk`s out, in the order they came. */
import { parentPort } from 'node:worker_threads';
import { decodeChunk } from './decode-chunk.js';

parentPort!.on('message', (bytes: Uint8Array) => {
  try {
    parentPort!.postMessage({
      chunk: decodeChunk(
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
      ),
    });
  } catch (error) {
    parentPort!.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
