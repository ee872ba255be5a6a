/** The whole backtest on the shipped rules: decode, validate, households, rules, output. */
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { defaultWorkerThreads, runBacktest } from '../src/backtest/index.js';
import { SHIPPED_RULES } from '../src/config/config.js';
import { Radar } from '../src/engine/index.js';
import { loadRuleset } from '../src/rules/index.js';

const file = process.argv[2]!;
const workerThreads = Number(process.argv[3] ?? defaultWorkerThreads());
const ruleset = await loadRuleset(SHIPPED_RULES);
const started = performance.now();
const radar = new Radar({ ruleset, formOnce: true });
let bytes = 0;
let lines = 0;
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    done();
  },
});
const counts = await runBacktest({
  input: createReadStream(file, { highWaterMark: 1 << 20 }),
  radar,
  out: sink,
  onRejected: () => {},
  workerThreads,
});
const households = radar.householdCount;
const seconds = (performance.now() - started) / 1000;
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
// Peak RSS also counts garbage not yet collected; what the radar holds is the heap after a full collection.
(globalThis as { gc?: () => void }).gc?.();
const heldMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
process.stdout.write(
  JSON.stringify({
    name: 'radar backtest',
    lines: counts.read,
    seconds,
    peakRssMb,
    extra: {
      'worker threads': workerThreads,
      rules: ruleset.rules.length,
      households,
      indicators: lines - households,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
      withdrawn: counts.withdrawn,
      'output MB': (bytes / 1e6).toFixed(1),
      'heap held MB': heldMb,
    },
  }) + '\n',
);
