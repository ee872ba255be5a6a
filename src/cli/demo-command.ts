/**
 * The newcomer's one command: a broker (embedded unless KAFKA_BROKERS names
 * one), the topics, a synthetic signal stream replayed into them, and the
 * service consuming it, with a summary of what to look at next.
 *
 * On Ctrl-C or SIGTERM it stops in the order things depend on each other:
 * the API, then the service, then the broker. The embedded broker runs in a
 * process group of its own so that the terminal's Ctrl-C does not reach it
 * first, which left the service logging connection errors on its way out.
 */
import { Kafka, logLevel } from 'kafkajs';
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { startBroker, type RunningBroker } from '../broker/index.js';
import { configFromEnv, resolveConfig } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { replayLines } from '../producers/replay.js';
import { RadarService } from '../service/service.js';
import { generateSignalLines } from '../synthetic/generate.js';
import { startApi, type RunningApi } from './api-runner.js';
import type { CliIo } from './io.js';

export interface DemoOptions {
  count: number;
  data: string;
}

/** Beside the embedded broker's data, which git and the store both leave alone. */
const DEMO_DIR = '.radar';
const SIGNALS_FILE = `${DEMO_DIR}/demo-signals.ndjson`;

/** A path as a command typed in this directory takes it: relative when it is below it. */
function typed(path: string): string {
  const below = relative(process.cwd(), path);
  return below !== '' && !below.startsWith('..') && !isAbsolute(below) ? below : path;
}

export async function demoCommand(options: DemoOptions, io: CliIo): Promise<number> {
  const say = (text: string): void => void io.stderr.write(`${text}\n`);
  let broker: RunningBroker | undefined;
  let service: RadarService | undefined;
  let api: RunningApi | undefined;

  // Handled from the first moment: the broker's JVM does not get the terminal's signals, so this
  // process must live to stop it. A second Ctrl-C stops the broker at once and leaves.
  let stopRequested = false;
  let requestStop = (): void => {};
  const stopped = new Promise<void>((done) => (requestStop = done));
  const onSignal = (): void => {
    if (!stopRequested) {
      stopRequested = true;
      say('Stopping: the API, then the service, then the broker…');
      requestStop();
      return;
    }
    void broker?.stop();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const env = configFromEnv(process.env);
    let brokers = env.kafka?.brokers;
    if (brokers === undefined) {
      say(
        'No KAFKA_BROKERS set: starting an embedded Apache Kafka broker (the first run downloads its jars with Maven)…',
      );
      broker = await startBroker({
        dataDir: resolve(DEMO_DIR, 'kafka'),
        log: say,
        ownProcessGroup: true,
      });
      brokers = broker.brokers;
      say(`Kafka is up at ${brokers.join(',')}`);
    }
    if (stopRequested) return 0;

    // The demo's API is plaintext on loopback with one client that sees every
    // region: fine for a laptop, and the server says so loudly at start.
    const config = resolveConfig(
      {
        dataDir: options.data,
        api: {
          enabled: true,
          insecure: true,
          clients: {
            demo: Array.from({ length: 26 }, (_, i) => `VT${String(i + 1).padStart(2, '0')}`),
          },
        },
      },
      env,
      { kafka: { brokers } },
    );
    const log = createLogger(config.log.level);
    service = new RadarService(config, log);
    await service.open();
    api = await startApi(config.api, service, log);
    await service.start();
    if (stopRequested) return 0;

    // The stream is kept in a file too, so that the backtest the summary suggests reads the same signals.
    const lines = [...generateSignalLines({ count: options.count })];
    const signalsFile = resolve(SIGNALS_FILE);
    await mkdir(dirname(signalsFile), { recursive: true });
    await writeFile(signalsFile, lines.map((line) => `${line}\n`).join(''));
    const kafka = new Kafka({ clientId: 'radar-demo', brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const sent = await replayLines(producer, lines, config.kafka.topics).finally(() =>
      producer.disconnect(),
    );
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    say(
      `Replayed ${total} synthetic signals: ${[...sent].map(([t, n]) => `${n} to ${t}`).join(', ')}.`,
    );

    const running = service;
    const seen = (): number => {
      const c = running.status.counts;
      return c.accepted + c.duplicates + c.rejected + c.skipped;
    };
    const deadline = Date.now() + 120_000;
    while (seen() < total && Date.now() < deadline && !stopRequested) await sleep(250);
    if (stopRequested) return 0;
    const { counts, lastSequence } = service.status;
    const { store } = service.state;
    let households = 0;
    for await (const _ of store.households()) households++;
    let indicators = 0;
    for await (const _ of store.indicators()) indicators++;
    say(
      [
        '',
        `radar has consumed the stream: ${counts.accepted} signals accepted, ${counts.duplicates} redeliveries ignored, ` +
          `${counts.rejected} rejected to ${config.kafka.topics.dlq}.`,
        `${households} households, ${indicators} indicators, ${lastSequence} indicator events on ${config.kafka.topics.indicators}.`,
        '',
        'Look next at:',
        `  - the dead letters and indicator events:  KAFKA_BROKERS=${brokers.join(',')} (any Kafka client, e.g. kafka-console-consumer)`,
        `  - the gRPC API (plaintext, demo only):  grpcurl -plaintext -H 'x-radar-client: demo' -H 'x-radar-user: you' -H 'x-radar-purpose: demo' localhost:${api.port} list radar.v1.RadarService`,
        `    e.g. grpcurl -plaintext -H 'x-radar-client: demo' -H 'x-radar-user: you' -H 'x-radar-purpose: demo' -d '{"region":"VT09","page_size":3}' localhost:${api.port} radar.v1.RadarService/SearchHouseholds`,
        `  - the stored radar, after stopping (Ctrl-C):  npx radar export --data ${options.data}`,
        `  - the same signals as a backtest:  npx radar backtest --signals ${SIGNALS_FILE} --rules ${typed(config.rules)}`,
        '',
        'The service keeps consuming; press Ctrl-C to stop.',
      ].join('\n'),
    );
    await Promise.race([stopped, service.failed]);
    return 0;
  } finally {
    await api?.stop();
    await service?.stop();
    await broker?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
