/**
 * The service's Prometheus metrics, one registry per process. Every name
 * starts with `radar_`, next to prom-client's standard `process_*` and
 * `nodejs_*`. Labels carry topics, partitions, reason codes, gRPC methods and
 * status names: never an id, a BSN, a name or anything a person could be
 * found by. What each metric means is listed in docs/operating.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiMetrics } from '../api/call-metrics.js';
import type { BatchCounts } from '../consumers/ingestor.js';
import { directoryBytes } from './store-size.js';

/** What the metrics read off a batch the service has stored and committed. */
export interface BatchOutcome {
  deadLetters: readonly { headers: Readonly<Record<string, string>> }[];
  events: readonly { type: string }[];
}

/** Totals read at each scrape; those the service restores from its store count from its first start. */
export interface ServiceTotals {
  counts: BatchCounts;
  /** Accepted signals that an accepted signal retracts. */
  withdrawn: number;
  /** Signals in the radar now (accepted, counted once). */
  signals: number;
  households: number;
  lastSequence: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

export interface RadarMetricsOptions {
  /** The LevelDB directory whose size `radar_store_bytes` reports. */
  dataDir?: string;
  /** Read at each scrape; before the service has started it may return undefined. */
  totals?: () => ServiceTotals | undefined;
  /** prom-client's process and Node.js metrics. @defaultValue true */
  defaultMetrics?: boolean;
}

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const OUTCOMES: readonly [string, keyof BatchCounts][] = [
  ['accepted', 'accepted'],
  ['duplicate', 'duplicates'],
  ['rejected', 'rejected'],
  ['skipped', 'skipped'],
  ['expired', 'expired'],
];

/** What the service tells the metrics of each batch it has stored and committed. */
export interface BatchMetrics {
  batchDone(batch: BatchOutcome, seconds: number, evaluationSeconds: number): void;
  /** A retention batch stored: its indicator events count as any batch's. */
  retentionDone?(batch: Pick<BatchOutcome, 'events'>): void;
}

export class RadarMetrics implements ApiMetrics, BatchMetrics {
  readonly registry = new Registry();
  private readonly rejected: Counter<'reason'>;
  private readonly indicatorEvents: Counter<'type'>;
  private readonly batchSeconds: Histogram;
  private readonly evaluationSeconds: Histogram;
  private readonly lag: Gauge<'topic' | 'partition'>;
  private readonly grpcHandled: Counter<'grpc_method' | 'grpc_code'>;
  private readonly grpcSeconds: Histogram<'grpc_method' | 'grpc_code'>;
  private readonly audit: Counter<'outcome'>;
  private readonly ready: Gauge;

  constructor(options: RadarMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const totals = options.totals ?? (() => undefined);

    new Counter({
      name: 'radar_signals_total',
      help: 'Signal messages consumed, by outcome, since the store was created (skipped: redelivered below a stored offset; expired: arrived past the retention, not folded)',
      labelNames: ['outcome'],
      registers,
      collect() {
        const now = totals();
        if (now === undefined) return;
        this.reset();
        for (const [outcome, key] of OUTCOMES) this.inc({ outcome }, now.counts[key]);
      },
    });
    new Counter({
      name: 'radar_signals_withdrawn_total',
      help: 'Accepted signals that an accepted signal retracts, since the store was created',
      registers,
      collect() {
        const now = totals();
        if (now === undefined) return;
        this.reset();
        this.inc(now.withdrawn);
      },
    });
    new Counter({
      name: 'radar_signals_removed_by_retention_total',
      help: 'Signals removed from the store because they occurred before now minus the retention, since the store was created',
      registers,
      collect() {
        const now = totals();
        if (now === undefined) return;
        this.reset();
        this.inc(now.counts.retentionRemoved);
      },
    });
    this.rejected = new Counter({
      name: 'radar_signals_rejected_by_reason_total',
      help: 'Messages sent to the dead-letter topic, by reason code, since the process started',
      labelNames: ['reason'],
      registers,
    });
    this.indicatorEvents = new Counter({
      name: 'radar_indicator_events_total',
      help: 'Indicator events stored, by type (RAISED, UPDATED, WITHDRAWN), since the process started',
      labelNames: ['type'],
      registers,
    });
    new Gauge({
      name: 'radar_indicator_events_last_sequence',
      help: 'Sequence number of the last indicator event stored',
      registers,
      collect() {
        const now = totals();
        if (now !== undefined) this.set(now.lastSequence);
      },
    });
    this.batchSeconds = new Histogram({
      name: 'radar_batch_seconds',
      help: 'One Kafka batch from decoding to committed offsets: fold, dead letters, store write, events produced',
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.evaluationSeconds = new Histogram({
      name: 'radar_rule_evaluation_seconds',
      help: "Evaluating the rules on one batch's changed households",
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.lag = new Gauge({
      name: 'radar_consumer_lag',
      help: "Messages on a signal partition after the group's committed offset, as last read from the broker",
      labelNames: ['topic', 'partition'],
      registers,
    });
    new Gauge({
      name: 'radar_store_bytes',
      help: 'Bytes the LevelDB data directory takes on disk',
      registers,
      async collect() {
        if (options.dataDir !== undefined) this.set(await directoryBytes(options.dataDir));
      },
    });
    new Gauge({
      name: 'radar_store_signals',
      help: 'Signals held (accepted, each once)',
      registers,
      collect() {
        const now = totals();
        if (now !== undefined) this.set(now.signals);
      },
    });
    new Gauge({
      name: 'radar_households',
      help: 'Households the signals form',
      registers,
      collect() {
        const now = totals();
        if (now !== undefined) this.set(now.households);
      },
    });
    this.grpcHandled = new Counter({
      name: 'radar_grpc_server_handled_total',
      help: 'radar.v1.RadarService calls completed, by method and gRPC status',
      labelNames: ['grpc_method', 'grpc_code'],
      registers,
    });
    this.grpcSeconds = new Histogram({
      name: 'radar_grpc_server_handling_seconds',
      help: 'radar.v1.RadarService call time, by method and gRPC status (a watch: its whole stream)',
      labelNames: ['grpc_method', 'grpc_code'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.audit = new Counter({
      name: 'radar_audit_records_total',
      help: 'Records appended to the audit log, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.ready = new Gauge({
      name: 'radar_ready',
      help: '1 while /readyz answers ready, else 0',
      registers,
    });
  }

  batchDone(batch: BatchOutcome, seconds: number, evaluationSeconds: number): void {
    for (const letter of batch.deadLetters)
      this.rejected.inc({ reason: letter.headers['radar-reason'] ?? 'UNKNOWN' });
    for (const event of batch.events) this.indicatorEvents.inc({ type: event.type });
    this.batchSeconds.observe(seconds);
    this.evaluationSeconds.observe(evaluationSeconds);
  }

  retentionDone(batch: Pick<BatchOutcome, 'events'>): void {
    for (const event of batch.events) this.indicatorEvents.inc({ type: event.type });
  }

  /** Replaces every partition's lag: partitions no longer read disappear. */
  setLag(partitions: readonly PartitionLag[]): void {
    this.lag.reset();
    for (const p of partitions)
      this.lag.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
  }

  setReady(ready: boolean): void {
    this.ready.set(ready ? 1 : 0);
  }

  call(method: string, code: string, seconds: number): void {
    const labels = { grpc_method: method, grpc_code: code };
    this.grpcHandled.inc(labels);
    this.grpcSeconds.observe(labels, seconds);
  }

  audited(outcome: string): void {
    this.audit.inc({ outcome });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
