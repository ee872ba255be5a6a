/**
 * Where a backtest's lines are decoded: in this thread, or (see
 * `BacktestWorkers`) in worker threads beside it.
 */
import { availableParallelism } from 'node:os';
import { decodeChunk, type DecodedChunk } from './decode-chunk.js';

/** One less than the CPUs, at least one: the main thread runs the engine (and decodes when it can). */
export function defaultWorkerThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface ChunkDecoder {
  /** Decodes whole lines. Await the results in call order to apply them in line order. */
  decode(bytes: Uint8Array): Promise<DecodedChunk>;
  close(): Promise<void>;
}

export function inThreadDecoder(): ChunkDecoder {
  return {
    decode: (bytes) => Promise.resolve(decodeChunk(bytes)),
    close: () => Promise.resolve(),
  };
}
