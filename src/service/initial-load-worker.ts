/**
 * The initial load in a thread of its own (see initial-load-thread.ts): it
 * makes its own Kafka client and reads the rules itself, and sends its log
 * lines and its outcome to the thread that started it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import type { RadarConfig } from '../config/config.js';
import { RadarError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { loadRuleset } from '../rules/index.js';
import { loadInitialBacklog } from './initial-load.js';
import type { LoadReply, LoadRequest } from './initial-load-thread.js';
import { kafkaLogCreator } from './kafka-log.js';

if (parentPort === null) {
  throw new RadarError(
    'WORKER_FAILED',
    'the initial load worker script runs in a worker thread only',
  );
}
const port = parentPort;
const reply = (message: LoadReply): void => port.postMessage(message);

const { config, nowMs, level } = workerData as LoadRequest;
const log = createLogger(level, { write: (line: string) => reply({ type: 'log', line }) });

async function load(config: RadarConfig): Promise<void> {
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
  reply({ type: 'done', loaded: summary !== undefined });
}

load(config).catch((error: unknown) => {
  const { message, code } = error as { message?: string; code?: unknown };
  reply({
    type: 'failed',
    message: message ?? String(error),
    ...(typeof code === 'string' && { code }),
  });
});
