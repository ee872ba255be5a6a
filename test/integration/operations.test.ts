/**
 * `radar serve` as an operator runs it, in its own process: the Prometheus
 * endpoint scraped during ingestion and held to what was produced,
 * readiness that never says ready while the group is behind, and the
 * graceful stop on SIGTERM with a client mid-watch, then the forced ends
 * (a second signal, the timeout).
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { Partitioners, type Admin } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/broker/free-port.js';
import type { RadarConfig, RadarConfigInput } from '../../src/config/config.js';
import { Radar } from '../../src/engine/index.js';
import { SignalRejectedError } from '../../src/errors.js';
import {
  GetHouseholdRequest,
  ListIndicatorsRequest,
  RadarServiceClient,
  WatchIndicatorsRequest,
  type WatchIndicatorsResponse,
} from '../../src/gen/radar/v1/radar.js';
import { replayLines } from '../../src/producers/replay.js';
import { loadRuleset } from '../../src/rules/index.js';
import { decodeJson, REGIONS, type Signal } from '../../src/signals/index.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { brokers, createTopics, kafka, waitFor } from '../helpers/kafka.js';
import { readStore, readTopic } from './indicator-events.js';
import { testConfig } from './radar-service.js';
import {
  groupProgress,
  serviceRunner,
  writeConfigFile,
  type ServiceProcess,
} from './service-process.js';

const CLIENT = 'ops-test';
const runner = serviceRunner();
let admin: Admin;

beforeAll(async () => {
  admin = kafka().admin();
  await admin.connect();
});
afterEach(() => runner.killAll());
afterAll(async () => {
  await admin.disconnect();
});

function signalTopics(config: RadarConfig): string[] {
  const { topics } = config.kafka;
  return [topics.adviesvragen, topics.meldingen, topics.politie];
}

interface Workload {
  lines: string[];
  accepted: number;
  duplicates: number;
  withdrawn: number;
  rejected: Map<string, number>;
}

/**
 * Synthetic signals with malformed lines and withdrawals, and some valid
 * lines sent twice; what the service must count, worked out from the lines
 * through the same door and engine the backtest uses.
 */
async function workload(config: RadarConfig, count: number, seed: number): Promise<Workload> {
  const generated = [...generateSignalLines({ count, seed, malformed: 0.01, withdrawn: 0.05 })];
  const valid: Signal[] = [];
  const rejected = new Map<string, number>();
  for (const line of generated) {
    try {
      valid.push(decodeJson(line).signal);
    } catch (error) {
      if (!(error instanceof SignalRejectedError)) throw error;
      rejected.set(error.code, (rejected.get(error.code) ?? 0) + 1);
    }
  }
  const resent = generated.filter((l) => l.includes('"kind":"MELDING"')).slice(0, 25);
  const radar = new Radar({ ruleset: await loadRuleset(config.rules), ...config.households });
  for (const signal of valid) radar.ingest(signal);
  for (const line of resent) radar.ingest(decodeJson(line).signal);
  const counts = radar.counts;
  return {
    lines: [...generated, ...resent],
    accepted: counts.accepted,
    duplicates: counts.duplicates,
    withdrawn: counts.withdrawn,
    rejected,
  };
}

async function produce(config: RadarConfig, lines: readonly string[]): Promise<void> {
  await createTopics(brokers(), [
    ...signalTopics(config),
    config.kafka.topics.dlq,
    config.kafka.topics.indicators,
  ]);
  // Idempotent: a produce request retried on a busy machine must not write its messages twice,
  // or the service would rightly count more than the lines.
  const producer = kafka().producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    await replayLines(producer, lines, config.kafka.topics);
  } finally {
    await producer.disconnect();
  }
  const { end } = await groupProgress(admin, config.kafka.groupId, signalTopics(config));
  expect(end).toBe(lines.length);
}

interface Ports {
  http: number;
  api: number;
}

/** Settings for the HTTP endpoint (lag read often, ready only at lag 0) and the insecure API. */
async function operatorSettings(
  dir: string,
  extra: RadarConfigInput = {},
): Promise<{ ports: Ports; settings: RadarConfigInput }> {
  const ports = { http: await freePort(), api: await freePort() };
  return {
    ports,
    settings: {
      ...extra,
      http: {
        enabled: true,
        host: '127.0.0.1',
        port: ports.http,
        readyMaxLag: 0,
        lagIntervalMs: 200,
      },
      api: {
        enabled: true,
        insecure: true,
        host: '127.0.0.1',
        port: ports.api,
        clients: { [CLIENT]: [...REGIONS] },
        auditLog: join(dir, 'audit.ndjson'),
      },
    },
  };
}

