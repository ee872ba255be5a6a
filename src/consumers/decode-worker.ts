/** A decode worker (see `DecodeWorkers`): decodes packed batches of messages, in the order they come. */
import { parentPort } from 'node:worker_threads';
import { RadarError } from '../errors.js';
import { decodeBatch, decodedTransferList } from './decode-batch.js';
import type { DecodeReply, DecodeRequest } from './decode-workers.js';

if (parentPort === null) {
  throw new RadarError('WORKER_FAILED', 'the decode worker script runs in a worker thread only');
}
const port = parentPort;

port.on('message', ({ packed, retainedFrom }: DecodeRequest) => {
  try {
    const batch = decodeBatch(packed, retainedFrom);
    port.postMessage({ batch } satisfies DecodeReply, decodedTransferList(batch));
  } catch (error) {
    port.postMessage({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    } satisfies DecodeReply);
  }
});
