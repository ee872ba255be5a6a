/**
 * vitest globalSetup of the integration project: one Kafka broker for the
 * whole run, handed to tests through `inject('kafkaBrokers')`.
 *
 * In order: `KAFKA_BROKERS` when set (a broker you run yourself); a
 * testcontainers Kafka when a Docker engine answers; otherwise the Apache
 * Kafka jars run directly (src/broker), which needs only Java and Maven.
 * When none can work, the error says what to install.
 */
import { request } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import type { TestProject } from 'vitest/node';
import { startBroker, type RunningBroker } from '../../src/broker/index.js';

let broker: Pick<RunningBroker, 'brokers' | 'stop'> | undefined;

export async function setup(project: TestProject): Promise<void> {
  const fromEnv = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  if (fromEnv?.length) {
    await assertReachable(fromEnv);
    project.provide('kafkaBrokers', fromEnv);
    return;
  }
  try {
    broker = (await dockerEngineAnswers())
      ? await startContainer()
      : await startBroker({ log: (message) => console.log(`[kafka] ${message}`) });
  } catch (err) {
    throw new Error(
      'Integration tests need a Kafka broker: install Java 17+ and Maven 3 (the broker then runs from the ' +
        'Apache Kafka jars), or run a Docker engine, or start a broker yourself and set KAFKA_BROKERS=host:port.',
      { cause: err },
    );
  }
  project.provide('kafkaBrokers', broker.brokers);
}

export async function teardown(): Promise<void> {
  await broker?.stop();
}

async function assertReachable(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'radar-test-setup',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (err) {
    throw new Error(
      `KAFKA_BROKERS=${brokers.join(',')} does not answer; start that broker or unset KAFKA_BROKERS`,
      {
        cause: err,
      },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Asks the engine itself: a docker client is installed on hosts that have no engine. */
async function dockerEngineAnswers(): Promise<boolean> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  const target = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : { host: url.hostname, port: Number(url.port) };
  return new Promise((resolve) => {
    const ping = request({ ...target, path: '/_ping', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    ping.on('error', () => resolve(false));
    ping.on('timeout', () => ping.destroy());
    ping.end();
  });
}

/** Confluent's 7.9 image is Apache Kafka 3.9, the line kafkajs works with (see src/broker). */
async function startContainer(): Promise<Pick<RunningBroker, 'brokers' | 'stop'>> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
  console.log('[kafka] started a testcontainers Kafka');
  return {
    brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
    stop: async () => {
      await container.stop();
    },
  };
}
