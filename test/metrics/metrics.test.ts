import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noCounts } from '../../src/consumers/ingestor.js';
import { directoryBytes, RadarMetrics, type ServiceTotals } from '../../src/metrics/index.js';

/** The value of one sample line, `name{labels} value`, in the exposition text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  it('counts batches, rejections by reason, indicator events, calls and audit records', async () => {
    const metrics = new RadarMetrics({ defaultMetrics: false });
    const letter = (reason: string) => ({ headers: { 'radar-reason': reason } });
    metrics.batchDone(
      { deadLetters: [letter('MALFORMED'), letter('MALFORMED'), letter('BAD_VALUE')], events: [] },
      0.02,
      0.005,
    );
    metrics.batchDone(
      { deadLetters: [], events: [{ type: 'RAISED' }, { type: 'WITHDRAWN' }] },
      0.5,
      0,
    );
    metrics.call('ListIndicators', 'OK', 0.003);
    metrics.call('ListIndicators', 'OK', 0.004);
    metrics.call('GetHousehold', 'NOT_FOUND', 0.001);
    metrics.audited('OK');
    metrics.setLag([
      { topic: 'radar.meldingen', partition: 0, lag: 4 },
      { topic: 'radar.meldingen', partition: 1, lag: 0 },
    ]);
    const { body, contentType } = await metrics.scrape();
    expect(contentType).toMatch(/^text\/plain/);
    expect(sample(body, 'radar_signals_rejected_by_reason_total{reason="MALFORMED"}')).toBe(2);
    expect(sample(body, 'radar_signals_rejected_by_reason_total{reason="BAD_VALUE"}')).toBe(1);
    expect(sample(body, 'radar_indicator_events_total{type="RAISED"}')).toBe(1);
    expect(sample(body, 'radar_indicator_events_total{type="WITHDRAWN"}')).toBe(1);
    expect(sample(body, 'radar_batch_seconds_count')).toBe(2);
    expect(sample(body, 'radar_batch_seconds_bucket{le="0.025"}')).toBe(1);
    expect(sample(body, 'radar_rule_evaluation_seconds_count')).toBe(2);
    expect(
      sample(body, 'radar_grpc_server_handled_total{grpc_method="ListIndicators",grpc_code="OK"}'),
    ).toBe(2);
    expect(
      sample(
        body,
        'radar_grpc_server_handling_seconds_count{grpc_method="GetHousehold",grpc_code="NOT_FOUND"}',
      ),
    ).toBe(1);
    expect(sample(body, 'radar_audit_records_total{outcome="OK"}')).toBe(1);
    expect(sample(body, 'radar_consumer_lag{topic="radar.meldingen",partition="0"}')).toBe(4);
    // Before the service has started, the totals it restores from its store are not shown.
    expect(body).not.toMatch(/^radar_signals_total\{/m);
    metrics.setLag([{ topic: 'radar.meldingen', partition: 1, lag: 2 }]);
    const again = (await metrics.scrape()).body;
    expect(sample(again, 'radar_consumer_lag{topic="radar.meldingen",partition="0"}')).toBe(
      undefined,
    );
  });

  it('reads the service totals and the store size at each scrape', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radar-metrics-'));
    await writeFile(join(dir, 'a.ldb'), Buffer.alloc(1000));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'b'), Buffer.alloc(24));
    let totals: ServiceTotals = {
      counts: {
        ...noCounts(),
        accepted: 5,
        duplicates: 1,
        rejected: 2,
        expired: 4,
        retentionRemoved: 6,
      },
      withdrawn: 1,
      signals: 5,
      households: 3,
      lastSequence: 7,
    };
    const metrics = new RadarMetrics({ dataDir: dir, totals: () => totals, defaultMetrics: false });
    let body = (await metrics.scrape()).body;
    expect(sample(body, 'radar_signals_total{outcome="accepted"}')).toBe(5);
    expect(sample(body, 'radar_signals_total{outcome="duplicate"}')).toBe(1);
    expect(sample(body, 'radar_signals_total{outcome="rejected"}')).toBe(2);
    expect(sample(body, 'radar_signals_total{outcome="skipped"}')).toBe(0);
    expect(sample(body, 'radar_signals_total{outcome="expired"}')).toBe(4);
    expect(sample(body, 'radar_signals_removed_by_retention_total')).toBe(6);
    expect(sample(body, 'radar_signals_withdrawn_total')).toBe(1);
    expect(sample(body, 'radar_store_signals')).toBe(5);
    expect(sample(body, 'radar_households')).toBe(3);
    expect(sample(body, 'radar_indicator_events_last_sequence')).toBe(7);
    expect(sample(body, 'radar_store_bytes')).toBe(1024);
    totals = { ...totals, counts: { ...totals.counts, accepted: 9 } };
    body = (await metrics.scrape()).body;
    expect(sample(body, 'radar_signals_total{outcome="accepted"}')).toBe(9);
    expect(await directoryBytes(join(dir, 'missing'))).toBe(0);
  });
});
