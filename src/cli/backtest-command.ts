import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { SingleBar, Presets } from 'cli-progress';
import { Radar } from '../engine/index.js';
import { runBacktest } from '../backtest/index.js';
import { readConfigFile, resolveConfig } from '../config/config.js';
import { loadRuleset } from '../rules/index.js';
import type { CliIo } from './io.js';

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

function progressBar(io: CliIo, path: string): { onBytes?: (n: number) => void; stop: () => void } {
  if (path === '-' || !io.stderr.isTTY) return { stop: () => {} };
  const total = statSync(path).size;
  if (total < 1 << 20) return { stop: () => {} };
  const bar = new SingleBar(
    {
      stream: io.stderr,
      format: 'backtest [{bar}] {percentage}% | {value}/{total} MB | eta {eta}s',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let bytes = 0;
  bar.start(Math.ceil(total / 1e6), 0);
  return {
    onBytes: (n) => {
      bytes += n;
      bar.update(Math.floor(bytes / 1e6));
    },
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
  const progress = progressBar(io, options.signals);
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
