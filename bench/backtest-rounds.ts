/**
 * The backtest's own rounds, kept beside the national benchmark (`run.ts`):
 * each in its own child process (so peak memory is its own), the backtest
 * against the parse-only floor, and the gRPC API's query latency in process;
 * writes bench/results/RESULTS.md, the history of the backtest's speed, with
 * the machine they ran on. Usage, after `npm run build`:
 * `node dist/bench/backtest-rounds.js [--count 1000000 --rounds 5]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureSignalFile, ensureTwiceDelivered } from './signal-file.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
  },
});
const count = Number(values.count);
const rounds = Number(values.rounds);
const here = fileURLToPath(new URL('.', import.meta.url));

interface Measurement {
  name: string;
  lines: number;
  seconds: number;
  peakRssMb: number;
  extra?: Record<string, number | string>;
}

/**
 * Runs a benchmark script in a child process; its last stdout line is its
 * JSON result. Every child runs with the young generation `bin/radar.js`
 * gives the command, the floor included, so both sides are measured alike.
 */
function runChild<T>(script: string, args: string[]): T {
  const out = execFileSync(
    process.execPath,
    [
      '--max-old-space-size=8192',
      '--max-semi-space-size=64',
      '--expose-gc',
      `${here}${script}`,
      ...args,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

const rate = (m: Measurement): number => Math.round(m.lines / m.seconds);

const file = ensureSignalFile(count);
const quarter = ensureSignalFile(Math.round(count / 4));
/**
 * The machine's speed drifts by a third within minutes (it is a shared VM),
 * so each round measures the floor and the backtest back to back, and the
 * round with the median ratio is the one reported.
 */
const measured = Array.from({ length: rounds }, () => {
  const parse = runChild<Measurement>('parse-only.js', [file]);
  const backtest = runChild<Measurement>('backtest.js', [file]);
  return { parse, backtest, ratio: rate(backtest) / rate(parse) };
});
const { parse, backtest, ratio } = [...measured].sort((a, b) => a.ratio - b.ratio)[
  Math.floor(rounds / 2)
]!;
const backtestQuarter = runChild<Measurement>('backtest.js', [quarter]);
const backtestQuarterOneThread = runChild<Measurement>('backtest.js', [quarter, '0']);
// Memory should follow the signals held, not the lines read: redeliveries add none.
const backtestQuarterTwice = runChild<Measurement>('backtest.js', [ensureTwiceDelivered(quarter)]);

interface Latency {
  signals: number;
  households: number;
  indicators: number;
  calls: number;
  methods: { name: string; p50: number; p90: number; p99: number }[];
}
const apiSignals = Math.min(count, 100_000);
const api = runChild<Latency>('api-latency.js', [String(apiSignals)]);

const lines = [
  '# Benchmark results',
  '',
  `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
  `Input: synthetic signals from \`src/synthetic\` (seed 1), ${count.toLocaleString('en')} lines.`,
  '',
  '| benchmark | lines | seconds | lines/s | peak RSS (MB) | notes |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...[parse, backtestQuarterOneThread, backtestQuarter, backtestQuarterTwice, backtest].map(
    (m) =>
      `| ${m.name} | ${m.lines.toLocaleString('en')} | ${m.seconds.toFixed(2)} | ${rate(m).toLocaleString('en')} | ${m.peakRssMb} | ${Object.entries(
        m.extra ?? {},
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} |`,
  ),
  '',
  `Backtest rate / parse-only rate: **${ratio.toFixed(2)}** (target ≥ 0.5), the median of ${rounds} rounds of the two run back to back: ` +
    `${measured.map((m) => `${m.ratio.toFixed(2)} (${rate(m.backtest).toLocaleString('en')} against ${rate(m.parse).toLocaleString('en')})`).join(', ')}.`,
  `Heap held after the run, at ${backtestQuarter.lines.toLocaleString('en')} lines: ${backtestQuarter.extra!['heap held MB']} MB; ` +
    `the same lines delivered twice: ${backtestQuarterTwice.extra!['heap held MB']} MB; at ${backtest.lines.toLocaleString('en')}: ${backtest.extra!['heap held MB']} MB ` +
    `(peak RSS ${backtestQuarter.peakRssMb}, ${backtestQuarterTwice.peakRssMb} and ${backtest.peakRssMb} MB).`,
  '',
  '## gRPC query latency',
  '',
  `${api.calls} sequential calls per method from one client over mutual TLS, each audited with an fsync, ` +
    `on a radar of ${api.signals.toLocaleString('en')} signals (${api.households.toLocaleString('en')} households, ` +
    `${api.indicators.toLocaleString('en')} indicators) with a LevelDB store.`,
  '',
  '| method | p50 (ms) | p90 (ms) | p99 (ms) |',
  '| --- | ---: | ---: | ---: |',
  ...api.methods.map(
    (m) => `| ${m.name} | ${m.p50.toFixed(1)} | ${m.p90.toFixed(1)} | ${m.p99.toFixed(1)} |`,
  ),
  '',
];
mkdirSync(`${here}../../bench/results`, { recursive: true });
writeFileSync(`${here}../../bench/results/RESULTS.md`, lines.join('\n'));
process.stdout.write(lines.join('\n'));
