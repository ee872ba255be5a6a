/**
 * Issue 14: on a broker with the default limits (`message.max.bytes` 1 MiB),
 * a backlog whose indicator events exceed the limit in one batch used to
 * make the produce refused, the consumer crash for good and `radar serve`
 * run on, consuming nothing. Here the same backlog is consumed to the end,
 * the state equals the backtest and every event is on the indicator topic;
 * and a consumer that crashes anyway is restarted, with the health service
 * saying NOT_SERVING until it consumes again.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { ConfigResourceTypes, Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/api/index.js';
import { AuditLog } from '../../src/audit/index.js';
import {
  ABRIDGED_HEADER,
  eventMessage,
  fitsAlone,
  TRUNCATED_HEADER,
} from '../../src/producers/publish.js';
import { replayLines } from '../../src/producers/replay.js';
import type { RadarService } from '../../src/service/service.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { healthClient } from '../helpers/health-client.js';
import { brokers, createTopics, kafka, waitFor } from '../helpers/kafka.js';
import { denseFamilyLines } from './dense-family.js';
import { coversSequences, readIndicatorTopic, readStore, readTopic } from './indicator-events.js';
import { backtestAndExport, startService, testConfig } from './radar-service.js';
import { spawnService, waitForNewMember, writeConfigFile } from './service-process.js';
import { shuffle } from './signal-lines.js';

/** Kafka's default `message.max.bytes`, which a topic without its own setting takes. */
const BROKER_DEFAULT_LIMIT = 1_048_588;
/**
 * Signal ids as long as the contract allows (128 characters) make the events
 * outgrow the limit at 9,000 signals of the household rather than 20,000:
 * the fold re-forms the whole household every batch, so the backlog's cost
 * grows with the square of its size.
 */
const DENSE = 9_000;
const LONG_ID = 'dense-family-'.padEnd(120, 'x');
/** A value that fits the signal topic but not, with the dead-letter headers, the dead-letter topic. */
const HUGE = 1_048_400;

function consumed(service: RadarService): number {
  const c = service.status.counts;
  return c.accepted + c.duplicates + c.rejected + c.skipped;
}

async function topicLimit(admin: Admin, topic: string): Promise<string | undefined> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] },
    ],
  });
  return resources[0]?.configEntries[0]?.configValue;
}

async function setTopicLimit(admin: Admin, topic: string, bytes: number): Promise<void> {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [{ name: 'max.message.bytes', value: String(bytes) }],
      },
    ],
  });
}

