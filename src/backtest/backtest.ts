/**
 * `radar backtest` without the command line: NDJSON signals in, the radar out.
 * Runs the same `Radar` the live service runs, so the two cannot disagree.
 * Lines go through in chunks: decoded (in workers, or here), then applied to
 * the radar strictly in line order, which is the order the contract's one
 * order-dependent rule (the first version of an id stays) refers to.
 */
import { setImmediate } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { at } from '../at.js';
import { SignalRejectedError } from '../errors.js';
import { WireReader, type Radar } from '../engine/index.js';
import type { HouseholdSummary } from '../engine/household-summary.js';
import type { Indicator } from '../rules/index.js';
import { inThreadDecoder, type ChunkDecoder } from './chunk-decoder.js';
import type { DecodedChunk } from './decode-chunk.js';
import { orderedHouseholdLines } from './format.js';
import { lineChunks, StreamBuffers, writeLines } from './lines.js';
import { EpisodeFinder, PartLines, radarStateLines, type LinePart } from './rule-episodes.js';
import { Utf8Writer } from './utf8-writer.js';
import { BacktestWorkers, type SharedEvaluation } from './workers.js';

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
   * Worker threads that decode lines, and at the end evaluate rules, beside
   * this thread; 0 does everything here. The output is the same either way.
   * @defaultValue 0
   */
  workerThreads?: number;
}

interface Decoding {
  readonly chunk: Promise<DecodedChunk>;
  /** Set once `chunk` is decoded; a failure is left for `chunk` to throw. */
  decoded: DecodedChunk | undefined;
}

function decoding(chunk: Promise<DecodedChunk>): Decoding {
  const entry: Decoding = { chunk, decoded: undefined };
  // Also keeps a failure from counting as unhandled before its turn comes to be awaited.
  chunk.then(
    (decoded) => (entry.decoded = decoded),
    () => {},
  );
  return entry;
}

/**
 * The whole backtest: reads the signals into the radar and writes its
 * households and indicators to `out`, with the worker threads decoding
 * beside this one, then linking names and evaluating rules beside it.
 */
export async function runBacktest(
  options: BacktestInput & { out: Writable },
): Promise<BacktestCounts> {
  const workers = startWorkers(options.workerThreads);
  try {
    const counts = await ingestAndSettle(options, workers);
    await writeRadarState(options.out, options.radar, workers);
    return counts;
  } finally {
    await workers?.close();
  }
}

/**
 * The first half of `runBacktest`: the signals read into the radar and its
 * households formed, for a caller that evaluates rules itself (`radar rules
 * diff` evaluates two rulesets on the same households).
 */
export async function readAndSettle(options: BacktestInput): Promise<BacktestCounts> {
  const workers = startWorkers(options.workerThreads);
  try {
    return await ingestAndSettle(options, workers);
  } finally {
    await workers?.close();
  }
}

async function ingestAndSettle(
  options: BacktestInput,
  workers: BacktestWorkers | undefined,
): Promise<BacktestCounts> {
  const counts = await ingestWith(options, workers ?? inThreadDecoder());
  // Households are formed once, at the end: from scratch is far cheaper than batch by batch.
  if (workers === undefined) options.radar.settle();
  else await options.radar.settleLinkingNames((names) => workers.linkNames(names));
  return counts;
}

function startWorkers(threads = 0): BacktestWorkers | undefined {
  return threads > 0 ? new BacktestWorkers(threads) : undefined;
}

/**
 * Writes what `radarStateLines` gives; with workers, the two passes over
 * the rules are shared out between this thread and them.
 */
async function writeRadarState(
  out: Writable,
  radar: Radar,
  workers: BacktestWorkers | undefined,
): Promise<void> {
  if (workers === undefined) {
    await writeLines(out, radarStateLines(radar));
    return;
  }
  const { rules, households: packed } = radar.packedRuleWork({ named: false });
  const shared = workers.evaluate(
    rules.map(({ rule }) => rule),
    packed,
  );
  // The workers start on the episodes, which need no household ids, while this thread names the
  // households and writes them.
  packed.householdIds = radar.householdIds();
  await writeLines(out, orderedHouseholdLines(radar.householdSummariesInOrder()));
  const { lists, parts } = await shared.episodes(new EpisodeFinder(rules, packed));
  await writeParts(out, parts, shared, new PartLines(rules, packed, lists));
}

/**
 * The indicator lines, part by part in order: the parts this thread claims
 * made straight into the output's buffers, the workers' written from theirs
 * as they come. While a worker's part is not done, this thread makes the
 * next part no thread has claimed yet, ahead of its turn, rather than wait:
 * the workers claim the next part as soon as they finish one, and a thread
 * that waited for each would find the next one taken too.
 */
