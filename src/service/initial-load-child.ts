/**
 * The initial load in a process of its own (see initial-load-process.ts):
 * it makes its own Kafka client and reads the rules itself, and sends its
 * log lines and its outcome to the service that started it. It ends when
 * the load does, and when the service goes away: a load no one waits for
 * is discarded at the next start anyway.
 */
import { Kafka, logLevel } from 'kafkajs';
import { RadarError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { loadRuleset } from '../rules/index.js';
import { loadInitialBacklog } from './initial-load.js';
import type { LoadReply, LoadRequest } from './initial-load-process.js';
import { kafkaLogCreator } from './kafka-log.js';

const send = process.send?.bind(process);
if (send === undefined) {
  throw new RadarError(
    'WORKER_FAILED',
    'the initial load script runs as a child of radar serve only',
  );
}
const reply = (message: LoadReply, then?: () => void): void => {
  send(message, undefined, undefined, then);
};
process.on('disconnect', () => process.exit(1));

async function load({ config, nowMs, level }: LoadRequest): Promise<void> {
  const log = createLogger(level, { write: (line: string) => reply({ type: 'log', line }) });
  const kafka = new Kafka({
    clientId: `${config.kafka.clientId}-load`,
    brokers: config.kafka.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(log),
  });
  const summary = await loadInitialBacklog({
    config,
    kafka,
    ruleset: await loadRuleset(config.rules),
    log,
    now: new Date(nowMs),
  });
  reply({ type: 'done', loaded: summary !== undefined }, () => process.exit(0));
}

process.once('message', (request: LoadRequest) => {
  load(request).catch((error: unknown) => {
    const { message, code } = error as { message?: string; code?: unknown };
    reply(
      {
        type: 'failed',
        message: message ?? String(error),
        ...(typeof code === 'string' && { code }),
      },
      () => process.exit(1),
    );
  });
});
