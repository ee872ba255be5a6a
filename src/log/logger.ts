/**
 * Application logs: pino, one child logger per component. Logs never carry
 * personal data: code logs ids, counts and reason codes only, and as a second
 * line of defence any field named like personal data is censored.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

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
    destination,
  );
}
