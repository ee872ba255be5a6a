/**
 * Starts the gRPC API next to a running service when the settings ask for
 * it, with its audit log, and stops both together.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApiMetrics } from '../api/call-metrics.js';
import { startApiServer } from '../api/index.js';
import { AuditLog } from '../audit/index.js';
import type { RadarConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { RadarService } from '../service/service.js';

export interface RunningApi {
  port: number;
  /** @param graceMs see `ApiServer.stop` */
  stop(graceMs?: number): Promise<void>;
}

export async function startApi(
  config: RadarConfig['api'],
  service: RadarService,
  log: Logger,
  metrics?: ApiMetrics,
): Promise<RunningApi> {
  await mkdir(dirname(config.auditLog), { recursive: true });
  const auditLog = await AuditLog.open(config.auditLog);
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
    serving: service.serving,
    ...(metrics !== undefined && { metrics }),
    ...(config.host !== undefined && { host: config.host }),
  });
  return {
    port: server.port,
    stop: async (graceMs) => {
      await server.stop(graceMs);
      await auditLog.close();
    },
  };
}
