/**
 * Starts the gRPC API next to a running service when the settings ask for
 * it, with its audit log, and stops both together. Given an audit log that
 * is open already (the service records its retention passes in it too),
 * the API writes to that one and leaves closing it to its owner.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApiMetrics } from '../api/call-metrics.js';
import type { ServingSource } from '../api/health.js';
import { startApiServer } from '../api/index.js';
import { AuditLog } from '../audit/index.js';
import type { RadarConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { RadarService } from '../service/service.js';

export interface ApiExtras {
  metrics?: ApiMetrics | undefined;
  /** Open already: the API writes to it and leaves closing it to its owner. */
  auditLog?: AuditLog | undefined;
  /**
   * What the gRPC health follows: the observability's readiness-based source
   * where there is one. @defaultValue the service's consumer, serving while in its group
   */
  serving?: ServingSource | undefined;
}

export interface RunningApi {
  port: number;
  /** @param graceMs see `ApiServer.stop` */
  stop(graceMs?: number): Promise<void>;
}

/** Opens the audit log at `path`, making its directory when missing. */
export async function openAuditLog(path: string): Promise<AuditLog> {
  await mkdir(dirname(path), { recursive: true });
  return AuditLog.open(path);
}

export async function startApi(
  config: RadarConfig['api'],
  service: RadarService,
  log: Logger,
  { metrics, auditLog: sharedAuditLog, serving = service.serving }: ApiExtras = {},
): Promise<RunningApi> {
  const auditLog = sharedAuditLog ?? (await openAuditLog(config.auditLog));
  const tls =
    config.insecure || config.tls === undefined
      ? ('insecure' as const)
      : {
          key: await readFile(config.tls.key),
          cert: await readFile(config.tls.cert),
          ca: await readFile(config.tls.ca),
        };
  const server = await startApiServer({
    state: () => service.state,
    tls,
    clients: config.clients,
    auditLog,
    port: config.port,
    maxMessageBytes: config.maxMessageBytes,
    logger: log,
    serving,
    ...(metrics !== undefined && { metrics }),
    ...(config.host !== undefined && { host: config.host }),
  });
  return {
    port: server.port,
    stop: async (graceMs) => {
      await server.stop(graceMs);
      if (sharedAuditLog === undefined) await auditLog.close();
    },
  };
}
