/**
 * vitest globalSetup of the integration project: one Kafka broker for the
 * whole run, handed to tests through `inject('kafkaBrokers')`.
 *
 * `KAFKA_BROKERS` wins when set (a broker you run yourself, e.g. in Docker).
 * Otherwise the Apache Kafka jars are run directly (src/broker): that only
 * needs Java and Maven, so it works on hosts without a Docker engine as well
 * as with one, and there is a single way to get a broker to keep working.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { TestProject } from 'vitest/node';
import { startBroker, type RunningBroker } from '../../src/broker/index.js';

let broker: RunningBroker | undefined;

export async function setup(project: TestProject): Promise<void> {
  const fromEnv = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  if (fromEnv?.length) {
    await assertReachable(fromEnv);
    project.provide('kafkaBrokers', fromEnv);
    return;
  }
  try {
    broker = await startBroker({ log: (message) => console.log(`[kafka] ${message}`) });
  } catch (err) {
    throw new Error(
      'Integration tests need a Kafka broker: install Java 17+ and Maven 3 (the broker then runs from the ' +
        'Apache Kafka jars), or start a broker yourself and set KAFKA_BROKERS=host:port.',
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
