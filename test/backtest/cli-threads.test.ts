import { describe, expect, it, vi } from 'vitest';
import * as backtest from '../../src/backtest/index.js';
import { defaultWorkerThreads } from '../../src/backtest/index.js';
import { scenarioFile } from '../fixtures/scenarios.js';
import { runCli } from './run-cli.js';

// Which threads a backtest ran on leaves no trace in its output (that is the point), so this
// watches what the command hands the backtest.
vi.mock('../../src/backtest/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/backtest/index.js')>();
  return { ...original, runBacktest: vi.fn(original.runBacktest) };
});

const rules = scenarioFile('rules.yaml');
const signals = scenarioFile('01-one-family-three-sources.ndjson');

describe('radar backtest --threads', () => {
  it.each([
    [['--threads', '0'], 0],
    [['--threads', '2'], 2],
    [[], defaultWorkerThreads()],
  ])('%j runs the backtest with %i worker threads', async (flag, threads) => {
    const run = vi.mocked(backtest.runBacktest);
    run.mockClear();
    const result = await runCli(['backtest', '--signals', signals, '--rules', rules, ...flag]);
    expect(result.code).toBe(0);
    expect(run).toHaveBeenCalledOnce();
    expect(run.mock.calls[0]![0].workerThreads).toBe(threads);
  });
});
