/**
 * The floor under `radar serve`: a plain kafkajs consumer in a fresh group
 * reading the same topics from the beginning and JSON.parse-ing every value,
 * nothing else. Child process: `node plain-consumer.js '<{brokers, topics, expected}>'`;
 * prints one JSON line when it has read `expected` messages.
 */
import { kafkaClient } from './kafka.js';

const { brokers, topics, expected } = JSON.parse(process.argv[2]!) as {
  brokers: string[];
  topics: string[];
  expected: number;
};
const started = performance.now();
const consumer = kafkaClient(brokers, 'radar-bench-plain').consumer({
  groupId: `radar-bench-plain-${process.pid}-${Date.now()}`,
});
let read = 0;
let objects = 0;
let resolveDone: () => void = () => {};
const done = new Promise<void>((resolve) => (resolveDone = resolve));
await consumer.connect();
await consumer.subscribe({ topics, fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    for (const message of batch.messages) {
      read++;
      try {
        if (typeof JSON.parse(message.value?.toString() ?? '') === 'object') objects++;
      } catch {
        // Malformed lines are part of the stream; the radar rejects them too.
      }
    }
    if (read >= expected) resolveDone();
  },
});
await done;
const seconds = (performance.now() - started) / 1000;
await consumer.disconnect();
process.stdout.write(JSON.stringify({ read, objects, seconds }) + '\n');
