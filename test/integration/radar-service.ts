/**
 * Running the radar service against the test broker: fresh topics, group and
 * data directory per test, so tests never see each other's signals.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { resolveConfig, type RadarConfig } from '../../src/config/config.js';
import { RadarService } from '../../src/service/service.js';
import { runCli, type CliResult } from '../backtest/run-cli.js';
import { brokers, randomGroupId, randomTopicName, waitFor } from '../helpers/kafka.js';

export async function testConfig(overrides: { rules?: string } = {}): Promise<RadarConfig> {
  return resolveConfig({
    dataDir: await mkdtemp(join(tmpdir(), 'radar-data-')),
    ...overrides,
    kafka: {
      brokers: brokers(),
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

/** Waits until the service has seen `total` messages (accepted, redelivered, rejected, skipped or expired). */
export async function waitUntilConsumed(service: RadarService, total: number): Promise<void> {
  await waitFor(
    () => {
      const c = service.status.counts;
      return c.accepted + c.duplicates + c.rejected + c.skipped + c.expired >= total;
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
