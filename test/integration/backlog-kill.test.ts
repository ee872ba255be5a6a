/**
 * Issue 14: `radar serve` SIGKILLed in the middle of a backlog whose
 * indicator events add up to more than the broker's default message limit
 * (1 MiB), on topics with the default limits, and started again: it catches
 * up with exactly what `radar backtest` computes from the same messages, and
 * every event reaches the indicator topic.
 */
import { dirname } from 'node:path';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMessage } from '../../src/producers/publish.js';
import { replayLines } from '../../src/producers/replay.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { brokers, createTopics, kafka, waitFor } from '../helpers/kafka.js';
import { denseFamilyLines } from './dense-family.js';
import { coversSequences, readIndicatorTopic, readStore } from './indicator-events.js';
import { backtestAndExport, testConfig } from './radar-service.js';
import {
  groupProgress,
  serviceRunner,
  waitForNewMember,
  waitUntilCommitted,
  writeConfigFile,
} from './service-process.js';
import { shuffle } from './signal-lines.js';

const DENSE = 6000;
const GENERATED = 2000;
/** Kafka's default `message.max.bytes`. */
const ONE_MIB = 1_048_588;

describe('radar serve killed during a large backlog', () => {
  let admin: Admin;
  let producer: Producer;
  const { start, killAll } = serviceRunner();

  beforeAll(async () => {
    admin = kafka().admin();
    await admin.connect();
    // Idempotent, so a produce retried under load cannot put a line on a topic twice.
    producer = kafka().producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
  });

  afterAll(async () => {
    killAll();
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it('catches up after a SIGKILL with exactly the backtest, every event on the topic', async () => {
    const config = await testConfig();
    const { topics, groupId } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(brokers(), [...signalTopics, topics.dlq, topics.indicators]);
    const configFile = await writeConfigFile(config, {
      kafka: { sessionTimeout: 6000 },
      store: { sync: true },
    });
    const stream = shuffle(
      [
        ...denseFamilyLines(DENSE),
        ...generateSignalLines({ count: GENERATED, seed: 1414, malformed: 0.01 }),
      ],
      1414,
    );
    await replayLines(producer, stream, topics, 500);

    const first = start(configFile);
    await waitForNewMember(admin, groupId, new Set());
    const { end } = await groupProgress(admin, groupId, signalTopics);
    expect(end).toBe(stream.length);
    await waitFor(
      async () => (await groupProgress(admin, groupId, signalTopics)).committed >= end * 0.3,
      { timeout: 120_000, delay: 20 },
    );
    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const atKill = await groupProgress(admin, groupId, signalTopics);
    expect(atKill.committed).toBeLessThan(end);

    const second = start(configFile);
    await waitUntilCommitted(admin, groupId, signalTopics, 180_000);
    second.kill('SIGTERM');
    expect(await second.exited, second.output()).toEqual({ code: 0, signal: null });

    const { backtest, exported } = await backtestAndExport(stream, dirname(configFile), config);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(backtest.stdout);

    const state = await readStore(config.dataDir);
    const n = state.lastSequence;
    const eventBytes = state.events.reduce(
      (sum, e) => sum + Buffer.byteLength(eventMessage(e).value),
      0,
    );
    expect(eventBytes).toBeGreaterThan(ONE_MIB);
    expect(state.publishedSequence).toBe(n);
    const onTopic = await readIndicatorTopic(
      topics.indicators,
      (events) => coversSequences(events, n),
      120_000,
    );
    expect(new Set(onTopic.map((e) => e.event.sequence)).size).toBe(n);
    console.log(
      JSON.stringify({ signals: stream.length, killedAt: atKill.committed, events: n, eventBytes }),
    );
  });
});
