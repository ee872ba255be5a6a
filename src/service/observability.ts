/**
 * The operator's view of a running service: the Prometheus metrics, the
 * consumer lag read from the broker, and readiness, served over plain HTTP
 * (`http` settings). Readiness tells the truth: not ready while starting,
 * while no consumer is in the group, while the lag is unknown or above
 * `http.readyMaxLag`, or once the shutdown has begun. The gRPC health follows
 * the same answer (`healthServing`), so it too says NOT_SERVING as soon as
 * the broker cannot be read, not only once the consumer has left its group.
 */
import type { ServingSource } from '../api/health.js';
import { startHttpHealth, type HttpHealthServer } from '../api/http-health.js';
import type { RadarConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { RadarMetrics } from '../metrics/index.js';
import { LagMonitor } from './lag-monitor.js';
import { healthServing, readiness, type Readiness } from './readiness.js';
import type { RadarService } from './service.js';

/** A lag read more than this many intervals ago is unknown. */
const STALE_INTERVALS = 3;

export interface ObservabilityOptions {
  config: RadarConfig;
  service: RadarService;
  /** True once the shutdown has begun. */
  stopping: () => boolean;
  log: Logger;
}

/** A serving flag that tells its listeners when it changes, and only then. */
class ServingFlag implements ServingSource {
  private value = false;
  private readonly listeners = new Set<(serving: boolean) => void>();

  get serving(): boolean {
    return this.value;
  }

  onChange(listener: (serving: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(serving: boolean): void {
    if (serving === this.value) return;
    this.value = serving;
    for (const listener of this.listeners) listener(serving);
  }
}

export class Observability {
  readonly metrics: RadarMetrics;
  private readonly lag: LagMonitor;
  private http: HttpHealthServer | undefined;
  private started = false;
  private readonly flag = new ServingFlag();
  private readonly stopFollowingConsumer: () => void;
  private rejudge: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly options: ObservabilityOptions) {
    const { config, service, log } = options;
    this.metrics = new RadarMetrics({
      dataDir: config.dataDir,
      totals: () => {
        // Undefined until the service has read its stored counters.
        if (!service.resumed) return undefined;
        const { counts, lastSequence } = service.status;
        return {
          counts,
          lastSequence,
          withdrawn: counts.withdrawn,
          signals: counts.accepted - counts.retentionRemoved,
          households: counts.households,
        };
      },
    });
    const { topics } = config.kafka;
    this.lag = new LagMonitor({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      groupId: config.kafka.groupId,
      topics: [topics.adviesvragen, topics.meldingen, topics.politie],
      intervalMs: config.http.lagIntervalMs,
      log: log.child({ component: 'lag' }),
      onReading: (reading) => {
        this.metrics.setLag(reading.partitions);
        this.judge();
      },
    });
    this.stopFollowingConsumer = service.serving.onChange(() => this.judge());
  }

  /**
   * For the gRPC health: serving by `healthServing` of the readiness, judged
   * again on every lag reading, every change of the consumer's membership,
   * the moment the last reading goes stale, and every lag interval besides
   * (the shutdown's start comes with no event). So it follows `/readyz`
   * closely, and the health service need not poll.
   */
  get serving(): ServingSource {
    return this.flag;
  }

  get port(): number | undefined {
    return this.http?.port;
  }

  /** Serves HTTP from now on; ready only after `serviceStarted`. */
  async listen(): Promise<void> {
    const { host, port } = this.options.config.http;
    this.http = await startHttpHealth({
      host,
      port,
      metrics: () => {
        this.metrics.setReady(this.readiness().ready);
        return this.metrics.scrape();
      },
      readiness: () => this.readiness(),
      log: this.options.log,
    });
  }

  /** The service has rebuilt its radar and launched its consumer: start reading the lag. */
  serviceStarted(): void {
    this.started = true;
    this.lag.start();
    this.judge();
  }

  readiness(): Readiness {
    const { http } = this.options.config;
    const reading = this.lag.latest;
    return readiness(
      {
        started: this.started,
        stopping: this.options.stopping(),
        consuming: this.options.service.serving.serving,
        lag: reading?.total,
        lagAgeMs: reading === undefined ? Infinity : Date.now() - reading.at,
      },
      { maxLag: http.readyMaxLag, maxLagAgeMs: STALE_INTERVALS * http.lagIntervalMs },
    );
  }

  private judge(): void {
    this.flag.set(healthServing(this.readiness()));
    clearTimeout(this.rejudge);
    if (!this.started || this.closing) return;
    const { lagIntervalMs } = this.options.config.http;
    const reading = this.lag.latest;
    const staleIn =
      reading === undefined
        ? Infinity
        : reading.at + STALE_INTERVALS * lagIntervalMs + 1 - Date.now();
    this.rejudge = setTimeout(
      () => this.judge(),
      staleIn > 0 ? Math.min(staleIn, lagIntervalMs) : lagIntervalMs,
    );
    this.rejudge.unref();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.rejudge);
    this.stopFollowingConsumer();
    await this.lag.stop();
    // After the last reading, which may have been on its way.
    this.flag.set(false);
    await this.http?.close();
  }
}
