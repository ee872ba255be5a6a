import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../log/logger.js';

/**
 * Errors kafkajs logs at ERROR on its way to retrying them: a fresh broker
 * answers so while it elects coordinators and leaders. They say nothing an
 * operator must act on (a request that keeps failing ends in a crash of its
 * own, which the supervisor reports), so they go to debug.
 */
const RETRIED_WHILE_STARTING = [
  'The coordinator is loading',
  'The group coordinator is not available',
  'There is no leader for this topic-partition',
  'This server is not the leader',
];

function retriedWhileStarting(error: unknown): boolean {
  return typeof error === 'string' && RETRIED_WHILE_STARTING.some((m) => error.startsWith(m));
}

/** Routes kafkajs' own logging into the service's pino logger. */
export function kafkaLogCreator(log: Logger): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, broker, error }: { message: string; broker?: unknown; error?: unknown } =
        entry;
      const fields = { namespace, broker, error };
      if (level === logLevel.ERROR && !retriedWhileStarting(error)) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else if (level === logLevel.INFO) log.info(fields, message);
      else log.debug(fields, message);
    };
}
