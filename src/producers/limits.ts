/**
 * How large a chunk the service may produce to a topic: its configured
 * `kafka.maxProduceBytes`, lowered to what the topic accepts when the topic
 * (or the broker's default for it) allows less, so that a broker set up
 * stricter than we assumed refuses nothing.
 */
import type { Admin, ConfigResourceTypes } from 'kafkajs';

/**
 * `ConfigResourceTypes.TOPIC`: kafkajs is CommonJS and Node's ESM loader
 * does not find that enum among its named exports.
 */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

/** Kafka's per-topic limit on one record batch; its default is the broker's `message.max.bytes`. */
export const TOPIC_LIMIT_CONFIG = 'max.message.bytes';

export interface ProduceLimit {
  /** Chunks aim at this many bytes at most; a message larger alone goes in a chunk of its own. */
  chunkBytes: number;
  /** What the topic accepts in one record batch; a message larger alone is cut down. */
  topicBytes: number;
}

/** When the topic's limit is unknown, the configured size stands for it too. */
export function produceLimit(configured: number, topicLimit: number | undefined): ProduceLimit {
  const topicBytes = topicLimit !== undefined && topicLimit > 0 ? topicLimit : configured;
  return { chunkBytes: Math.min(configured, topicBytes), topicBytes };
}

/** The limits for each topic, read from the topics' configs. */
export async function produceLimits(
  admin: Admin,
  topics: readonly string[],
  configured: number,
): Promise<Map<string, ProduceLimit>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: TOPIC_RESOURCE,
      name,
      configNames: [TOPIC_LIMIT_CONFIG],
    })),
  });
  const limits = new Map<string, ProduceLimit>();
  for (const topic of topics) {
    const entry = resources
      .find((r) => r.resourceName === topic)
      ?.configEntries.find((e) => e.configName === TOPIC_LIMIT_CONFIG);
    limits.set(topic, produceLimit(configured, entry ? Number(entry.configValue) : undefined));
  }
  return limits;
}
