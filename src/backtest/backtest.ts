/**
 * `radar backtest` without the command line: NDJSON signals in, the radar out.
 * Runs the same `Radar` the live service runs, so the two cannot disagree.
 * Lines go through in chunks: decoded (in workers, or here), then applied to
 * the radar strictly in line order, which is the order the contract's one
 * order-dependent rule (the first version of an id stays) refers to.
 */
import { SignalRejectedError } from '../errors.js';
import type { Radar } from '../engine/index.js';
import { inThreadDecoder, sharedDecoder } from './chunk-decoder.js';
import type { DecodedChunk } from './decode-chunk.js';
import { lineChunks } from './lines.js';
import { householdSummary, type HouseholdSummary } from './format.js';
import type { Indicator } from '../rules/index.js';

export interface BacktestCounts {
  /** Non-blank lines read. */
  read: number;
  /** Distinct signals accepted. */
  accepted: number;
  /** Exact redeliveries of an accepted signal: neither accepted again nor rejected. */
  duplicates: number;
  rejected: number;
  /** Accepted signals that an accepted signal retracts. */
  withdrawn: number;
}

export interface BacktestInput {
  input: AsyncIterable<Buffer | string>;
  radar: Radar;
  onRejected: (lineNumber: number, error: SignalRejectedError) => void;
  onBytes?: (bytes: number) => void;
  /**
   * Worker threads that decode lines while this thread runs the engine; 0
   * decodes here. The output is the same either way.
   * @defaultValue 0
   */
  decodeThreads?: number;
}

interface Decoding {
  readonly chunk: Promise<DecodedChunk>;
  settled: boolean;
}

function decoding(chunk: Promise<DecodedChunk>): Decoding {
  const entry = { chunk, settled: false };
  // Also keeps a failure from counting as unhandled before its turn comes to be awaited.
  chunk.then(
    () => (entry.settled = true),
    () => (entry.settled = true),
  );
  return entry;
}

export async function ingestNdjson({
  input,
  radar,
  onRejected,
  onBytes,
  decodeThreads = 0,
}: BacktestInput): Promise<BacktestCounts> {
  const counts = { read: 0, accepted: 0, duplicates: 0, rejected: 0 };
  let firstLine = 0;
  const apply = (chunk: DecodedChunk): void => {
    counts.read += chunk.read;
    let r = 0;
    const rejectUpTo = (line: number): void => {
      for (; r < chunk.rejected.length && chunk.rejected[r]!.line < line; r++) {
        const { line: at, code, message, field } = chunk.rejected[r]!;
        counts.rejected++;
        onRejected(firstLine + at, new SignalRejectedError(code, message, field));
      }
    };
    chunk.signalLines.forEach((line, i) => {
      const prepared = chunk.signals[i]!;
      rejectUpTo(line);
      try {
        if (radar.ingestPrepared(prepared) === 'accepted') counts.accepted++;
        else counts.duplicates++;
      } catch (error) {
        if (!(error instanceof SignalRejectedError)) throw error;
        counts.rejected++;
        onRejected(firstLine + line, error);
      }
    });
    rejectUpTo(Infinity);
    firstLine += chunk.lines;
  };

  const decoder = decodeThreads > 0 ? sharedDecoder(decodeThreads) : inThreadDecoder();
  // Enough chunks decoded ahead to keep every worker busy, few enough to bound the memory they hold.
  const ahead = 2 * decodeThreads + 2;
  const queue: Decoding[] = [];
  try {
    for await (const bytes of lineChunks(input, { onChunk: onBytes })) {
      queue.push(decoding(decoder.decode(bytes)));
      while (queue.length > 0 && queue[0]!.settled) apply(await queue.shift()!.chunk);
      if (queue.length > ahead) apply(await queue.shift()!.chunk);
    }
    while (queue.length > 0) apply(await queue.shift()!.chunk);
  } finally {
    await decoder.close();
  }
  // Households are formed once, at the end: from scratch is far cheaper than batch by batch.
  radar.settle();
  return { ...counts, withdrawn: radar.counts.withdrawn };
}

export interface RadarSnapshot {
  households: HouseholdSummary[];
  indicators: Indicator[];
}

/** The radar's households and indicators as of its last flush. */
export function snapshot(radar: Radar): RadarSnapshot {
  const households: HouseholdSummary[] = [];
  for (const household of radar.households.households()) {
    households.push(householdSummary(radar.households, household));
  }
  return { households, indicators: [...radar.indicators()] };
}
