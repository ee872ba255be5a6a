/**
 * Where the signal topics stand in Kafka, as the store check and the rebuild
 * read them: the consumer group's committed offsets and each partition's
 * first and next offset. Keys are `topic:partition`, as the store's positions.
 */
import type { Admin } from 'kafkajs';
import { positionKey } from '../consumers/ingestor.js';
import { withRetry } from '../retry/retry.js';

/** The group's committed offsets on the topics that exist; partitions without one are left out. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Map<string, bigint>> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((topic) => existing.has(topic));
  const committed = new Map<string, bigint>();
  if (present.length === 0) return committed;
  // A broker creates its offsets topic on first use and elects the group's coordinator
  // then: on a fresh broker that outlasts kafkajs's own few retries.
  const fetched = await withRetry(() => admin.fetchOffsets({ groupId, topics: present }), {
    retries: 10,
    initialDelayMs: 250,
  });
  for (const t of fetched) {
    for (const p of t.partitions) {
      const offset = BigInt(p.offset);
      if (offset >= 0n) committed.set(positionKey(t.topic, p.partition), offset);
    }
  }
  return committed;
}

export interface PartitionRange {
  topic: string;
  partition: number;
  /** The first offset still on the topic: above 0 when retention removed messages. */
  low: bigint;
  /** The next offset to be written (the high-water mark). */
  high: bigint;
}

export async function partitionRanges(
  admin: Admin,
  topics: readonly string[],
): Promise<PartitionRange[]> {
  const ranges: PartitionRange[] = [];
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      ranges.push({ topic, partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) });
    }
  }
  return ranges;
}

/**
 * Sets a group's offsets to positions as the store keeps them
 * (`topic:partition` → next offset). Only a group without members may be
 * set.
 */
export async function setGroupOffsets(
  admin: Admin,
  groupId: string,
  positions: ReadonlyMap<string, string>,
): Promise<void> {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const [key, offset] of positions) {
    const at = key.lastIndexOf(':');
    const topic = key.slice(0, at);
    const partitions = byTopic.get(topic) ?? [];
    partitions.push({ partition: Number(key.slice(at + 1)), offset });
    byTopic.set(topic, partitions);
  }
  for (const [topic, partitions] of byTopic) await admin.setOffsets({ groupId, topic, partitions });
}