describe('radar serve never stalls', () => {
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    admin = kafka().admin();
    await admin.connect();
    producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it(`catches up on a backlog of ${DENSE} signals of one household with the broker's default limits`, async () => {
    const config = await testConfig();
    const { topics } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(brokers(), [...signalTopics, topics.dlq, topics.indicators]);
    expect(await topicLimit(admin, topics.indicators)).toBe(String(BROKER_DEFAULT_LIMIT));
    expect(await topicLimit(admin, topics.dlq)).toBe(String(BROKER_DEFAULT_LIMIT));

    const stream = shuffle(
      [
        ...denseFamilyLines(DENSE, LONG_ID),
        ...generateSignalLines({ count: 3000, seed: 14, malformed: 0.01 }),
      ],
      14,
    );
    await replayLines(producer, stream, topics, 500);
    const huge = 'x'.repeat(HUGE);
    await producer.send({ topic: topics.meldingen, messages: [{ key: 'huge', value: huge }] });
    const lines = [...stream, huge];

    const started = Date.now();
    const service = await startService(config);
    try {
      await waitFor(() => consumed(service) >= lines.length, { timeout: 300_000, delay: 200 });
    } finally {
      await service.stop();
    }
    const seconds = (Date.now() - started) / 1000;

    const { backtest, exported } = await backtestAndExport(lines, config.dataDir, config);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(backtest.stdout);

    // Every event is on the topic; those too large for it without their signal ids.
    const state = await readStore(config.dataDir);
    const n = state.lastSequence;
    expect(state.publishedSequence).toBe(n);
    const onTopic = await readIndicatorTopic(
      topics.indicators,
      (events) => coversSequences(events, n),
      120_000,
    );
    let abridged = 0;
    for (const { key, value, headers, event } of onTopic) {
      const stored = state.events[event.sequence - 1]!;
      const whole = eventMessage(stored);
      expect(key).toBe(whole.key);
      if (headers[ABRIDGED_HEADER] === undefined) {
        expect(value?.toString()).toBe(whole.value);
        continue;
      }
      abridged++;
      // As a record batch of its own: value, key, headers and Kafka's framing. The value alone
      // may be a little under the limit.
      expect(fitsAlone(whole, BROKER_DEFAULT_LIMIT)).toBe(false);
      expect(headers[ABRIDGED_HEADER]).toBe(String(stored.indicator.signalIds.length));
      expect(event).toMatchObject({
        sequence: stored.sequence,
        type: stored.type,
        indicator: { ...stored.indicator, signalIds: [], explanation: expect.any(String) },
      });
    }
    expect(abridged).toBeGreaterThan(0);

    // The huge rejected message is on the dead-letter topic, cut to fit, saying so.
    const letters = await readTopic(topics.dlq, (messages) =>
      messages.some((m) => m.key === 'huge'),
    );
    const letter = letters.find((m) => m.key === 'huge')!;
    expect(letter.headers[TRUNCATED_HEADER]).toBe(String(HUGE));
    expect(letter.headers['radar-reason']).toBe('MALFORMED');
    expect(letter.value!.length).toBeLessThan(HUGE);
    expect(huge.startsWith(letter.value!.toString())).toBe(true);

    console.log(
      JSON.stringify({
        signals: lines.length,
        seconds,
        events: n,
        eventsOnTopic: onTopic.length,
        abridged,
        largestEventBytes: Math.max(
          ...state.events.map((e) => Buffer.byteLength(eventMessage(e).value)),
        ),
      }),
    );
  }, 300_000);

  it('a crashed consumer is restarted; health says NOT_SERVING until it consumes again', async () => {
    const config = await testConfig();
    const { topics } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(brokers(), [...signalTopics, topics.dlq, topics.indicators]);
    const service = await startService({
      ...config,
      kafka: {
        ...config.kafka,
        restart: { maxCrashes: 10, windowMs: 60_000, initialDelayMs: 500, maxDelayMs: 2000 },
      },
    });
    const auditLog = await AuditLog.open(
      join(await mkdtemp(join(tmpdir(), 'radar-audit-')), 'audit.ndjson'),
    );
    const api = await startApiServer({
      state: () => service.state,
      tls: 'insecure',
      clients: {},
      auditLog,
      serving: service.serving,
    });
    const health = healthClient(`127.0.0.1:${api.port}`, credentials.createInsecure());
    const seen: string[] = [];
    const watch = health.Watch({ service: '' });
    watch.on('data', ({ status }: { status: string }) => seen.push(status));
    watch.on('error', () => {});
    try {
      await waitFor(() => seen[0] === 'SERVING');

      // Lower the dead-letter topic's limit behind the service's back: the
      // next dead letter is refused, a non-retriable error that crashes the
      // consumer, as an oversized chunk did before the chunks.
      await setTopicLimit(admin, topics.dlq, 20_000);
      const garbage = 'y'.repeat(50_000);
      await producer.send({ topic: topics.meldingen, messages: [{ key: 'g', value: garbage }] });
      const valid = [...generateSignalLines({ count: 50, seed: 3, malformed: 0 })];
      await replayLines(producer, valid, topics, 50);

      // The restart reads the new limit: the dead letter goes out cut down and
      // the signals behind it are consumed.
      await waitFor(() => consumed(service) >= valid.length + 1, { timeout: 60_000 });
      await waitFor(() => seen.at(-1) === 'SERVING');
      expect(seen).toContain('NOT_SERVING');
      expect(seen.indexOf('NOT_SERVING')).toBeGreaterThan(0);
      const letters = await readTopic(topics.dlq, (messages) => messages.length > 0);
      expect(letters[0]!.headers[TRUNCATED_HEADER]).toBe(String(garbage.length));
    } finally {
      watch.cancel();
      health.close();
      await api.stop();
      await auditLog.close();
      await service.stop();
    }
    console.log(JSON.stringify({ healthSeen: seen }));
  });

  it('a consumer that crashes more often than allowed ends `radar serve` with exit 1', async () => {
    const config = await testConfig();
    const { topics } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(brokers(), [...signalTopics, topics.dlq, topics.indicators]);
    const configFile = await writeConfigFile(config, {
      kafka: { restart: { maxCrashes: 0 } },
    });
    const service = spawnService(configFile);
    try {
      await waitForNewMember(admin, config.kafka.groupId, new Set()).catch((error: unknown) => {
        throw new Error(`the service never joined:\n${service.output()}`, { cause: error });
      });
      await setTopicLimit(admin, topics.dlq, 20_000);
      await producer.send({
        topic: topics.meldingen,
        messages: [{ key: 'g', value: 'z'.repeat(50_000) }],
      });
      const exit = await service.exited;
      expect(exit, service.output()).toEqual({ code: 1, signal: null });
      // One line that says what failed, not a stack trace.
      expect(service.output()).toMatch(/^radar: CONSUMER_FAILED: /m);
      expect(service.output()).not.toMatch(/^\s+at /m);
    } finally {
      service.kill('SIGKILL');
    }
  });
});
