/**
 * A backtest's CPU seconds per thread, from Linux's /proc: the main thread
 * apart from the rest (decode worker, V8's compiler and collector helpers).
 * On a shared machine, rates swing with the neighbours' load; what each
 * thread worked does not, so comparing two inputs or two builds this way
 * says what their rates would be on a quiet one. Usage after `npm run build`:
 * `node dist/bench/thread-cpu.js <signals.ndjson>`.
 */
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { defaultWorkerThreads, runBacktest } from '../src/backtest/index.js';
import { SHIPPED_RULES } from '../src/config/config.js';
import { Radar } from '../src/engine/index.js';
import { loadRuleset } from '../src/rules/index.js';

/** Clock ticks a second, as /proc counts them (`getconf CLK_TCK`, 100 on Linux). */
const TICKS = 100;
/** Each thread's CPU seconds as last seen: a thread's entry is gone once it has ended. */
const seen = new Map<string, number>();

function sample(): void {
  for (const thread of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seen.set(thread, (Number(fields[11]) + Number(fields[12])) / TICKS);
    } catch {
      // The thread ended between listing and reading.
    }
  }
}

const file = process.argv[2]!;
const timer = setInterval(sample, 50);
const ruleset = await loadRuleset(SHIPPED_RULES);
const started = performance.now();
await runBacktest({
  input: createReadStream(file, { highWaterMark: 1 << 20 }),
  radar: new Radar({ ruleset, formOnce: true }),
  out: new Writable({ write: (_chunk, _encoding, done) => done() }),
  onRejected: () => {},
  workerThreads: defaultWorkerThreads(),
});
sample();
clearInterval(timer);
const main = seen.get(String(process.pid)) ?? 0;
const all = [...seen.values()].reduce((sum, seconds) => sum + seconds, 0);
process.stdout.write(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    mainCpu: main,
    otherCpu: Math.round((all - main) * 100) / 100,
  }) + '\n',
);
