/**
 * The one law, against the real broker and real LevelDB: signals spread over
 * the three topics and their partitions, shuffled and redelivered, leave the
 * service in exactly the state `radar backtest` computes from them.
 */
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { replayLines } from '../../src/producers/replay.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { runCli } from '../backtest/run-cli.js';
import { kafka } from '../helpers/kafka.js';
import { startService, testConfig, waitUntilConsumed } from './radar-service.js';
import { scenarioLines, scenarioRules, shuffle } from './signal-lines.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

describe('live service equals backtest', () => {
  it('after shuffled, redelivered signals over three topics', async () => {
    const config = await testConfig({ rules: scenarioRules });
    const signals = [
      ...scenarioLines(),
      ...generateSignalLines({ count: 1500, seed: 7, malformed: 0.01 }),
    ];
    const redelivered = signals.filter((_, i) => i % 7 === 0);
    const stream = shuffle([...signals, ...redelivered], 42);

    const service = await startService(config);
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const sent = await replayLines(producer, stream, config.kafka.topics, 200);
    await producer.disconnect();
    expect([...sent.keys()].sort()).toEqual(
      [
        config.kafka.topics.adviesvragen,
        config.kafka.topics.meldingen,
        config.kafka.topics.politie,
      ].sort(),
    );
    await waitUntilConsumed(service, stream.length);
    const { counts } = service.status;
    await service.stop();

    const file = join(config.dataDir, 'signals.ndjson');
    await writeFile(file, signals.join('\n') + '\n');
    const streamFile = join(config.dataDir, 'stream.ndjson');
    await writeFile(streamFile, stream.join('\n') + '\n');
    const backtest = await runCli(['backtest', '--signals', file, '--rules', config.rules]);
    const backtestOfStream = await runCli([
      'backtest',
      '--signals',
      streamFile,
      '--rules',
      config.rules,
    ]);
    const exported = await runCli(['export', '--data', config.dataDir]);
    expect(exported.code).toBe(0);
    expect(backtestOfStream.stdout).toBe(backtest.stdout);
    expect(exported.stdout).toBe(backtest.stdout);
    expect(backtest.stdout).toContain('"type":"indicator"');

    const [, read, accepted, duplicates, rejected] =
      /read (\d+), accepted (\d+), duplicates (\d+), rejected (\d+)/
        .exec(backtestOfStream.stderr)!
        .map(Number);
    expect(read).toBe(stream.length);
    expect(counts).toMatchObject({ accepted, duplicates, rejected, skipped: 0 });
  });
});
