/**
 * Running the radar service against the test broker: fresh topics, group and
 * data directory per test, so tests never see each other's signals.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { expect } from 'vitest';
import { resolveConfig, type RadarConfig } from '../../src/config/config.js';
import { RadarService } from '../../src/service/service.js';
import { runCli, type CliResult } from '../backtest/run-cli.js';
import { brokers, randomGroupId, randomTopicName, waitFor } from '../helpers/kafka.js';

/** Fresh names and data directory, on the test broker unless `brokers` names another. */
export async function testConfig(
  overrides: { rules?: string; brokers?: string[] } = {},
): Promise<RadarConfig> {
  const { brokers: brokerList = brokers(), ...rest } = overrides;
  return resolveConfig({
    dataDir: await mkdtemp(join(tmpdir(), 'radar-data-')),
    ...rest,
    kafka: {
      brokers: brokerList,
      groupId: randomGroupId(),
      topics: {
        adviesvragen: randomTopicName('adviesvragen'),
        meldingen: randomTopicName('meldingen'),
        politie: randomTopicName('politie'),
        dlq: randomTopicName('dlq'),
        indicators: randomTopicName('indicators'),
      },
    },
    store: { sync: false },
  });
}

export async function startService(
  config: RadarConfig,
  log: Logger = pino({ level: 'silent' }),
): Promise<RadarService> {
  const service = new RadarService(config, log);
  await service.start();
  return service;
}

/** Waits until the store holds the positions after the first `total` messages of its (fresh) signal topics, whatever became of them. */
export async function waitUntilConsumed(service: RadarService, total: number): Promise<void> {
  // By the positions the store holds, not the counts: a message redelivered
  // after a rebalance on a busy machine is counted again (as skipped), and
  // counting it let a test read the store before its last message was in.
  await waitFor(
    async () => {
      let held = 0;
      for (const next of (await service.state.store.offsets()).values()) held += Number(next);
      return held >= total;
    },
    { timeout: 90_000, delay: 100 },
  );
}

/**
 * `radar backtest` of the lines (written to `dir` as the file it reads) and
 * `radar export` of the service's store, for a test to hold them equal.
 */
export async function backtestAndExport(
  lines: readonly string[],
  dir: string,
  config: RadarConfig,
): Promise<{ backtest: CliResult; exported: CliResult }> {
  const file = join(dir, 'stream.ndjson');
  await writeFile(file, lines.join('\n') + '\n');
  return {
    backtest: await runCli(['backtest', '--signals', file, '--rules', config.rules]),
    exported: await runCli(['export', '--data', config.dataDir]),
  };
}

/** What `radar backtest` counted in the lines it read. */
export interface BacktestCounts {
  read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * The law every fault test ends on: the stopped service's store, exported,
 * is byte for byte what `radar backtest` computes from `lines` (households,
 * their signals and indicators), and the backtest read every line. Returns
 * what the backtest counted, for the caller to hold the service's own
 * counters and the dead-letter topic to.
 */
export async function expectEqualsBacktest(
  lines: readonly string[],
  dir: string,
  config: RadarConfig,
): Promise<BacktestCounts> {
  const { backtest, exported } = await backtestAndExport(lines, dir, config);
  expect(backtest.code, backtest.stderr).toBe(0);
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stdout).toBe(backtest.stdout);
  expect(backtest.stdout).toContain('"type":"indicator"');
  const match = /read (\d+), accepted (\d+), duplicates (\d+), rejected (\d+)/.exec(
    backtest.stderr,
  );
  expect(match, backtest.stderr).not.toBeNull();
  const [read, accepted, duplicates, rejected] = match!.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  expect(read).toBe(lines.length);
  return { read, accepted, duplicates, rejected };
}
