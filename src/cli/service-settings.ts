/**
 * The settings of the service as `radar serve` and `radar rebuild` both read
 * them: a file (`--config` or RADAR_CONFIG), the environment, then flags.
 * One reading, so a rebuild makes the store the service would use.
 */
import {
  configFromEnv,
  readConfigFile,
  resolveConfig,
  type RadarConfig,
  type RadarConfigInput,
} from '../config/config.js';

export interface ServiceFlags {
  config?: string;
  data?: string;
  rules?: string;
  group?: string;
}

export function serviceSettings(options: ServiceFlags): RadarConfig {
  const flags: RadarConfigInput = {
    ...(options.data !== undefined && { dataDir: options.data }),
    ...(options.rules !== undefined && { rules: options.rules }),
    ...(options.group !== undefined && { kafka: { groupId: options.group } }),
  };
  const file = options.config ?? process.env.RADAR_CONFIG;
  return resolveConfig(
    file === undefined ? {} : readConfigFile(file),
    configFromEnv(process.env),
    flags,
  );
}
