/**
 * The newcomer's one command: a broker (embedded unless KAFKA_BROKERS names
 * one), the topics, a synthetic signal stream replayed into them, and the
 * service consuming it, with a summary of what to look at next.
 */
import { Kafka, logLevel } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolve } from 'node:path';
import { startBroker, type RunningBroker } from '../broker/index.js';
import { configFromEnv, resolveConfig } from '../config/config.js';
import { createLogger } from '../log/logger.js';
import { replayLines } from '../producers/replay.js';
import { RadarService } from '../service/service.js';
import { generateSignalLines } from '../synthetic/generate.js';
import { startApi } from './api-runner.js';
import type { CliIo } from './io.js';

export interface DemoOptions {
  count: number;
  data: string;
}

export async function demoCommand(options: DemoOptions, io: CliIo): Promise<number> {
  const say = (text: string): void => void io.stderr.write(`${text}\n`);
  const env = configFromEnv(process.env);
  let broker: RunningBroker | undefined;
  let brokers = env.kafka?.brokers;
  if (brokers === undefined) {
    say(
      'No KAFKA_BROKERS set: starting an embedded Apache Kafka broker (the first run downloads its jars with Maven)…',
    );
    broker = await startBroker({ dataDir: resolve('.radar/kafka'), log: say });
    brokers = broker.brokers;
    say(`Kafka is up at ${brokers.join(',')}`);
  }
  try {
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
    const service = new RadarService(config, log);
    await service.start();
    const api = await startApi(config.api, service, log);

    const kafka = new Kafka({ clientId: 'radar-demo', brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const sent = await replayLines(
      producer,
      generateSignalLines({ count: options.count }),
      config.kafka.topics,
    );
    await producer.disconnect();
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    say(
      `Replayed ${total} synthetic signals: ${[...sent].map(([t, n]) => `${n} to ${t}`).join(', ')}.`,
    );

    const seen = (): number => {
      const c = service.status.counts;
      return c.accepted + c.duplicates + c.rejected + c.skipped;
    };
    const deadline = Date.now() + 120_000;
    while (seen() < total && Date.now() < deadline) await sleep(250);
    const { counts, lastSequence } = service.status;
    const { radar } = service.state;
    say(
      [
        '',
        `radar has consumed the stream: ${counts.accepted} signals accepted, ${counts.duplicates} redeliveries ignored, ` +
          `${counts.rejected} rejected to ${config.kafka.topics.dlq}.`,
        `${radar.households.size} households, ${[...radar.indicators()].length} indicators, ${lastSequence} indicator events on ${config.kafka.topics.indicators}.`,
        '',
        'Look next at:',
        `  - the dead letters and indicator events:  KAFKA_BROKERS=${brokers.join(',')} (any Kafka client, e.g. kafka-console-consumer)`,
        `  - the gRPC API (plaintext, demo only):  grpcurl -plaintext -H 'x-radar-client: demo' -H 'x-radar-user: you' -H 'x-radar-purpose: demo' localhost:${api.port} list radar.v1.RadarService`,
        `    e.g. grpcurl -plaintext -H 'x-radar-client: demo' -H 'x-radar-user: you' -H 'x-radar-purpose: demo' -d '{"region":"VT09","page_size":3}' localhost:${api.port} radar.v1.RadarService/SearchHouseholds`,
        `  - the stored radar, after stopping (Ctrl-C):  npx radar export --data ${options.data}`,
        `  - the same signals as a backtest:  npx radar backtest --signals <file> --rules rules/`,
        '',
        'The service keeps consuming; press Ctrl-C to stop.',
      ].join('\n'),
    );
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
    await api.stop();
    await service.stop();
    return 0;
  } finally {
    await broker?.stop();
  }
}
