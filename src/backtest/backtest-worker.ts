/**
 * A backtest worker: decodes whole-line chunks of NDJSON into `WireChunk`s,
 * in the order they came, links person records by name when households are
 * formed, and at the end finds episodes in the households and makes the
 * parts of the indicator lines it can claim (see `BacktestWorkers`),
 * answering with each part's output lines, in UTF-8 in shared buffers.
 */
import { parentPort } from 'node:worker_threads';
import { at } from '../at.js';
import { RadarError } from '../errors.js';
import { linkNames } from '../graph/name-links.js';
import { compileRuleset, type CompiledRule } from '../rules/evaluate.js';
import { householdCount } from '../rules/packed-households.js';
import { decodeChunk, transferList } from './decode-chunk.js';
import { SlotBuffers } from './output-slots.js';
import { EpisodeFinder, PartLines, findClaimedEpisodes } from './rule-episodes.js';
import { Utf8Writer } from './utf8-writer.js';
import {
  UNCLAIMED,
  type EvaluationJob,
  type LineWork,
  type WorkerReply,
  type WorkerRequest,
} from './workers.js';

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

/**
 * Every part not yet claimed, from the first on, as the main thread does:
 * it writes the parts in order, so each filled buffer is written out, and
 * its slot free again, soon after it is made.
 */
function makeLines({ householdIds, lists, parts, claims, slots }: LineWork): void {
  if (evaluating === undefined) {
    throw new RadarError('WORKER_FAILED', 'asked for lines before finding episodes');
  }
  const { job, rules } = evaluating;
  evaluating = undefined;
  job.households.householdIds = householdIds;
  const made = new PartLines(rules, job.households, lists);
  let part = -1;
  const writer = new Utf8Writer(
    new SlotBuffers(slots, (filled) =>
      reply({ part, filled }, filled.bytes === undefined ? [] : [filled.bytes.buffer]),
    ),
  );
  for (let i = 0; i < parts.length; i++) {
    if (Atomics.compareExchange(claims, i, UNCLAIMED, job.me) !== UNCLAIMED) continue;
    part = i;
    made.write(at(parts, i), writer);
    writer.flush();
    reply({ partDone: i });
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
