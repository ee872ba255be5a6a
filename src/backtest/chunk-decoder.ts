/**
 * Where a backtest's lines are decoded: in worker threads beside this one,
 * so that decoding (most of a signal's cost) runs beside the engine instead
 * of before it, and in this thread too whenever every worker has enough
 * queued; or only in this thread when there are no workers.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { decodeChunk, fromWireChunk, type DecodedChunk, type WireChunk } from './decode-chunk.js';
import { chunkText } from './lines.js';

/** One less than the CPUs, at least one: the main thread runs the engine (and decodes when it can). */
export function defaultDecodeThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface ChunkDecoder {
  /** Decodes whole lines. Await the results in call order to apply them in line order. */
  decode(bytes: Uint8Array): Promise<DecodedChunk>;
  close(): Promise<void>;
}

export function inThreadDecoder(): ChunkDecoder {
  return {
    decode: (bytes) => {
      try {
        return Promise.resolve(decodeChunk(chunkText(bytes)));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    close: () => Promise.resolve(),
  };
}

/**
 * The compiled worker script. Under vitest this module runs from its
 * TypeScript source, which a worker thread cannot load, so it starts the
 * compiled twin in dist/ that `npm test` builds first.
 */
function workerScript(): URL {
  const here = new URL(import.meta.url);
  if (!here.pathname.endsWith('.ts')) return new URL('./decode-worker.js', here);
  const compiled = new URL('../../dist/src/backtest/decode-worker.js', here);
  if (!existsSync(compiled))
    throw new Error(`run \`npm run build\` first: ${compiled.pathname} is missing`);
  return compiled;
}

type Reply = { chunk: WireChunk } | { error: string };

/**
 * Chunks a worker may have queued before this thread decodes the next one
 * itself: one to work on and one to start right after, so a worker never
 * waits while this thread is busy decoding.
 */
const WORKER_BACKLOG = 2;

interface Pending {
  resolve: (chunk: DecodedChunk) => void;
  reject: (error: Error) => void;
}

/**
 * `threads` workers, each answering its chunks in order, and this thread:
 * a chunk goes to the worker with the least queued, or, when every worker
 * has `WORKER_BACKLOG` queued, is decoded here. This thread would otherwise
 * wait, since the engine takes a chunk faster than a worker decodes one.
 */
export function sharedDecoder(threads: number): ChunkDecoder {
  const here = inThreadDecoder();
  const script = workerScript();
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(script);
    const pending: Pending[] = [];
    worker.on('message', (reply: Reply) => {
      const next = pending.shift()!;
      if ('chunk' in reply) next.resolve(fromWireChunk(reply.chunk));
      else next.reject(new Error(`decode worker failed: ${reply.error}`));
    });
    worker.on('error', (error) => {
      for (const p of pending.splice(0)) p.reject(error);
    });
    // A worker that dies without an error (killed, out of memory) must not leave its chunks awaited forever.
    worker.on('exit', (code) => {
      const error = new Error(`decode worker exited with code ${code}`);
      for (const p of pending.splice(0)) p.reject(error);
    });
    return { worker, pending };
  });
  return {
    decode: (bytes) => {
      let least = workers[0]!;
      for (const w of workers) if (w.pending.length < least.pending.length) least = w;
      if (least.pending.length >= WORKER_BACKLOG) return here.decode(bytes);
      const { worker, pending } = least;
      return new Promise<DecodedChunk>((resolve, reject) => {
        pending.push({ resolve, reject });
        worker.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
      });
    },
    close: async () => {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
