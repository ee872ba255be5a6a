import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  brokers,
  createTopics,
  kafka,
  randomGroupId,
  randomTopicName,
  waitFor,
} from '../helpers/kafka.js';

const MESSAGES = 100;

describe('the integration Kafka broker', () => {
  it('delivers every produced message to a consumer group once and keeps its committed offsets', async () => {
    const topic = randomTopicName('broker-test');
    const groupId = randomGroupId();
    await createTopics(brokers(), [topic], 3);
    const client = kafka();

    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: MESSAGES }, (_, i) => ({
        key: `key-${i}`,
        value: `value-${i}`,
      })),
    });
    await producer.disconnect();

    const received = new Map<string, number>(); // value -> partition
    let deliveries = 0;
    // Short fetch long-polls: disconnect() waits for the fetch in flight (default up to 5s).
    const consumer = client.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        deliveries += 1;
        received.set(String(message.value), partition);
      },
    });
    await waitFor(() => received.size === MESSAGES, { timeout: 60_000 });
    await consumer.disconnect(); // commits what was consumed

    expect(deliveries).toBe(MESSAGES);
    expect([...received.keys()].sort()).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => `value-${i}`).sort(),
    );
    const perPartition = [0, 1, 2].map((p) => [...received.values()].filter((q) => q === p).length);
    expect(perPartition.every((count) => count > 0)).toBe(true);

    const admin = client.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = offsets
        .flatMap(({ partitions }) => partitions)
        .sort((a, b) => a.partition - b.partition)
        .map(({ offset }) => Number(offset));
      expect(committed).toEqual(perPartition);
    } finally {
      await admin.disconnect();
    }
  });
});
