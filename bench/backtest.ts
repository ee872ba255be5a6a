/** The whole backtest on the shipped rules: decode, validate, households, rules, output. */
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { defaultDecodeThreads, ingestNdjson, radarStateLines } from '../src/backtest/index.js';
import { writeLines } from '../src/cli/backtest-command.js';
import { SHIPPED_RULES } from '../src/config/config.js';
import { Radar } from '../src/engine/index.js';
import { loadRuleset } from '../src/rules/index.js';

const file = process.argv[2]!;
const decodeThreads = Number(process.argv[3] ?? defaultDecodeThreads());
const ruleset = await loadRuleset(SHIPPED_RULES);
const started = performance.now();
const radar = new Radar({ ruleset, keepSignals: false, keepIndicators: false });
const counts = await ingestNdjson({
  input: createReadStream(file, { highWaterMark: 1 << 20 }),
  radar,
  onRejected: () => {},
  decodeThreads,
});
let bytes = 0;
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    bytes += chunk.length;
    done();
  },
});
let lines = 0;
await writeLines(
  sink,
  (function* counted() {
    for (const line of radarStateLines(radar)) {
      lines++;
      yield line;
    }
  })(),
);
const households = radar.households.size;
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
      'decode threads': decodeThreads,
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
