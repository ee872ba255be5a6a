/**
 * A backtest's worker threads. While lines come in they decode chunks
 * beside this thread, which decodes too whenever every worker has enough
 * queued. Then the first links the person records by name while this
 * thread forms the rest of the households. At the end they evaluate rules
 * beside it in two passes (see `rule-episodes`): every thread finds
 * episodes in blocks of households it claims, then makes parts of the
 * indicator lines, each claiming the next part in shared memory, and this
 * thread writes them in order, the workers' from buffers in shared memory
 * (`output-slots`) that it gives back as it writes them.
 */
import { Worker } from 'node:worker_threads';
import { at } from '../at.js';
import { deferred, type Deferred } from '../deferred.js';
import { RadarError } from '../errors.js';
import { workerScript } from '../worker-script.js';
import { linkNames, type NameRecords } from '../graph/name-links.js';
import type { Rule } from '../rules/index.js';
import { householdCount, type PackedHouseholds } from '../rules/packed-households.js';
import { inThreadDecoder, type ChunkDecoder } from './chunk-decoder.js';
import {
  outputSlots,
  releaseSlot,
  slotBytes,
  type FilledBuffer,
  type OutputSlots,
} from './output-slots.js';
import type { DecodedChunk } from './decode-chunk.js';
import {
  findClaimedEpisodes,
  lineParts,
  type EpisodeFinder,
  type EpisodeList,
  type LinePart,
} from './rule-episodes.js';

/** Who holds a part of the lines, in the claims array: nobody yet, this thread, or worker n at `WORKER + n`. */
export const UNCLAIMED = 0;
const HERE = 1;
const WORKER = 2;

export interface EvaluationJob {
  /** In id order: the order the output writes them. */
  rules: readonly Rule[];
  households: PackedHouseholds;
  /** The first household no thread has yet claimed to find episodes in. */
  next: Int32Array;
  /** This worker's mark in `LineWork.claims`. */
  me: number;
}

/** The second pass, shared out: every thread's episodes, a list a rule each, and the parts to claim. */
export interface LineWork {
  /** For a worker's copy of the packed households, named after the first pass began. */
  householdIds: string[];
  lists: EpisodeList[][];
  parts: LinePart[];
  claims: Int32Array;
  slots: OutputSlots;
}

export type WorkerRequest =
  | { decode: Uint8Array }
  | { linkNames: NameRecords }
  | { evaluate: EvaluationJob }
  | { lines: LineWork };

export type WorkerReply =
  | { chunk: DecodedChunk }
  | { nameLinks: Int32Array }
  | { episodes: EpisodeList[] }
  | { part: number; filled: FilledBuffer }
  | { partDone: number }
  | { error: string };

/**
 * Rules being evaluated here and in the workers at once: first every
 * thread finds episodes in the households it claims (see `rule-episodes`),
 * then each makes the parts of the lines it claims, the next one not yet
 * claimed each time.
 */
export interface SharedEvaluation {
  /**
   * Finds episodes with `finder` in the households the workers leave, then
   * gathers theirs and shares all with them, with the parts of the lines.
   */
  episodes(finder: EpisodeFinder): Promise<Pick<LineWork, 'lists' | 'parts'>>;
  /** Takes part `index` of the lines for this thread; false when a worker has it. */
  claimHere(index: number): boolean;
  /**
   * The output lines, newline-terminated and in UTF-8, of a part a worker
   * took: in pieces, to write in order as they come.
   */
  output(index: number): PartPieces;
}

/** `bytes[0, length)` of a worker's output; `release` once written, for the worker to write into again. */
export interface OutputPiece {
  bytes: Uint8Array;
  length: number;
  release: () => void;
}

/** A part's pieces as its worker sends them. */
export interface PartPieces {
  /** The next piece, if it has come; throws if the worker failed. */
  next(): OutputPiece | undefined;
  /** Whether every piece has come and been taken. */
  readonly done: boolean;
  /** Resolves when another piece, the part's end or a failure comes. */
  arrival(): Promise<void>;
}

/** A part's pieces, until its worker says the part is done. */
class PartOutput implements PartPieces {
  private readonly filled: FilledBuffer[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly slots: OutputSlots) {}

  add(filled: FilledBuffer): void {
    this.filled.push(filled);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  fail(error: Error): void {
    this.failure = error;
    this.wake?.();
  }

  get done(): boolean {
    return this.ended && this.filled.length === 0;
  }

  next(): OutputPiece | undefined {
    if (this.failure !== undefined) throw this.failure;
    // Taken off the queue: a part's pieces are held no longer than until written.
    const filled = this.filled.shift();
    if (filled === undefined) return undefined;
    const { slots } = this;
    const { length } = filled;
    if (filled.bytes !== undefined) return { bytes: filled.bytes, length, release: () => {} };
    const { slot } = filled;
    return { bytes: slotBytes(slots, slot), length, release: () => releaseSlot(slots, slot) };
  }

  arrival(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }
}

/**
 * Chunks a worker may have queued before this thread decodes the next one
 * itself. This thread decodes its chunks only when their turn comes to be
 * applied, so it learns of a finished chunk late: with two queued a worker
 * sat idle for long stretches, with three it is busy nearly all the time
 * (measured: docs/performance-history.md).
 */
const WORKER_BACKLOG = 3;

/**
 * A worker's young generation, larger than V8's default: a worker makes
 * short-lived objects by the million and keeps almost none, so fewer, larger
 * scavenges copy less. Smaller sizes scavenged measurably longer, larger ones
 * gained nothing, and peak memory barely moved (the figures:
 * docs/performance-history.md); the size is fixed, whatever the size of the file.
 */
const YOUNG_GENERATION_MB = 128;

interface Member {
  worker: Worker;
  /** Decode requests in the order sent; a worker answers them in that order. */
  decoding: Deferred<DecodedChunk>[];
}

export class BacktestWorkers implements ChunkDecoder {
  private readonly members: Member[];
  private readonly here = inThreadDecoder();
  /** The links by name the first worker is making, while it is. */
  private nameLinks: Deferred<Int32Array> | undefined;
  /** Each worker's episodes, while they are being found. */
  private found: Deferred<EpisodeList[]>[] = [];
  /** Output of the rules under evaluation, by index; empty when none is. */
  private outputs: PartOutput[] = [];

