import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryWatch, quantile, runNode, step } from '../../bench/national/children.js';
import { loadResultOf } from '../../bench/national/ghz.js';
import { waitUntilSettled } from '../../bench/national/service.js';
import { lineChart, niceTicks } from '../../bench/national/svg.js';
import { tempDir } from '../store/temp-dir.js';

describe('the benchmark harness', () => {
  it('records a step that outlives its limit as not finished, and kills its child', async () => {
    let pid: number | undefined;
    const result = await step('a child that never ends', 1, (abort) =>
      runNode(['-e', 'setInterval(() => {}, 1000)'], abort, { onSpawn: (p) => (pid = p) }),
    );
    expect(result).toEqual({ status: 'timeout', limitSeconds: 1 });
    expect(pid).toBeDefined();
    // The child was SIGKILLed at the limit: nothing answers at its pid any more.
    await expect
      .poll(() => {
        try {
          process.kill(pid!, 0);
          return 'alive';
        } catch {
          return 'gone';
        }
      })
      .toBe('gone');
  });

  it('records a failing step with its error and a finished one with its numbers', async () => {
    expect(await step('fails', 5, () => Promise.reject(new Error('boom')))).toEqual({
      status: 'failed',
      error: 'boom',
    });
    expect(await step('works', 5, () => Promise.resolve({ seconds: 2 }))).toEqual({
      status: 'ok',
      seconds: 2,
    });
  });

  it('measures a child: its output and a peak memory', async () => {
    const run = await runNode(
      ['-e', 'const a = Buffer.alloc(64 << 20, 1); setTimeout(() => console.log(a.length), 300)'],
      new AbortController().signal,
    );
    expect(run.stdout.trim()).toBe(String(64 << 20));
    expect(run.peakRssMb).toBeGreaterThan(64);
  });

  it("follows the anonymous part of a running child's memory apart from its peak", async () => {
    const child = spawn(process.execPath, [
      '-e',
      'const a = Buffer.alloc(96 << 20, 1); setTimeout(() => console.log(a.length), 600)',
    ]);
    const watch = new MemoryWatch(child.pid!);
    await once(child, 'exit');
    watch.stop();
    expect(watch.peakAnonymousMb).toBeGreaterThan(96);
    expect(watch.peakMb).toBeGreaterThanOrEqual(watch.peakAnonymousMb);
  });

  it('follows the processes a child starts, as the service starts its load', async () => {
    // The child holds little; the process it forks holds 128 MB for a while.
    const grandchild = 'const a = Buffer.alloc(128 << 20, 1); setTimeout(() => a.length, 800)';
    const child = spawn(process.execPath, [
      '-e',
      `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'inherit' }).on('exit', () => {})`,
    ]);
    const watch = new MemoryWatch(child.pid!);
    await once(child, 'exit');
    watch.stop();
    expect(watch.peakDescendantMb).toBeGreaterThan(128);
    expect(watch.peakDescendantAnonymousMb).toBeGreaterThan(96);
    expect(watch.peakMb).toBeLessThan(128);
    expect(watch.peakTreeMb).toBeGreaterThan(watch.peakDescendantMb);
  });

  it("reads ghz's report: calls it stopped at its time are no answers, statuses named as grpc-js names them", () => {
    const result = loadResultOf(
      {
        count: 1_016,
        total: 2_000_000_000,
        rps: 508,
        statusCodeDistribution: { OK: 990, NotFound: 8, InvalidArgument: 2, Unavailable: 16 },
        errorDistribution: {
          'rpc error: code = Unavailable desc = transport is closing': 16,
          'rpc error: code = NotFound desc = household not found': 8,
          'rpc error: code = InvalidArgument desc = bsn: must pass the elfproef': 2,
        },
        latencyDistribution: [
          { percentage: 50, latency: 12_345_678 },
          { percentage: 99, latency: 19_580_000 },
        ],
      },
      16,
    );
    expect(result).toEqual({
      concurrency: 16,
      calls: 1_000,
      errors: 10,
      errorsByStatus: { NOT_FOUND: 8, INVALID_ARGUMENT: 2 },
      seconds: 2,
      perSecond: 500,
      p50Ms: 12.35,
      p99Ms: 19.58,
      client: 'ghz',
    });
  });

  it('waits until the store has written nothing for a while, or gives up at its limit', async () => {
    const dir = await tempDir();
    try {
      const log = join(dir.path, 'LOG');
      writeFileSync(log, 'opened\n');
      // A compaction that logs and writes a table every 200 ms for a second, then stops.
      let writes = 0;
      const compacting = setInterval(() => {
        appendFileSync(log, 'Compacting\n');
        writeFileSync(join(dir.path, `00000${writes++}.ldb`), 'table');
        if (writes === 5) clearInterval(compacting);
      }, 200);
      const quiet = await waitUntilSettled(dir.path, { quietSeconds: 1, limitSeconds: 10 });
      expect(writes).toBe(5);
      expect(quiet.settled).toBe(true);
      expect(quiet.seconds).toBeGreaterThanOrEqual(1);

      const busy = setInterval(() => appendFileSync(log, 'Compacting\n'), 100);
      try {
        expect(await waitUntilSettled(dir.path, { quietSeconds: 1, limitSeconds: 2 })).toEqual({
          seconds: 2,
          settled: false,
        });
      } finally {
        clearInterval(busy);
      }
    } finally {
      await dir.remove();
    }
  });

  it('takes quantiles of sorted samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(51);
    expect(quantile(sorted, 0.99)).toBe(100);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('draws axes that cover every value, and unfinished points hollow with a label', () => {
    expect(niceTicks(7.3)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(380_000).at(-1)).toBeGreaterThanOrEqual(380_000);
    const svg = lineChart({
      title: 'Time',
      xLabel: 'lines',
      yLabel: 's',
      series: [
        {
          label: 'serve',
          points: [
            { x: 380_000, y: 60 },
            { x: 7_600_000, y: 600, unfinished: true },
          ],
        },
      ],
    });
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('not finished');
    expect(svg.match(/<circle /g)).toHaveLength(2);
  });
});
