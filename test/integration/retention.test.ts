/**
 * Retention against the real broker and real LevelDB: a service folds part
 * of a shuffled, redelivered stream; its clock moves on so that half of the
 * history is past its retention; its periodic pass removes it, batch by
 * batch, while the rest of the stream arrives, expired signals and
 * redeliveries of removed ones among it. The
 * store must then be exactly `radar backtest` of the retained signals alone,
 * and the pass audited in counts, without an id.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigResourceTypes, Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/index.js';
import { replayLines } from '../../src/producers/replay.js';
import { pastRetention, retentionCutoff } from '../../src/service/retention.js';
import { RadarService } from '../../src/service/service.js';
import type { Signal } from '../../src/signals/types.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { runCli } from '../backtest/run-cli.js';
import { kafka, waitFor } from '../helpers/kafka.js';
import { testConfig, waitUntilConsumed } from './radar-service.js';
import { scenarioLines, scenarioRules, shuffle } from './signal-lines.js';

function oneYearAfter(iso: string): Date {
  const at = new Date(iso);
  at.setUTCFullYear(at.getUTCFullYear() + 1);
  return at;
}

describe('retention in the live service', () => {
  it('leaves the store as the backtest of the retained signals', async () => {
    const base = await testConfig({ rules: scenarioRules });
    const config = { ...base, retention: { years: 1, batchSize: 50, intervalMs: 1000 } };
    const lines = [
      ...scenarioLines(),
      ...generateSignalLines({ count: 1200, seed: 17, malformed: 0 }),
    ];
    const signals = lines.map((line) => JSON.parse(line) as Signal);
    const times = signals.flatMap((s) => (s.occurredAt === undefined ? [] : [s.occurredAt]));
    times.sort();
    const stream = shuffle([...lines, ...lines.filter((_, i) => i % 9 === 0)], 5);
    const first = stream.slice(0, Math.floor(stream.length * 0.6));
    const rest = [...stream.slice(first.length), ...shuffle(lines, 6).slice(0, 150)];

    // Nothing has expired at first; then the clock moves to a year after the median.
    let clock = oneYearAfter(times[0]!);
    clock.setUTCDate(clock.getUTCDate() - 1);
    const audit: AuditEntry[] = [];
    const service = new RadarService(config, pino({ level: 'silent' }), undefined, {
      now: () => clock,
      audit: { append: async (entry) => audit.push(entry) },
    });
    await service.start();
    // The signal topics it created keep every signal as long as the radar does.
    const admin = kafka().admin();
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: config.kafka.topics.meldingen,
          configNames: ['retention.ms', 'cleanup.policy'],
        },
      ],
    });
    await admin.disconnect();
    const settings = Object.fromEntries(
      (resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
    );
    expect(settings).toEqual({
      'retention.ms': String(366 * 86_400_000),
      'cleanup.policy': 'delete',
    });
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await replayLines(producer, first, config.kafka.topics, 200);
      await waitUntilConsumed(service, first.length);

      clock = oneYearAfter(times[Math.floor(times.length / 2)]!);
      const cutoff = retentionCutoff(clock, 1).getTime();
      const expiredIds = new Set(
        first
          .map((line) => JSON.parse(line) as Signal)
          .filter((s) => pastRetention(s, cutoff))
          .map((s) => s.id),
      );
      expect(expiredIds.size).toBeGreaterThan(100);
      await replayLines(producer, rest, config.kafka.topics, 200);
      await waitUntilConsumed(service, first.length + rest.length);
      await waitFor(() => service.status.counts.retentionRemoved === expiredIds.size, {
        timeout: 60_000,
        delay: 100,
      });
      // The pass audits once its last batch is stored: a moment after the count above.
      await waitFor(() => audit.length > 0, { timeout: 10_000, delay: 50 });
      const { counts } = service.status;
      const arrivedExpired = rest.filter((line) => pastRetention(JSON.parse(line), cutoff));
      expect(counts.expired).toBe(arrivedExpired.length);
      expect(counts.rejected).toBe(0);

      // Passes that found nothing are not audited; the one that removed is, once.
      expect(audit.map((e) => e.retention?.signalsRemoved)).toEqual([expiredIds.size]);
      const record = audit[0]!;
      expect(record).toMatchObject({ method: 'radar/Retention', households: [], indicators: [] });
      expect(record.retention?.cutoff).toBe(new Date(cutoff).toISOString());
      expect(record.retention?.householdsChanged).toBeGreaterThan(0);
      const text = JSON.stringify(record);
      for (const id of expiredIds) expect(text).not.toContain(id);
    } finally {
      await producer.disconnect();
      await service.stop();
    }

    const cutoff = retentionCutoff(clock, 1).getTime();
    const retained = lines.filter((line) => !pastRetention(JSON.parse(line), cutoff));
    const file = join(config.dataDir, 'retained.ndjson');
    await writeFile(file, retained.join('\n') + '\n');
    const backtest = await runCli(['backtest', '--signals', file, '--rules', config.rules]);
    const exported = await runCli(['export', '--data', config.dataDir]);
    expect(exported.code).toBe(0);
    expect(backtest.stdout).toContain('"type":"indicator"');
    expect(exported.stdout).toBe(backtest.stdout);
  }, 240_000);
});
