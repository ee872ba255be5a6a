/**
 * The backtest against the parse-only floor on signals whose names carry
 * diacritics, the two run back to back in each round, as `run.ts` does for
 * the plain synthetic file. Usage after `npm run build`:
 * `node dist/bench/diacritics.js [count] [rounds]`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDiacriticSignalFile, ensureSignalFile } from './signal-file.js';

const count = Number(process.argv[2] ?? 250_000);
const rounds = Number(process.argv[3] ?? 5);
const here = fileURLToPath(new URL('.', import.meta.url));

interface Measurement {
  lines: number;
  seconds: number;
}

function runChild(script: string, file: string): Measurement {
  const out = execFileSync(
    process.execPath,
    ['--max-old-space-size=8192', '--max-semi-space-size=64', `${here}${script}`, file],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Measurement;
}

const rate = (m: Measurement): number => Math.round(m.lines / m.seconds);
const file = ensureDiacriticSignalFile(ensureSignalFile(count));
const ratios: string[] = [];
for (let round = 0; round < rounds; round++) {
  const parse = runChild('parse-only.js', file);
  const backtest = runChild('backtest.js', file);
  ratios.push(
    `${(rate(backtest) / rate(parse)).toFixed(2)} (${rate(backtest).toLocaleString('en')} against ${rate(parse).toLocaleString('en')})`,
  );
  process.stdout.write(`round ${round + 1}: ${ratios.at(-1)}\n`);
}
process.stdout.write(`${file}\nbacktest / parse-only: ${ratios.join(', ')}\n`);
