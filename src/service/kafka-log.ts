import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../log/logger.js';

/** Routes kafkajs' own logging into the service's pino logger. */
export function kafkaLogCreator(log: Logger): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, broker, error }: { message: string; broker?: unknown; error?: unknown } =
        entry;
      const fields = { namespace, broker, error };
      if (level === logLevel.ERROR) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else if (level === logLevel.INFO) log.info(fields, message);
      else log.debug(fields, message);
    };
}
