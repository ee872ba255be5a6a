/**
 * Worker threads that decode a backlog's batches of messages
 * (`decodeBatch`) beside the thread that reads them from Kafka and decides
 * on them: on the first pass of a backlog that thread did both, and the
 * decoding was the larger half. A batch goes to the worker with the least
 * queued, or is decoded in this thread when every worker has enough to do;
 * the answers are awaited in the order asked, so the batches are decided
 * on in the order read.
 */
import { Worker } from 'node:worker_threads';
import { deferred, type Deferred } from '../deferred.js';
import { RadarError } from '../errors.js';
import { workerScript } from '../worker-script.js';
import {
  decodeBatch,
  packMessages,
  packedTransferList,
  type DecodedBatch,
  type PackedMessages,
} from './decode-batch.js';
import type { InboundMessage } from './messages.js';

export interface DecodeRequest {
  packed: PackedMessages;
  retainedFrom: number;
}

export type DecodeReply = { batch: DecodedBatch } | { error: string };

/**
 * Batches queued a worker before this thread decodes one itself: with fewer
 * a worker waits for the next while this thread applies the last.
 */
const WORKER_BACKLOG = 3;

interface Member {
  worker: Worker;
  /** Requests in the order sent; a worker answers them in that order. */
  decoding: Deferred<DecodedBatch>[];
}

export class DecodeWorkers {
  private readonly members: Member[];
  /** Why a worker can answer no more, once one cannot. */
  private failure: RadarError | undefined;

  /** `retainedFrom`: signals that occurred before it (epoch ms) are expired. */
  constructor(
    threads: number,
    private readonly retainedFrom: number,
  ) {
    const script = workerScript(import.meta.url, 'decode-worker.js');
    this.members = Array.from({ length: threads }, () => {
      const member: Member = { worker: new Worker(script), decoding: [] };
      member.worker.on('message', (reply: DecodeReply) => this.receive(member, reply));
      member.worker.on('error', (error) =>
        this.fail(member, `decode worker failed: ${error.message}`, error),
      );
      // A worker that dies without an error (killed, out of memory) must not leave work awaited forever.
      member.worker.on('exit', (code) =>
        this.fail(member, `decode worker exited with code ${code}`),
      );
      return member;
    });
  }

  /** Fails, as every later call does, once a worker has failed or ended. */
  decode(messages: readonly InboundMessage[]): Promise<DecodedBatch> {
    // A request to a worker that is gone would be awaited forever.
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const packed = packMessages(messages);
    let least: Member | undefined;
    for (const m of this.members) {
      if (least === undefined || m.decoding.length < least.decoding.length) least = m;
    }
    if (least === undefined || least.decoding.length >= WORKER_BACKLOG) {
      return Promise.resolve(decodeBatch(packed, this.retainedFrom));
    }
    const reply = deferred<DecodedBatch>();
    least.decoding.push(reply);
    least.worker.postMessage(
      { packed, retainedFrom: this.retainedFrom } satisfies DecodeRequest,
      packedTransferList(packed),
    );
    return reply.promise;
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map(({ worker }) => worker.terminate()));
  }

  private receive(member: Member, reply: DecodeReply): void {
    const request = member.decoding.shift();
    if (request === undefined) this.fail(member, 'decode worker replied to no request');
    else if ('batch' in reply) request.resolve(reply.batch);
    else request.reject(new RadarError('WORKER_FAILED', `decode worker failed: ${reply.error}`));
  }

  private fail(member: Member, message: string, cause?: Error): void {
    const error = new RadarError('WORKER_FAILED', message, { cause });
    this.failure ??= error;
    for (const d of member.decoding.splice(0)) d.reject(error);
  }
}
