/**
 * Replays NDJSON signal lines into the signal topics, the way the registering
 * systems would: adviesvragen, meldingen and police signals each to their
 * topic, keyed by signal id. Withdrawals go to the topic of the signal kind
 * they name when it is known, else to meldingen; undecodable lines go to
 * meldingen unchanged, so the service's dead-letter path sees them too.
 */
import type { Message, Producer } from 'kafkajs';
import type { TopicNames } from '../config/config.js';

export function topicForLine(
  line: string,
  topics: TopicNames,
): { topic: string; key: string | null } {
  try {
    const parsed = JSON.parse(line) as { id?: unknown; kind?: unknown };
    const key = typeof parsed.id === 'string' ? parsed.id : null;
    switch (parsed.kind) {
      case 'ADVIESVRAAG':
        return { topic: topics.adviesvragen, key };
      case 'POLITIE':
        return { topic: topics.politie, key };
      default:
        return { topic: topics.meldingen, key };
    }
  } catch {
    return { topic: topics.meldingen, key: null };
  }
}

/** Produces the lines in batches; returns how many were sent to each topic. */
export async function replayLines(
  producer: Producer,
  lines: Iterable<string> | AsyncIterable<string>,
  topics: TopicNames,
  batchSize = 500,
): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  let pending = new Map<string, Message[]>();
  const send = async (): Promise<void> => {
    const topicMessages = [...pending].map(([topic, messages]) => ({ topic, messages }));
    pending = new Map();
    if (topicMessages.length > 0) await producer.sendBatch({ topicMessages });
  };
  let count = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const { topic, key } = topicForLine(line, topics);
    const list = pending.get(topic) ?? [];
    list.push({ key, value: line, headers: { 'content-type': 'application/json' } });
    pending.set(topic, list);
    sent.set(topic, (sent.get(topic) ?? 0) + 1);
    if (++count % batchSize === 0) await send();
  }
  await send();
  return sent;
}
