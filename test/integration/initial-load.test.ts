/**
 * A first start on a backlog, against the real broker and real LevelDB: the
 * service reads the whole backlog, folds it household by household, sets its
 * group's offsets to where it ended, and goes on consuming live; what an
 * interrupted load left beside the data directory is discarded. The state
 * is then what `radar backtest` computes from every message, every rejected
 * one is on the dead-letter topic once, and every stored event was produced.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { replayLines } from '../../src/producers/replay.js';
import { committedOffsets } from '../../src/service/signal-positions.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { brokers, createTopics, kafka } from '../helpers/kafka.js';
import { readTopic } from './indicator-events.js';
import {
  expectEqualsBacktest,
  startService,
  testConfig,
  waitUntilConsumed,
} from './radar-service.js';
import { scenarioLines, scenarioRules, shuffle } from './signal-lines.js';

describe('a first start on a backlog', () => {
  it('loads it household by household, then goes on live, equal to the backtest', async () => {
    const config = {
      ...(await testConfig({ rules: scenarioRules })),
      initialLoad: { minMessages: 500, batchSignals: 40 },
    };
    const { topics } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    // Only the signal topics: the service makes the others, before the load produces to them.
    await createTopics(brokers(), signalTopics);
    const signals = [
      ...scenarioLines(),
      ...generateSignalLines({ count: 1500, seed: 11, malformed: 0.02 }),
    ];
    const stream = shuffle([...signals, ...signals.filter((_, i) => i % 9 === 0)], 5);
    const backlog = stream.slice(0, 1200);
    const later = stream.slice(1200);

    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await replayLines(producer, backlog, topics, 200);
    // What a load interrupted before left: discarded, never resumed from.
    await mkdir(`${config.dataDir}.loading`);
    await writeFile(`${config.dataDir}.loading/CURRENT`, 'MANIFEST-000001\n');
    await mkdir(`${config.dataDir}.spool`);
    const logged: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => logged.push(line) });
    const service = await startService(config, log);
    try {
      const loaded = logged.map((line) => JSON.parse(line) as Record<string, unknown>);
      const summary = loaded.find((entry) => entry.msg === 'backlog loaded');
      expect(summary, logged.join('')).toMatchObject({ accepted: expect.any(Number) });
      // The load wrote every signal's occurredAt entry: the start has none to write again.
      expect(loaded.filter((entry) => entry.msg === 'occurredAt index written')).toEqual([]);
      // Set aside and made beside the data directory, both gone once it is in.
      const beside = await readdir(dirname(config.dataDir));
      expect(
        beside.filter((name) => name.startsWith(`${config.dataDir.split('/').pop()}.`)),
      ).toEqual([]);

      // The consumer starts where the load ended rather than reading the backlog again.
      const admin = kafka().admin();
      await admin.connect();
      const committed = await committedOffsets(admin, config.kafka.groupId, signalTopics);
      await admin.disconnect();
      expect([...committed.values()].reduce((n, offset) => n + Number(offset), 0)).toBe(
        backlog.length,
      );
      await waitUntilConsumed(service, backlog.length);
      expect(service.status.counts.skipped).toBe(0);

      await replayLines(producer, later, topics, 200);
      await waitUntilConsumed(service, stream.length);
    } finally {
      await producer.disconnect();
      await service.stop();
    }
    const counts = await expectEqualsBacktest(stream, config.dataDir, config);
    expect(service.status.counts).toMatchObject({
      accepted: counts.accepted,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
    });
    const letters = await readTopic(topics.dlq, (m) => m.length >= counts.rejected);
    expect(letters).toHaveLength(counts.rejected);
    const lastSequence = service.status.lastSequence;
    const events = await readTopic(topics.indicators, (m) => m.length >= lastSequence);
    expect(events).toHaveLength(lastSequence);
  });
});
