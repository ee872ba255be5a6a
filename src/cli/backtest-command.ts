import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { Radar } from '../engine/index.js';
import { runBacktest } from '../backtest/index.js';
import { readConfigFile, resolveConfig } from '../config/config.js';
import { loadRuleset } from '../rules/index.js';
import type { CliIo } from './io.js';
import { progressBar } from './progress.js';

export interface BacktestCommandOptions {
  signals: string;
  rules: string;
  out?: string;
  /** The service's settings file: the backtest takes its household settings from it. */
  config?: string;
  institutionalThreshold?: number;
  institutionalAddress?: string[];
  /** Worker threads beside the main thread (`--threads`). */
  threads: number;
}

/** Bytes read, in MB, for a file of a megabyte or more on a terminal. */
function readingBar(io: CliIo, path: string): { onBytes?: (n: number) => void; stop: () => void } {
  // Not stat'ed off a terminal: a missing file is then reported by the read, as any other.
  const total = path === '-' || io.stderr.isTTY !== true ? 0 : statSync(path).size;
  if (total < 1 << 20) return { stop: () => {} };
  const bar = progressBar(io, 'backtest', Math.ceil(total / 1e6), 'MB');
  let bytes = 0;
  return {
    onBytes: (n) => bar.update(Math.floor((bytes += n) / 1e6)),
    stop: () => bar.stop(),
  };
}

export async function backtestCommand(options: BacktestCommandOptions, io: CliIo): Promise<number> {
  const ruleset = await loadRuleset(options.rules);
  const settings = resolveConfig(
    options.config === undefined ? {} : readConfigFile(options.config),
    {
      households: {
        ...(options.institutionalThreshold !== undefined && {
          institutionalPersonThreshold: options.institutionalThreshold,
        }),
        ...(options.institutionalAddress !== undefined && {
          institutionalAddresses: options.institutionalAddress,
        }),
      },
    },
  );
  const radar = new Radar({
    ruleset,
    formOnce: true,
    ...settings.households,
  });
  const input =
    options.signals === '-'
      ? io.stdin
      : createReadStream(options.signals, { highWaterMark: 1 << 20 });
  const progress = readingBar(io, options.signals);
  const out = options.out === undefined ? io.stdout : createWriteStream(options.out);
  const counts = await runBacktest({
    input,
    radar,
    out,
    workerThreads: options.threads,
    onRejected: (line, error) => {
      io.stderr.write(
        `line ${line}: ${error.code}${error.field ? ` ${error.field}` : ''}: ${error.message}\n`,
      );
    },
    ...(progress.onBytes && { onBytes: progress.onBytes }),
  });
  progress.stop();
  if (options.out !== undefined) {
    out.end();
    await once(out, 'finish');
  }
  io.stderr.write(
    `read ${counts.read}, accepted ${counts.accepted}, duplicates ${counts.duplicates}, ` +
      `rejected ${counts.rejected}, withdrawn ${counts.withdrawn}\n`,
  );
  return 0;
}
