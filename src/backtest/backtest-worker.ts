/**
 * A backtest worker: decodes whole-line chunks of NDJSON into `WireChunk`s,
 * in the order they came, and at the end evaluates the rules it can claim
 * (see `BacktestWorkers`), answering with each rule's output lines.
 */
import { parentPort } from 'node:worker_threads';
import { compileRule, evaluateAcross } from '../rules/index.js';
import { unpackHouseholds } from '../rules/packed-households.js';
import { decodeChunk, transferList } from './decode-chunk.js';
import { indicatorLines } from './format.js';
import {
  HERE,
  UNCLAIMED,
  type EvaluationJob,
  type WorkerReply,
  type WorkerRequest,
} from './workers.js';

/** Its own buffer for every output, unlike `Buffer.from`'s pool: safe to transfer. */
const encoder = new TextEncoder();

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

/** From the last rule down, until the main thread's claims are reached. */
function evaluate({ rules, households: packed, claims, me }: EvaluationJob): void {
  const households = unpackHouseholds(packed);
  for (let i = rules.length - 1; i >= 0; i--) {
    const holder = Atomics.compareExchange(claims, i, UNCLAIMED, me);
    // The main thread claims in id order: below its first claim met here, every rule is taken.
    if (holder === HERE) return;
    if (holder !== UNCLAIMED) continue;
    let text = '';
    for (const line of indicatorLines(evaluateAcross(compileRule(rules[i]!), households))) {
      text += line + '\n';
    }
    // Encoded here and transferred: the main thread writes the bytes as they come.
    const output = encoder.encode(text);
    reply({ rule: i, output }, [output.buffer]);
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  try {
    if ('decode' in request) {
      const chunk = decodeChunk(request.decode);
      reply({ chunk }, transferList(chunk));
    } else evaluate(request.evaluate);
  } catch (error) {
    reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
