import { describe, expect, it } from 'vitest';
import { quantile, runNode, step } from '../../bench/national/children.js';
import { lineChart, niceTicks } from '../../bench/national/svg.js';

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
