import { Presets, SingleBar } from 'cli-progress';
import type { CliIo } from './io.js';

export interface Progress {
  update(value: number): void;
  stop(): void;
}

const NONE: Progress = { update: () => {}, stop: () => {} };

/**
 * A progress bar on standard error for one phase of a long command, shown
 * only when standard error is a terminal: in a pipe or a log it would be
 * noise.
 */
export function progressBar(io: CliIo, label: string, total: number, unit: string): Progress {
  if (io.stderr.isTTY !== true || total <= 0) return NONE;
  const bar = new SingleBar(
    {
      stream: io.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta}s`,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (value) => bar.update(value),
    stop: () => bar.stop(),
  };
}
