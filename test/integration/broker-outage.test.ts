/**
 * Issue 17: the broker stopped and started again in the middle of ingestion.
 * The test runs a broker of its own (stopping the shared one would break the
 * other test files), lets `radar serve` catch up on a backlog, stops the
 * broker part way, waits until the service has noticed (its consumer gone),
 * and starts the broker again on the same port and log directory. The
 * service must ride it out on its own (the consumer supervisor restarts the
 * consumer with backoff) and end with exactly what `radar backtest`
 * computes, every rejected message on the dead-letter topic by its reason,
 * and `/readyz` telling the truth throughout.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker/index.js';
import { freePort } from '../../src/broker/free-port.js';
import { replayLines } from '../../src/producers/replay.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { createTopics, kafka, waitFor } from '../helpers/kafka.js';
import { countByReason, readDeadLetters, readStore } from './indicator-events.js';
import { expectEqualsBacktest, testConfig } from './radar-service.js';
import { ReadinessWatch, watchedHttp } from './readiness-watch.js';
import { groupProgress, serviceRunner, writeConfigFile } from './service-process.js';
import { doorRejections, scenarioLines, scenarioRules, shuffle } from './signal-lines.js';

const GENERATED = 3000;
/** Stop the broker once the group has committed this share of the backlog. */
const STOP_AT = 0.3;

describe('the broker stopped and restarted during ingestion', () => {
  let broker: RunningBroker;
  let admin: Admin;
  const runner = serviceRunner();

  beforeAll(async () => {
    broker = await startBroker({ log: (message) => console.log(`[own kafka] ${message}`) });
    admin = kafka(undefined, broker.brokers).admin();
    await admin.connect();
  });

  afterAll(async () => {
    runner.killAll();
    await admin?.disconnect();
    await broker?.stop();
  });

  it('radar serve rides out the outage and ends equal to the backtest, readiness honest throughout', async () => {
    const config = await testConfig({ rules: scenarioRules, brokers: broker.brokers });
    const { topics, groupId } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(broker.brokers, [...signalTopics, topics.dlq, topics.indicators]);

    const signals = [
      ...scenarioLines(),
      ...generateSignalLines({ count: GENERATED, seed: 1717, malformed: 0.02 }),
    ];
    const stream = shuffle([...signals, ...signals.filter((_, i) => i % 6 === 0)], 17);
    const producer = kafka(undefined, broker.brokers).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    await replayLines(producer, stream, topics, 200);
    await producer.disconnect();

    const httpPort = await freePort();
    const configFile = await writeConfigFile(config, {
      kafka: {
        sessionTimeout: 6000,
        // Back quickly once the broker is back; an outage must not use up the crashes allowed.
        restart: { maxCrashes: 100, windowMs: 600_000, initialDelayMs: 200, maxDelayMs: 2000 },
      },
      store: { sync: true },
      http: watchedHttp(httpPort),
    });
    const watch = new ReadinessWatch({
      admin,
      port: httpPort,
      groupId,
      signalTopics,
    });
    expect(await watch.given()).toBe(stream.length);
    const service = runner.start(configFile);

    await waitFor(
      async () =>
        (await groupProgress(admin, groupId, signalTopics)).committed >= STOP_AT * stream.length,
      { timeout: 120_000, delay: 20 },
    );
    watch.outageBegins();
    const halted = Date.now();
    await broker.halt();
    const down = Date.now();
    // The event the outage is for: the service has lost its consumer and says so. That takes
    // 40 s or more: the batch in hand first spends its produce retries (kafkajs's within ours).
    await watch.untilReason('NOT_CONSUMING', 150_000);
    const noticed = Date.now();
    await broker.restart();
    watch.outageEnded();
    const up = Date.now();

    const lag = await watch.untilReady(150_000);
    const caughtUp = Date.now();
    expect(lag).toBe(0);
    const final = await groupProgress(admin, groupId, signalTopics);
    expect(final).toEqual({ committed: stream.length, end: stream.length });
    const readiness = await watch.stop();
    service.kill('SIGTERM');
    expect(await service.exited, service.output()).toEqual({ code: 0, signal: null });

    expect(readiness.lies, JSON.stringify(readiness)).toEqual([]);
    expect(readiness.unverified, JSON.stringify(readiness)).toBe(0);
    expect(readiness.reasons).toEqual(expect.arrayContaining(['CATCHING_UP', 'NOT_CONSUMING']));
    expect(service.output()).toContain('consumer crashed');

    const counts = await expectEqualsBacktest(
      stream,
      await mkdtemp(join(tmpdir(), 'radar-')),
      config,
    );
    const state = await readStore(config.dataDir);
    expect(state.counters).toMatchObject({
      accepted: counts.accepted,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
    });
    expect(state.signalIds).toHaveLength(counts.accepted);
    expect(state.publishedSequence).toBe(state.lastSequence);

    const expectedReasons = doorRejections(stream);
    const rejected = [...expectedReasons.values()].reduce((a, b) => a + b, 0);
    expect(counts.rejected).toBe(rejected);
    const letters = await readDeadLetters(topics.dlq, rejected, broker.brokers);
    expect(letters.size).toBe(rejected);
    expect(countByReason(letters.values())).toEqual(expectedReasons);

    console.log(
      JSON.stringify({
        stream: stream.length,
        ...counts,
        skipped: state.counters.skipped ?? 0,
        events: state.lastSequence,
        haltMs: down - halted,
        downUntilNoticedMs: noticed - down,
        restartMs: up - noticed,
        catchUpAfterRestartMs: caughtUp - up,
        readiness,
      }),
    );
  }, 280_000);
});
