import { createLogger } from '../log/logger.js';
import { Shutdown } from '../service/lifecycle.js';
import { Observability } from '../service/observability.js';
import { RadarService } from '../service/service.js';
import { openAuditLog, startApi, type RunningApi } from './api-runner.js';
import { serviceSettings, type ServiceFlags } from './service-settings.js';

export type ServeOptions = ServiceFlags;

/**
 * Runs the service until SIGINT or SIGTERM, or until its consumer keeps
 * crashing (`CONSUMER_FAILED`, exit 1), so that a supervisor restarts it.
 * The stop is graceful and bounded (see service/lifecycle.ts): readiness
 * goes first, then fetching stops and the batch in hand is committed while
 * the API ends its watches with UNAVAILABLE, then the store closes.
 */
export async function serveCommand(options: ServeOptions): Promise<number> {
  const config = serviceSettings(options);
  const log = createLogger(config.log.level);
  const shutdown = new Shutdown({
    timeoutMs: config.shutdown.timeoutMs,
    log,
    exit: (code) => process.exit(code),
  });
  let observability: Observability | undefined;
  // One audit log for the API's reads and the service's retention passes: one hash chain.
  const auditLog = await openAuditLog(config.api.auditLog);
  const service = new RadarService(
    config,
    log,
    {
      batchDone: (...args) => observability?.metrics.batchDone(...args),
      retentionDone: (...args) => observability?.metrics.retentionDone(...args),
    },
    { audit: auditLog },
  );
  if (config.http.enabled) {
    observability = new Observability({ config, service, stopping: () => shutdown.stopping, log });
  }
  let api: RunningApi | undefined;
  let failure: { error: unknown } | undefined;
  try {
    await observability?.listen();
    // The API reads the store alone, so it answers from the moment the store is open.
    await service.open();
    // With the lag read, health follows readiness (a broker that cannot be read is no serving);
    // without it, health follows the consumer's membership alone.
    if (config.api.enabled)
      api = await startApi(config.api, service, log, {
        metrics: observability?.metrics,
        auditLog,
        serving: observability?.serving,
      });
    // A signal while it starts (a consumer can wait long to join its group) stops it as well.
    await Promise.race([service.start(), shutdown.requested]);
    if (!shutdown.stopping) {
      observability?.serviceStarted();
      await Promise.race([shutdown.requested, service.failed]);
    }
  } catch (error) {
    failure = { error };
  }
  shutdown.begin();
  log.info(service.status, 'stopping');
  try {
    // Half the bound for the API's drain leaves the rest for closing the store and the producer.
    await Promise.all([api?.stop(config.shutdown.timeoutMs / 2), service.stopConsuming()]);
    await service.stop();
    await auditLog.close();
    await observability?.close();
  } catch (error) {
    failure ??= { error };
  }
  shutdown.finished();
  if (failure !== undefined) throw failure.error;
  log.info('stopped');
  return 0;
}