interface Answer {
  status: number;
  body: string;
}

/** GET, or undefined while nothing listens yet. */
async function get(port: number, path: string): Promise<Answer | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

/** The value of one series, `name{labels}`, in the exposition text; 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Every series of a metric with its labels, as `labels → value`. */
function series(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match) out.set(match[1] ?? '', Number(match[2]));
  }
  return out;
}

function metadata(): Metadata {
  const md = new Metadata();
  md.set('x-radar-client', CLIENT);
  md.set('x-radar-user', 'beheerder');
  md.set('x-radar-purpose', 'monitoring test');
  return md;
}

function call<Req, Res>(
  method: (
    request: Req,
    metadata: Metadata,
    callback: (error: ServiceError | null, response: Res) => void,
  ) => unknown,
  request: Req,
): Promise<{ code: number }> {
  return new Promise((resolve) => {
    method(request, metadata(), (error) => resolve({ code: error?.code ?? status.OK }));
  });
}

/** Exits and the time it took from `since`. */
async function exitOf(
  service: ServiceProcess,
  since: number,
): Promise<{ code: number | null; ms: number }> {
  const exit = await service.exited;
  return { code: exit.code, ms: Date.now() - since };
}

describe('radar serve for operators', () => {
  it('scrapes counts that match what was produced, and is never ready while behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radar-ops-'));
    const config = await testConfig();
    const expected = await workload(config, 4000, 17);
    await produce(config, expected.lines);
    const { ports, settings } = await operatorSettings(dir);
    const service = runner.start(await writeConfigFile(config, settings));
    const topics = signalTopics(config);

    // Scrape throughout the catching up; each "ready" is checked against the broker at once.
    const reasons = new Set<string>();
    let scrapes = 0;
    let lastAccepted = 0;
    await waitFor(
      async () => {
        const ready = await get(ports.http, '/readyz');
        if (ready === undefined) return false;
        const progress = await groupProgress(admin, config.kafka.groupId, topics);
        const answer = JSON.parse(ready.body) as { ready: boolean; reasons: string[] };
        for (const r of answer.reasons) reasons.add(r);
        if (answer.ready) expect(progress.committed, service.output()).toBe(progress.end);
        const metrics = await get(ports.http, '/metrics');
        if (metrics !== undefined) {
          scrapes++;
          const accepted = sample(metrics.body, 'radar_signals_total{outcome="accepted"}');
          expect(accepted).toBeGreaterThanOrEqual(lastAccepted);
          lastAccepted = accepted;
        }
        return ready.status === 200;
      },
      { timeout: 90_000, delay: 50 },
    );
    console.log(`not ready for ${[...reasons].sort().join(', ')} over ${scrapes} scrapes`);
    expect(scrapes).toBeGreaterThan(1);
    expect(
      reasons.has('STARTING') || reasons.has('NOT_CONSUMING') || reasons.has('LAG_UNKNOWN'),
    ).toBe(true);

    const client = new RadarServiceClient(`127.0.0.1:${ports.api}`, credentials.createInsecure());
    const listCalls = 5;
    try {
      for (let i = 0; i < listCalls; i++) {
        expect(
          await call(
            client.listIndicators.bind(client),
            ListIndicatorsRequest.fromPartial({ pageSize: 10 }),
          ),
        ).toEqual({ code: status.OK });
      }
      expect(
        await call(
          client.getHousehold.bind(client),
          GetHouseholdRequest.fromPartial({ householdId: 'no-such-household' }),
        ),
      ).toEqual({ code: status.NOT_FOUND });
    } finally {
      client.close();
    }

    const { body } = (await get(ports.http, '/metrics'))!;
    const rejectedTotal = [...expected.rejected.values()].reduce((a, b) => a + b, 0);
    expect(sample(body, 'radar_signals_total{outcome="accepted"}')).toBe(expected.accepted);
    expect(sample(body, 'radar_signals_total{outcome="duplicate"}')).toBe(expected.duplicates);
    expect(sample(body, 'radar_signals_total{outcome="rejected"}')).toBe(rejectedTotal);
    expect(sample(body, 'radar_signals_total{outcome="skipped"}')).toBe(0);
    expect(sample(body, 'radar_signals_withdrawn_total')).toBe(expected.withdrawn);
    expect(expected.withdrawn).toBeGreaterThan(0);
    expect(sample(body, 'radar_store_signals')).toBe(expected.accepted);
    expect(sample(body, 'radar_store_bytes')).toBeGreaterThan(0);
    expect(sample(body, 'radar_ready')).toBe(1);

    // Every rejection is on the dead-letter topic, by the reason the metrics count it under.
    const letters = await readTopic(config.kafka.topics.dlq, (m) => m.length >= rejectedTotal);
    const onTopic = new Map<string, number>();
    for (const l of letters) {
      const reason = l.headers['radar-reason']!;
      onTopic.set(reason, (onTopic.get(reason) ?? 0) + 1);
    }
    const byReason = series(body, 'radar_signals_rejected_by_reason_total');
    expect(new Map([...byReason].map(([labels, n]) => [labels.slice(9, -2), n]))).toEqual(onTopic);
    expect(onTopic).toEqual(expected.rejected);

    const events = series(body, 'radar_indicator_events_total');
    const eventTotal = [...events.values()].reduce((a, b) => a + b, 0);
    expect(eventTotal).toBe(sample(body, 'radar_indicator_events_last_sequence'));
    expect(eventTotal).toBeGreaterThan(0);
    expect(series(body, 'radar_consumer_lag').size).toBe(9);
    expect([...series(body, 'radar_consumer_lag').values()].every((lag) => lag === 0)).toBe(true);
    expect(sample(body, 'radar_batch_seconds_count')).toBeGreaterThan(0);
    expect(sample(body, 'radar_rule_evaluation_seconds_count')).toBe(
      sample(body, 'radar_batch_seconds_count'),
    );

    const handled = (method: string, code: string): number =>
      sample(body, `radar_grpc_server_handled_total{grpc_method="${method}",grpc_code="${code}"}`);
    expect(handled('ListIndicators', 'OK')).toBe(listCalls);
    expect(handled('GetHousehold', 'NOT_FOUND')).toBe(1);
    expect(
      sample(
        body,
        'radar_grpc_server_handling_seconds_count{grpc_method="ListIndicators",grpc_code="OK"}',
      ),
    ).toBe(listCalls);
    const auditLines = (await readFile(join(dir, 'audit.ndjson'), 'utf8')).trim().split('\n');
    expect(auditLines).toHaveLength(listCalls + 1);
    expect(sample(body, 'radar_audit_records_total{outcome="OK"}')).toBe(listCalls);
    expect(sample(body, 'radar_audit_records_total{outcome="NOT_FOUND"}')).toBe(1);

    const stopped = Date.now();
    service.kill('SIGTERM');
    expect((await exitOf(service, stopped)).code, service.output()).toBe(0);
  });

  it('on SIGTERM mid-ingestion finishes and commits its batch, ends a watch with UNAVAILABLE and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radar-ops-'));
    const config = await testConfig();
    const expected = await workload(config, 20_000, 29);
    await produce(config, expected.lines);
    const timeoutMs = 8000;
    const { ports, settings } = await operatorSettings(dir, { shutdown: { timeoutMs } });
    const configFile = await writeConfigFile(config, settings);
    let service = runner.start(configFile);

    const client = new RadarServiceClient(`127.0.0.1:${ports.api}`, credentials.createInsecure());
    const received: WatchIndicatorsResponse[] = [];
    let watchEnded: Promise<{ code: number }> | undefined;
    try {
      await waitFor(
        () =>
          new Promise<boolean>((resolve) =>
            client.waitForReady(Date.now() + 500, (error) => resolve(error === undefined)),
          ),
        { timeout: 60_000 },
      );
      const stream = client.watchIndicators(
        WatchIndicatorsRequest.fromPartial({ afterSequence: 0 }),
        metadata(),
      );
      stream.on('data', (event: WatchIndicatorsResponse) => received.push(event));
      watchEnded = new Promise((resolve) => {
        stream.on('error', (error: ServiceError) => resolve({ code: error.code }));
        stream.on('end', () => resolve({ code: status.OK }));
      });
      await waitFor(() => received.length > 0, { timeout: 60_000, delay: 10 });

      const progress = await groupProgress(admin, config.kafka.groupId, signalTopics(config));
      const signalled = Date.now();
      service.kill('SIGTERM');
      expect(await watchEnded).toEqual({ code: status.UNAVAILABLE });
      const exit = await exitOf(service, signalled);
      expect(exit.code, service.output()).toBe(0);
      expect(exit.ms).toBeLessThan(timeoutMs);
      console.log(
        `SIGTERM with ${progress.end - progress.committed} of ${progress.end} messages not yet committed; exited 0 after ${exit.ms} ms`,
      );
    } finally {
      client.close();
    }

    // What it stored is what it committed: the batch in hand was finished, not dropped.
    const stored = await readStore(config.dataDir);
    const committed = new Map<string, string>();
    for (const t of await admin.fetchOffsets({
      groupId: config.kafka.groupId,
      topics: signalTopics(config),
    })) {
      for (const p of t.partitions)
        if (Number(p.offset) >= 0) committed.set(`${t.topic}:${p.partition}`, p.offset);
    }
    expect(committed).toEqual(stored.offsets);
    expect(received.map((e) => e.sequence)).toEqual(
      Array.from({ length: received.length }, (_, i) => i + 1),
    );
    expect(received.length).toBeLessThanOrEqual(stored.lastSequence);

    // Started again, it redelivers nothing and ends with every signal counted once.
    service = runner.start(configFile);
    await waitFor(async () => (await get(ports.http, '/readyz'))?.status === 200, {
      timeout: 90_000,
      delay: 100,
    });
    const { body } = (await get(ports.http, '/metrics'))!;
    expect(sample(body, 'radar_signals_total{outcome="skipped"}')).toBe(0);
    expect(sample(body, 'radar_signals_total{outcome="accepted"}')).toBe(expected.accepted);
    expect(sample(body, 'radar_signals_total{outcome="duplicate"}')).toBe(expected.duplicates);
    const signalled = Date.now();
    service.kill('SIGTERM');
    expect((await exitOf(service, signalled)).code, service.output()).toBe(0);
  });

  it('on SIGTERM while its consumer waits to join the group after a SIGKILL, exits 0 without waiting for the join', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radar-ops-'));
    const config = await testConfig();
    await produce(config, [...generateSignalLines({ count: 500, seed: 31 })]);
    const timeoutMs = 8000;
    const { ports, settings } = await operatorSettings(dir, { shutdown: { timeoutMs } });
    const configFile = await writeConfigFile(config, settings);
    const killed = runner.start(configFile);
    await waitFor(async () => (await get(ports.http, '/readyz'))?.status === 200, {
      timeout: 60_000,
      delay: 100,
    });
    killed.kill('SIGKILL');
    await killed.exited;

    // The broker answers the new member's join only once the dead member's session has run out.
    const service = runner.start(configFile);
    await waitFor(async () => (await get(ports.http, '/readyz'))?.body.includes('STARTING'), {
      timeout: 30_000,
      delay: 50,
    });
    const signalled = Date.now();
    service.kill('SIGTERM');
    const exit = await exitOf(service, signalled);
    expect(exit.code, service.output()).toBe(0);
    expect(exit.ms).toBeLessThan(timeoutMs / 2);
    expect(service.output()).not.toContain('did not finish in time');
  });

  describe('when the graceful stop cannot finish (no broker answers)', () => {
    async function stuckService(
      timeoutMs: number,
    ): Promise<{ service: ServiceProcess; port: number }> {
      const dir = await mkdtemp(join(tmpdir(), 'radar-ops-'));
      const config = await testConfig();
      const { ports, settings } = await operatorSettings(dir, { shutdown: { timeoutMs } });
      // The environment wins over the file: no broker listens at this address.
      const service = runner.start(await writeConfigFile(config, settings), {
        KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      });
      await waitFor(async () => (await get(ports.http, '/readyz'))?.status === 503, {
        timeout: 30_000,
      });
      return { service, port: ports.http };
    }

    it('a second signal ends it at once, exit 1', async () => {
      const { service, port } = await stuckService(60_000);
      service.kill('SIGTERM');
      await waitFor(async () => (await get(port, '/readyz'))?.body.includes('SHUTTING_DOWN'), {
        timeout: 10_000,
      });
      const signalled = Date.now();
      service.kill('SIGTERM');
      const exit = await exitOf(service, signalled);
      expect(exit.code, service.output()).toBe(1);
      expect(exit.ms).toBeLessThan(5000);
      expect(service.output()).toContain('second signal');
    });

    it('the timeout ends it, exit 1', async () => {
      const { service } = await stuckService(1500);
      const signalled = Date.now();
      service.kill('SIGTERM');
      const exit = await exitOf(service, signalled);
      expect(exit.code, service.output()).toBe(1);
      expect(exit.ms).toBeGreaterThanOrEqual(1400);
      expect(exit.ms).toBeLessThan(6000);
      expect(service.output()).toContain('did not finish in time');
    });
  });
});
