/**
 * A backtest worker: decodes whole-line chunks of NDJSON into `WireChunk`s,
 * in the order they came, links person records by name when households are
 * formed, and at the end finds episodes in the households and makes the
 * parts of the indicator lines it can claim (see `BacktestWorkers`),
 * answering with each part's output lines.
 */
import { parentPort } from 'node:worker_threads';
import { at } from '../at.js';
import { RadarError } from '../errors.js';
import { linkNames } from '../graph/name-links.js';
import { compileRuleset, type CompiledRule } from '../rules/evaluate.js';
import { householdCount } from '../rules/packed-households.js';
import { decodeChunk, transferList } from './decode-chunk.js';
import { EpisodeFinder, PartLines, findClaimedEpisodes } from './rule-episodes.js';
import {
  HERE,
  UNCLAIMED,
  type EvaluationJob,
  type LineWork,
  type WorkerReply,
  type WorkerRequest,
} from './workers.js';

const encoder = new TextEncoder();

/**
 * Lines gathered as UTF-8 in pieces of a megabyte, a batch at a time.
 * Added to one string, a large rule's lines (tens of megabytes) all lived
 * until the rule was done, and every collection on the way copied them; one
 * buffer grown by doubling made the collector mark the heap again and again
 * for the memory it took outside it.
 */
class Utf8Lines {
  readonly pieces: Uint8Array<ArrayBuffer>[] = [];
  private piece = new Uint8Array(PIECE_BYTES);
  private length = 0;
  private batch = '';

  add(line: string): void {
    this.batch += line + '\n';
    if (this.batch.length >= BATCH_UNITS) this.flush();
  }

  /** The pieces, each an array of its own, safe to transfer. */
  finish(): Uint8Array<ArrayBuffer>[] {
    this.flush();
    if (this.length > 0) this.pieces.push(this.piece.slice(0, this.length));
    return this.pieces;
  }

  private flush(): void {
    for (;;) {
      const { read, written } = encoder.encodeInto(this.batch, this.piece.subarray(this.length));
      this.length += written;
      if (read === this.batch.length) break;
      // The piece is full: on with what did not fit in a new one.
      this.batch = this.batch.slice(read);
      this.pieces.push(this.piece.subarray(0, this.length));
      this.piece = new Uint8Array(PIECE_BYTES);
      this.length = 0;
    }
    this.batch = '';
  }
}

const PIECE_BYTES = 1 << 20;
/** Under a quarter of a piece even at three bytes a unit, so a batch always fits an empty piece. */
const BATCH_UNITS = 1 << 16;

if (parentPort === null) {
  throw new RadarError('WORKER_FAILED', 'the backtest worker script runs in a worker thread only');
}
const port = parentPort;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** The job under way, between finding its episodes and making its lines. */
let evaluating: { job: EvaluationJob; rules: CompiledRule[] } | undefined;

/** Finds episodes in the households this worker claims, and hands them to the main thread. */
function findEpisodes(job: EvaluationJob): void {
  // As a ruleset: a rule on indicators evaluates the rules it counts.
  const rules = [...compileRuleset(job.rules).rules];
  evaluating = { job, rules };
  const finder = new EpisodeFinder(rules, job.households);
  findClaimedEpisodes(finder, job.next, householdCount(job.households));
  reply({ episodes: finder.finish() });
}

/** From the last part down, until the main thread's claims are reached. */
function makeLines({ householdIds, lists, parts, claims }: LineWork): void {
  if (evaluating === undefined) {
    throw new RadarError('WORKER_FAILED', 'asked for lines before finding episodes');
  }
  const { job, rules } = evaluating;
  evaluating = undefined;
  job.households.householdIds = householdIds;
  const made = new PartLines(rules, job.households, lists);
  for (let i = parts.length - 1; i >= 0; i--) {
    const holder = Atomics.compareExchange(claims, i, UNCLAIMED, job.me);
    // The main thread claims from the first: below its first claim met here, every part is taken.
    if (holder === HERE) return;
    if (holder !== UNCLAIMED) continue;
    const lines = new Utf8Lines();
    for (const line of made.lines(at(parts, i))) lines.add(line);
    // Encoded here and transferred: the main thread writes the bytes as they come.
    const output = lines.finish();
    reply(
      { part: i, output },
      output.map((piece) => piece.buffer),
    );
  }
}

port.on('message', (request: WorkerRequest) => {
  try {
    if ('decode' in request) {
      const chunk = decodeChunk(request.decode);
      reply({ chunk }, transferList(chunk));
    } else if ('linkNames' in request) {
      const nameLinks = linkNames(request.linkNames);
      reply({ nameLinks }, [nameLinks.buffer as ArrayBuffer]);
    } else if ('evaluate' in request) findEpisodes(request.evaluate);
    else makeLines(request.lines);
  } catch (error) {
    reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
