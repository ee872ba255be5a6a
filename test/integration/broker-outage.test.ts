/**
 * Issue 17: the broker stopped and started again in the middle of ingestion.
 * The test runs a broker of its own (stopping the shared one would break the
 * other test files), lets `radar serve` catch up on a backlog, stops the
 * broker part way, waits until the service has noticed (its consumer gone),
 * and starts the broker again on the same port and log directory. The
 * service must ride it out on its own (the consumer supervisor restarts the
 * consumer with backoff) and end with exactly what `radar backtest`
 * computes, every rejected message on the dead-letter topic by its reason,
 * and `/readyz` telling the truth throughout. Issue 14: the gRPC health,
 * watched as a load balancer watches it, says NOT_SERVING within moments of
 * the broker halting (not only once the consumer crashes, 40 s or more
 * later), stays so until the broker is back, and SERVING again once the
 * service consumes; SERVING too while it merely catches up.
 */
import { EventEmitter, once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { Partitioners, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker/index.js';
import { freePort } from '../../src/broker/free-port.js';
import { replayLines } from '../../src/producers/replay.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { healthClient, type HealthClient } from '../helpers/health-client.js';
import { createTopics, kafka, waitFor } from '../helpers/kafka.js';
import { countByReason, readDeadLetters, readStore } from './indicator-events.js';
import { expectEqualsBacktest, testConfig } from './radar-service.js';
import { ReadinessWatch, watchedHttp } from './readiness-watch.js';
import { groupProgress, serviceRunner, writeConfigFile } from './service-process.js';
import { doorRejections, scenarioLines, scenarioRules, shuffle } from './signal-lines.js';

const GENERATED = 3000;
/** Stop the broker once the group has committed this share of the backlog. */
const STOP_AT = 0.3;
const RADAR_SERVICE = 'radar.v1.RadarService';

/** One gRPC health Watch on the running service: every status it hears, with when. */
class HealthWatch {
  readonly heard: { status: string; at: number }[] = [];
  private readonly events = new EventEmitter();
  private readonly call: ClientReadableStream<{ status: string }>;

  constructor(client: HealthClient, service: string) {
    this.call = client.Watch({ service });
    this.call.on('data', ({ status }: { status: string }) => {
      this.heard.push({ status, at: Date.now() });
      this.events.emit('status');
    });
    // The stream ends with the service; what it heard until then is the record.
    this.call.on('error', () => {});
  }

  /**
   * The moment from which the health says `status`, at or after `since`:
   * `since` itself when it said so already; rejects after `timeout` ms.
   */
  async from(status: string, since: number, timeout: number): Promise<number> {
    const deadline = Date.now() + timeout;
    for (;;) {
      if (this.heard.findLast((h) => h.at <= since)?.status === status) return since;
      const next = this.heard.find((h) => h.at > since && h.status === status);
      if (next !== undefined) return next.at;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `health never ${status} within ${timeout} ms: ${JSON.stringify(this.heard)}`,
        );
      await once(this.events, 'status', { signal: AbortSignal.timeout(left) }).catch(() => {});
    }
  }

  /** Statuses heard strictly between the two moments. */
  between(from: number, to: number): string[] {
    return this.heard.filter((h) => h.at > from && h.at < to).map((h) => h.status);
  }

  cancel(): void {
    this.call.cancel();
  }
}

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

  it('radar serve rides out the outage and ends equal to the backtest, readiness and health honest throughout', async () => {
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
    const apiPort = await freePort();
    const http = watchedHttp(httpPort);
    const { lagIntervalMs } = http;
    if (lagIntervalMs === undefined) throw new Error('watchedHttp sets no lag interval');
    const configFile = await writeConfigFile(config, {
      kafka: {
        sessionTimeout: 6000,
        // Back quickly once the broker is back; an outage must not use up the crashes allowed.
        restart: { maxCrashes: 100, windowMs: 600_000, initialDelayMs: 200, maxDelayMs: 2000 },
      },
      store: { sync: true },
      http,
      api: { enabled: true, insecure: true, host: '127.0.0.1', port: apiPort },
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
    // The API listens from before the consumer starts, so it answers by now. The group is still
    // behind (CATCHING_UP on /readyz, its readyMaxLag being 0), and that alone is no NOT_SERVING.
    const health = healthClient(`127.0.0.1:${apiPort}`, credentials.createInsecure());
    const healthWatches = ['', RADAR_SERVICE].map((name) => new HealthWatch(health, name));
    for (const h of healthWatches) await h.from('SERVING', Date.now(), 10_000);
    const behind = await groupProgress(admin, groupId, signalTopics);
    expect(behind.committed).toBeLessThan(behind.end);

    watch.outageBegins();
    const halted = Date.now();
    await broker.halt();
    const down = Date.now();
    // Health follows the lag reading, stale three lag intervals after the last one; the bound leaves
    // room for a reading the broker still answered while it was halting, and a loaded machine.
    const healthBound = 2 * lagIntervalMs + 1000;
    const notServing = await Promise.all(
      healthWatches.map((h) => h.from('NOT_SERVING', halted, healthBound + 5000)),
    );
    for (const at of notServing) expect(at - halted).toBeLessThanOrEqual(healthBound);
    // The event the outage is for: the service has lost its consumer and says so. That takes
    // 40 s or more: the batch in hand first spends its produce retries (kafkajs's within ours).
    await watch.untilReason('NOT_CONSUMING', 150_000);
    const noticed = Date.now();
    await broker.restart();
    watch.outageEnded();
    const up = Date.now();
    for (const [i, h] of healthWatches.entries())
      expect(h.between(notServing[i]!, up), JSON.stringify(h.heard)).not.toContain('SERVING');
    const servingAgain = await Promise.all(
      healthWatches.map((h) => h.from('SERVING', up, 150_000)),
    );

    const lag = await watch.untilReady(150_000);
    const caughtUp = Date.now();
    expect(lag).toBe(0);
    const final = await groupProgress(admin, groupId, signalTopics);
    expect(final).toEqual({ committed: stream.length, end: stream.length });
    const readiness = await watch.stop();
    for (const h of healthWatches) h.cancel();
    health.close();
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
        healthNotServingAfterHaltMs: notServing.map((at) => at - halted),
        healthServingAfterRestartMs: servingAgain.map((at) => at - up),
        healthHeardMsFromHalt: healthWatches.map((h) =>
          h.heard.map(({ status, at }) => `${status} ${at - halted}`),
        ),
        readiness,
      }),
    );
  }, 280_000);
});
