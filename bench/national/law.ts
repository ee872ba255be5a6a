/**
 * The one law at the benchmark's size: what `radar serve` made of the
 * replayed history (its store, exported once it has stopped) against what
 * `radar backtest` makes of the same file, line for line. The tests hold
 * the law on small histories in every arrival order; this holds it on a
 * national one, as it arrived through the broker's partitions, with its
 * late, withdrawn, redelivered and malformed signals.
 *
 * One thing in the contract shows arrival order: of two versions of an id
 * with different content the first to arrive stays and the other is
 * rejected (`DUPLICATE_ID_CONFLICT`). Versions of one id with different
 * kinds travel on different topics, so which one the service saw first is
 * not the file's order. The service dead-letters the version it rejected,
 * as it arrived; the backtest reads the file without those lines, and so
 * keeps the versions the service kept.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { Kafka } from 'kafkajs';
import { ROOT, round, runRadar } from './children.js';

export interface LawResult {
  /** Lines of each output: households, then indicators. */
  lines: number;
  /** Versions of an id the service rejected for another it had taken first, left out of the backtest's input. */
  conflictsLeftOut: number;
  backtestSeconds: number;
  exportSeconds: number;
}

/** Where two files of lines first differ, and how many lines the first has; none when they are the same. */
async function firstDifference(
  a: string,
  b: string,
): Promise<{ lines: number; differsAt?: number }> {
  const left = createInterface({ input: createReadStream(a), crlfDelay: Infinity });
  const right = createInterface({ input: createReadStream(b), crlfDelay: Infinity })[
    Symbol.asyncIterator
  ]();
  let lines = 0;
  try {
    for await (const line of left) {
      lines++;
      const other = await right.next();
      if (other.done === true || other.value !== line) return { lines, differsAt: lines };
    }
    const rest = await right.next();
    return rest.done === true ? { lines } : { lines, differsAt: lines + 1 };
  } finally {
    left.close();
    await right.return?.();
  }
}

/**
 * The values of the dead letters the service rejected as another version
 * of an id it had, each with how many times: the whole topic, read from
 * its start by a group of its own.
 */
export async function conflictLosers(
  kafka: Kafka,
  dlqTopic: string,
  letters: number,
  abort: AbortSignal,
): Promise<Map<string, number>> {
  const losers = new Map<string, number>();
  if (letters === 0) return losers;
  const consumer = kafka.consumer({ groupId: `radar-bench-law-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
    let read = 0;
    let onAbort = (): void => {};
    await new Promise<void>((resolve, reject) => {
      onAbort = () => reject(abort.reason as Error);
      abort.addEventListener('abort', onAbort, { once: true });
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.headers?.['radar-reason']?.toString() === 'DUPLICATE_ID_CONFLICT') {
              const value = message.value?.toString() ?? '';
              losers.set(value, (losers.get(value) ?? 0) + 1);
            }
            if (++read === letters) resolve();
          },
        })
        .catch(reject);
    }).finally(() => abort.removeEventListener('abort', onAbort));
  } finally {
    await consumer.disconnect();
  }
  return losers;
}

/** Copies `file` to `to` without the lines in `left` (as many of each as it counts). */
async function without(file: string, left: Map<string, number>, to: string): Promise<void> {
  const out = createWriteStream(to);
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  })) {
    const times = left.get(line) ?? 0;
    if (times > 0) left.set(line, times - 1);
    else if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
}

/**
 * Backtests `file` (without the versions `losers` holds) and exports the
 * stopped service's `dataDir`, both into `dir`, and throws unless the two
 * are the same. Says only where they part: the lines carry signal ids and
 * explanations, not for a benchmark's log.
 */
export async function backtestEqualsLive(
  file: string,
  losers: Map<string, number>,
  dataDir: string,
  dir: string,
  abort: AbortSignal,
): Promise<LawResult> {
  mkdirSync(dir, { recursive: true });
  const conflictsLeftOut = [...losers.values()].reduce((a, b) => a + b, 0);
  let signals = file;
  if (conflictsLeftOut > 0) {
    signals = join(dir, 'signals.ndjson');
    await without(file, new Map(losers), signals);
  }
  const backtestOut = join(dir, 'backtest.ndjson');
  const exportOut = join(dir, 'export.ndjson');
  const backtest = await runRadar(
    ['backtest', '--signals', signals, '--rules', join(ROOT, 'rules'), '--out', backtestOut],
    abort,
  );
  const exported = await runRadar(['export', '--data', dataDir], abort, { stdout: exportOut });
  const { lines, differsAt } = await firstDifference(backtestOut, exportOut);
  if (differsAt !== undefined)
    throw new Error(
      `radar export of the store differs from radar backtest of the file from line ${differsAt} on`,
    );
  return {
    lines,
    conflictsLeftOut,
    backtestSeconds: round(backtest.seconds, 2),
    exportSeconds: round(exported.seconds, 2),
  };
}
