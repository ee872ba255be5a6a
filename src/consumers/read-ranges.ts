/**
 * Reading the signal topics as they stand: every partition from its start
 * up to an end read before, outside the service's consumer group. The
 * rebuild and a first start's backlog read this way.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { PartitionRange } from '../service/signal-positions.js';
import { inboundMessages, type InboundMessage } from './messages.js';

/**
 * Reads each partition from `low` up to `high` (what lies before `low` is
 * fetched and passed over), batch by batch, one batch at a time, with a consumer group of its own that commits nothing
 * (kafkajs has no group-less consumer) and is deleted at the end. A failed
 * batch ends the reading: folding must not go on past a batch not stored.
 */
export async function consumeRanges(
  kafka: Kafka,
  /** The reading group is named this, and a random suffix. */
  groupPrefix: string,
  ranges: readonly PartitionRange[],
  onBatch: (messages: InboundMessage[]) => Promise<void>,
): Promise<void> {
  const pending = new Map<string, bigint>();
  const starts = new Map<string, bigint>();
  for (const r of ranges) {
    if (r.high <= r.low) continue;
    pending.set(`${r.topic}:${r.partition}`, r.high);
    starts.set(`${r.topic}:${r.partition}`, r.low);
  }
  if (pending.size === 0) return;
  const group = `${groupPrefix}-${randomUUID()}`;
  const consumer: Consumer = kafka.consumer({
    groupId: group,
    allowAutoTopicCreation: false,
    retry: { retries: 5, restartOnFailure: async () => false },
  });
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Settled before it is awaited when the consumer crashes while it still joins.
  done.catch(() => {});
  let failed = false;
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  await consumer.connect();
  try {
    await consumer.subscribe({
      topics: [...new Set(ranges.map((r) => r.topic))],
      fromBeginning: true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const key = `${batch.topic}:${batch.partition}`;
        const end = pending.get(key);
        if (failed || end === undefined) return;
        const start = starts.get(key) ?? 0n;
        const messages = inboundMessages(batch).filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= start && offset < end;
        });
        try {
          if (messages.length > 0) await onBatch(messages);
        } catch (error) {
          failed = true;
          fail(error);
          return;
        }
        const last = batch.messages.at(-1);
        if (last !== undefined && BigInt(last.offset) + 1n >= end) {
          pending.delete(key);
          if (pending.size === 0) finish();
        }
        await payload.heartbeat();
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
    await withAdmin(kafka, (admin) => admin.deleteGroups([group])).catch(() => {});
  }
}

export async function withAdmin<T>(kafka: Kafka, run: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.disconnect();
  }
}