async function writeParts(
  out: Writable,
  parts: readonly LinePart[],
  shared: SharedEvaluation,
  made: PartLines,
): Promise<void> {
  const buffers = new StreamBuffers(out);
  const writer = new Utf8Writer(buffers);
  /** Parts made ahead of their turn: their filled buffers, from the output's. */
  const ahead = new Map<number, { bytes: Uint8Array; length: number }[]>();
  /** No part before it is left unclaimed. */
  let unclaimed = 0;
  const makeAhead = (after: number): boolean => {
    for (let i = Math.max(unclaimed, after + 1); i < parts.length; i++) {
      if (!shared.claimHere(i)) continue;
      unclaimed = i + 1;
      const filled: { bytes: Uint8Array; length: number }[] = [];
      const held = new Utf8Writer({
        take: () => buffers.take(),
        filled: (bytes, length) => filled.push({ bytes, length }),
      });
      made.write(at(parts, i), held);
      held.flush();
      ahead.set(i, filled);
      return true;
    }
    unclaimed = parts.length;
    return false;
  };
  for (const [i, part] of parts.entries()) {
    const madeAhead = ahead.get(i);
    if (madeAhead !== undefined) {
      ahead.delete(i);
      writer.flush();
      for (const { bytes, length } of madeAhead) buffers.filled(bytes, length);
    } else if (shared.claimHere(i)) {
      made.write(part, writer);
    } else {
      // A worker's part goes after what this thread has written so far.
      writer.flush();
      const pieces = shared.output(i);
      while (!pieces.done) {
        const piece = pieces.next();
        if (piece !== undefined) {
          buffers.send(piece.bytes, piece.length, piece.release);
          if (buffers.full) await buffers.drain();
        } else if (makeAhead(i)) {
          // For the worker's pieces that came meanwhile.
          await setImmediate();
        } else await pieces.arrival();
      }
    }
    if (buffers.full) await buffers.drain();
  }
  writer.flush();
}

async function ingestWith(
  { input, radar, onRejected, onBytes, workerThreads = 0 }: BacktestInput,
  decoder: ChunkDecoder,
): Promise<BacktestCounts> {
  const counts = { read: 0, accepted: 0, duplicates: 0, rejected: 0 };
  let firstLine = 0;
  const apply = (chunk: DecodedChunk): void => {
    counts.read += chunk.read;
    let r = 0;
    const rejectUpTo = (line: number): void => {
      const { rejected } = chunk;
      for (let next = rejected[r]; next !== undefined && next.line < line; next = rejected[++r]) {
        const { line: at, code, message, field } = next;
        counts.rejected++;
        onRejected(firstLine + at, new SignalRejectedError(code, message, field));
      }
    };
    const wire = new WireReader(chunk.signals);
    for (const line of chunk.signalLines) {
      rejectUpTo(line);
      try {
        if (radar.ingestWire(wire) === 'accepted') counts.accepted++;
        else counts.duplicates++;
      } catch (error) {
        if (!(error instanceof SignalRejectedError)) throw error;
        counts.rejected++;
        onRejected(firstLine + line, error);
      }
    }
    rejectUpTo(Infinity);
    firstLine += chunk.lines;
  };

  // Enough chunks ahead to keep every worker busy and to let this thread decode on while the chunk
  // at the head is still with a worker (room for only 2 of its own left it waiting: the figures are
  // in docs/performance-history.md), few enough to bound the memory they hold.
  const ahead = 2 * workerThreads + 8;
  const queue: Decoding[] = [];
  // A failed chunk stays at the head, for its error to be thrown when awaited.
  const applyReady = (): void => {
    for (let head = queue[0]; head?.decoded !== undefined; head = queue[0]) {
      queue.shift();
      apply(head.decoded);
    }
  };
  const applyHead = async (): Promise<void> => {
    const head = queue.shift();
    if (head !== undefined) apply(await head.chunk);
  };
  for await (const bytes of lineChunks(input, { onChunk: onBytes })) {
    // A worker's answer is a message event; reading a file whose data is at hand never yields to
    // one, so without this turn a worker's finished chunks would still count as queued.
    if (workerThreads > 0) await setImmediate();
    queue.push(decoding(decoder.decode(bytes)));
    applyReady();
    while (queue.length > ahead) await applyHead();
  }
  while (queue.length > 0) await applyHead();
  return { ...counts, withdrawn: radar.counts.withdrawn };
}

export interface RadarSnapshot {
  households: HouseholdSummary[];
  indicators: Indicator[];
}

/** The radar's households and indicators as of its last flush. */
export function snapshot(radar: Radar): RadarSnapshot {
  return { households: radar.householdSummaries(), indicators: [...radar.indicators()] };
}
