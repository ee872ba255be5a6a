/**
 * Application logs: pino, one child logger per component. Logs never carry
 * personal data: code logs ids, counts and reason codes only, and as a second
 * line of defence any field named like personal data is censored.
 *
 * On a terminal the lines are printed for a person to read (pino-pretty);
 * anywhere else they stay JSON, one object a line, for the log collector.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

const PERSONAL_FIELDS = [
  'bsn',
  'familyName',
  'initials',
  'birthDate',
  'persons',
  'address',
  'signal',
];

/**
 * Human-readable lines, one a log entry, written synchronously so that the
 * last lines before an exit are not lost. Censoring happens before a line
 * gets here: it is pino's serializing that removes personal fields.
 */
export function prettyDestination(
  out: NodeJS.WritableStream | number = 1,
  colorize = out === 1 && process.stdout.isTTY,
): DestinationStream {
  return pretty({
    destination: out,
    sync: true,
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    ignore: 'pid,hostname,name',
  });
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'radar',
      level,
      redact: {
        paths: [...PERSONAL_FIELDS, ...PERSONAL_FIELDS.map((f) => `*.${f}`)],
        censor: '[personal data removed]',
      },
    },
    destination ?? (process.stdout.isTTY ? prettyDestination() : undefined),
  );
}
