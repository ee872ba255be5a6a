/**
 * The whole path a case system sees: signals on Kafka, `radar serve` with its
 * gRPC API over mutual TLS, a watch client that keeps following across a
 * restart of the service, and an audit log that verifies.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { connect, getHousehold, watchIndicators } from '../../examples/case-system-client.js';
import { makePki } from '../../src/api/dev-pki.js';
import { verifyAuditLog } from '../../src/audit/index.js';
import { freePort } from '../../src/broker/free-port.js';
import { startApi, type RunningApi } from '../../src/cli/api-runner.js';
import type { RadarConfig } from '../../src/config/config.js';
import { replayLines } from '../../src/producers/replay.js';
import type { RadarService } from '../../src/service/service.js';
import { openStore } from '../../src/store/index.js';
import { kafka, waitFor } from '../helpers/kafka.js';
import { startService, testConfig, waitUntilConsumed } from './radar-service.js';
import { scenarioDir, scenarioRules } from './signal-lines.js';

const CONTEXT = { user: 'j.devries', purpose: 'integratietest' };

async function scenario03(): Promise<Map<string, string>> {
  const text = await readFile(join(scenarioDir, '03-late-and-withdrawn.ndjson'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return new Map(lines.map((l) => [(JSON.parse(l) as { id: string }).id, l]));
}

describe('radar serve with its API', () => {
  it('serves what it ingests, and a watch misses nothing and sees nothing twice across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radar-e2e-'));
    const pki = makePki(dir, ['vt09-case-system']);
    const base = await testConfig({ rules: scenarioRules });
    const config: RadarConfig = {
      ...base,
      api: {
        ...base.api,
        enabled: true,
        host: '127.0.0.1',
        port: await freePort(),
        tls: {
          key: join(dir, 'server.key'),
          cert: join(dir, 'server.crt'),
          ca: join(dir, 'radar-dev-ca.crt'),
        },
        clients: { 'vt09-case-system': ['VT09'] },
        auditLog: join(dir, 'audit.ndjson'),
      },
    };
    const signals = await scenario03();
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const produce = (ids: string[]): Promise<unknown> =>
      replayLines(
        producer,
        ids.map((id) => signals.get(id)!),
        config.kafka.topics,
      );

    let service: RadarService = await startService(config, pino({ level: 'silent' }));
    let api: RunningApi = await startApi(config.api, service, pino({ level: 'silent' }));
    const client = connect({
      address: `localhost:${config.api.port}`,
      ca: pki.ca,
      cert: pki.clients['vt09-case-system']!.cert,
      key: pki.clients['vt09-case-system']!.key,
    });
    const received: number[] = [];
    const stop = new AbortController();
    const watching = watchIndicators(client, CONTEXT, {
      after: 0,
      signal: stop.signal,
      retryMs: 200,
      onEvent: (event) => void received.push(event.sequence),
    });

    try {
      await produce(['V-1', 'V-2', 'V-3']);
      await waitUntilConsumed(service, 3);
      await waitFor(() => received.length >= 1, { timeout: 30_000 });
      const beforeRestart = service.status.lastSequence;

      await api.stop();
      await service.stop();
      service = await startService(config, pino({ level: 'silent' }));
      api = await startApi(config.api, service, pino({ level: 'silent' }));

      await produce(['V-4', 'V-5', 'W-1']);
      await waitUntilConsumed(service, 6);
      const last = service.status.lastSequence;
      expect(last).toBeGreaterThan(beforeRestart);
      await waitFor(() => received.at(-1) === last, { timeout: 30_000 });
      expect(received).toEqual(Array.from({ length: last }, (_, i) => i + 1));

      const { households } = await getHousehold(client, { bsn: '111222333' }, CONTEXT);
      expect(households).toHaveLength(1);
      expect(households[0]!.timeline.map((s) => s.signalId).sort()).toEqual([
        'V-1',
        'V-3',
        'V-4',
        'V-5',
      ]);
      expect(households[0]!.indicators.filter((i) => i.active).map((i) => i.indicatorId)).toEqual([
        'herhaald-partnergeweld/V-4',
      ]);
    } finally {
      stop.abort();
      await watching;
      client.close();
      await producer.disconnect();
      await api.stop();
      await service.stop();
    }

    const verification = await verifyAuditLog(config.api.auditLog);
    expect(verification).toMatchObject({ ok: true });
    const audit = (await readFile(config.api.auditLog, 'utf8')).trim().split('\n');
    expect(
      audit.some((l) => l.includes('GetHousehold') && l.includes('herhaald-partnergeweld/V-4')),
    ).toBe(true);
    expect(audit.every((l) => !l.includes('111222333'))).toBe(true);
    const store = await openStore({ dataDir: config.dataDir, createIfMissing: false });
    try {
      expect(await store.lastSequence()).toBe(received.length);
    } finally {
      await store.close();
    }
  });
});
