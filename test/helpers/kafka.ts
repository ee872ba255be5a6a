/**
 * The one place integration tests get a Kafka broker and the small tools to
 * use it. The broker is started once per run by test/setup/kafka.global.ts;
 * tests isolate themselves with random topic and group names, never by
 * cleaning up after each other.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, KafkaJSProtocolError, logLevel } from 'kafkajs';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

/** The brokers the global setup provided, or `KAFKA_BROKERS` when run without it. */
export function brokers(): string[] {
  const provided = inject('kafkaBrokers') ?? process.env.KAFKA_BROKERS?.split(',');
  if (!provided?.length) {
    throw new Error(
      'no Kafka broker: run this test in the vitest "integration" project or set KAFKA_BROKERS',
    );
  }
  return provided;
}

/**
 * A kafkajs client for the test broker, or for `brokerList` (a test's own
 * broker); quiet, because a test asserts on outcomes, not on log lines.
 */
export function kafka(clientId = `test-${secureRandom()}`, brokerList = brokers()): Kafka {
  return new Kafka({ clientId, brokers: brokerList, logLevel: logLevel.NOTHING });
}

export function secureRandom(): string {
  return randomBytes(10).toString('hex');
}

export function randomTopicName(prefix = 'test-topic'): string {
  return `${prefix}-${secureRandom()}`;
}

export function randomGroupId(): string {
  return `consumer-group-id-${secureRandom()}`;
}

/**
 * Creates the topics and waits until every partition has a leader, so
 * producing at once succeeds; `configEntries` are topic settings such as
 * `max.message.bytes`.
 */
export async function createTopics(
  brokerList: string[],
  names: string[],
  partitions = 3,
  configEntries?: { name: string; value: string }[],
): Promise<void> {
  const admin = new Kafka({
    clientId: 'test-admin',
    brokers: brokerList,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin
      .createTopics({
        topics: names.map((topic) => ({
          topic,
          numPartitions: partitions,
          ...(configEntries && { configEntries }),
        })),
        waitForLeaders: true,
      })
      .catch((error: unknown) => {
        // A KRaft broker may not know a topic it has just created for a moment: wait below.
        if (!(error instanceof KafkaJSProtocolError && error.type === 'UNKNOWN_TOPIC_OR_PARTITION'))
          throw error;
      });
    await waitFor(
      async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: names }).catch(() => undefined);
        return metadata?.topics.every(
          (t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0),
        );
      },
      { timeout: 30_000, delay: 100 },
    );
  } finally {
    await admin.disconnect();
  }
}

export interface WaitForOptions {
  timeout?: number;
  delay?: number;
}

/** Polls `fn` until it returns a truthy value, and returns that value; rejects after `timeout` ms. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeout = 30_000, delay = 50 }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const result = await fn();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeout}ms`);
    await sleep(delay);
  }
}