  constructor(threads: number) {
    const script = workerScript(import.meta.url, 'backtest-worker.js');
    this.members = Array.from({ length: threads }, () => {
      const member: Member = {
        worker: new Worker(script, {
          resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
        }),
        decoding: [],
      };
      member.worker.on('message', (reply: WorkerReply) => this.receive(member, reply));
      member.worker.on('error', (error) =>
        this.fail(member, `backtest worker failed: ${error.message}`, error),
      );
      // A worker that dies without an error (killed, out of memory) must not leave work awaited forever.
      member.worker.on('exit', (code) =>
        this.fail(member, `backtest worker exited with code ${code}`),
      );
      return member;
    });
  }

  /** To the worker with the least queued, or here when every worker has `WORKER_BACKLOG`. */
  decode(bytes: Uint8Array): Promise<DecodedChunk> {
    let least: Member | undefined;
    for (const m of this.members) {
      if (least === undefined || m.decoding.length < least.decoding.length) least = m;
    }
    if (least === undefined || least.decoding.length >= WORKER_BACKLOG) {
      return this.here.decode(bytes);
    }
    const reply = deferred<DecodedChunk>();
    least.decoding.push(reply);
    least.worker.postMessage({ decode: bytes } satisfies WorkerRequest, [
      bytes.buffer as ArrayBuffer,
    ]);
    return reply.promise;
  }

  /**
   * `linkNames` in the first worker, which reads the columns where they are,
   * in shared memory; here when there is no worker.
   */
  linkNames(names: NameRecords): Promise<Int32Array> {
    const [first] = this.members;
    if (first === undefined) return Promise.resolve(linkNames(names));
    this.nameLinks = deferred<Int32Array>();
    first.worker.postMessage({ linkNames: names } satisfies WorkerRequest);
    return this.nameLinks.promise;
  }

  /** Starts the workers finding episodes; see `SharedEvaluation`. */
  evaluate(rules: readonly Rule[], packed: PackedHouseholds): SharedEvaluation {
    const next = new Int32Array(new SharedArrayBuffer(4));
    const slots = outputSlots();
    let claims = new Int32Array(new SharedArrayBuffer(0));
    this.found = this.members.map(() => deferred<EpisodeList[]>());
    this.members.forEach(({ worker }, n) => {
      const job: EvaluationJob = { rules, households: packed, next, me: WORKER + n };
      worker.postMessage({ evaluate: job } satisfies WorkerRequest);
    });
    return {
      episodes: async (finder) => {
        findClaimedEpisodes(finder, next, householdCount(packed));
        const lists = [finder.finish(), ...(await Promise.all(this.found.map((d) => d.promise)))];
        const parts = lineParts(lists, rules.length);
        claims = new Int32Array(new SharedArrayBuffer(Math.max(1, parts.length) * 4));
        this.outputs = parts.map(() => new PartOutput(slots));
        const work: LineWork = { householdIds: packed.householdIds, lists, parts, claims, slots };
        for (const { worker } of this.members) {
          worker.postMessage({ lines: work } satisfies WorkerRequest);
        }
        return { lists, parts };
      },
      claimHere: (index) => Atomics.compareExchange(claims, index, UNCLAIMED, HERE) === UNCLAIMED,
      output: (index) => at(this.outputs, index),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map(({ worker }) => worker.terminate()));
  }

  private receive(member: Member, reply: WorkerReply): void {
    // A reply to no request breaks the protocol: it fails the backtest like a failed worker.
    const answer = <T>(request: Deferred<T> | undefined, value: T): void => {
      if (request === undefined) this.fail(member, 'backtest worker replied to no request');
      else request.resolve(value);
    };
    if ('chunk' in reply) answer(member.decoding.shift(), reply.chunk);
    else if ('nameLinks' in reply) answer(this.nameLinks, reply.nameLinks);
    else if ('episodes' in reply) answer(this.found[this.members.indexOf(member)], reply.episodes);
    else if ('filled' in reply) this.outputs[reply.part]?.add(reply.filled);
    else if ('partDone' in reply) this.outputs[reply.partDone]?.end();
    else this.fail(member, `backtest worker failed: ${reply.error}`);
  }

  private fail(member: Member, message: string, cause?: Error): void {
    const error = new RadarError('WORKER_FAILED', message, { cause });
    for (const d of member.decoding.splice(0)) d.reject(error);
    this.nameLinks?.reject(error);
    for (const d of this.found) d.reject(error);
    for (const output of this.outputs) output.fail(error);
  }
}
