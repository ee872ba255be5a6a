import {
  configFromEnv,
  readConfigFile,
  resolveConfig,
  type RadarConfigInput,
} from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { RadarService } from '../service/service.js';
import { startApi } from './api-runner.js';

export interface ServeOptions {
  config?: string;
  data?: string;
  rules?: string;
  group?: string;
}

/**
 * Runs the service until SIGINT or SIGTERM, or until its consumer keeps
 * crashing (`CONSUMER_FAILED`, exit 1), so that a supervisor restarts it.
 */
export async function serveCommand(options: ServeOptions): Promise<number> {
  const flags: RadarConfigInput = {
    ...(options.data !== undefined && { dataDir: options.data }),
    ...(options.rules !== undefined && { rules: options.rules }),
    ...(options.group !== undefined && { kafka: { groupId: options.group } }),
  };
  const file = options.config ?? process.env.RADAR_CONFIG;
  const config = resolveConfig(
    file === undefined ? {} : readConfigFile(file),
    configFromEnv(process.env),
    flags,
  );
  const log = createLogger(config.log.level);
  const service = new RadarService(config, log);
  // The API reads the store alone, so it answers from the moment the store is open.
  await service.open();
  const api = config.api.enabled ? await startApi(config.api, service, log) : undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  try {
    await service.start();
    await Promise.race([stopped, service.failed]);
  } finally {
    log.info(service.status, 'stopping');
    await api?.stop();
    await service.stop();
  }
  return 0;
}
