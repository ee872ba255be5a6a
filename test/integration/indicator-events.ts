/**
 * Reading what the service left behind: the stopped service's store (events,
 * current indicators, counters) and the indicator events it produced to Kafka.
 */
import type { Indicator } from '../../src/rules/index.js';
import { openStore, type StoredEvent } from '../../src/store/index.js';
import { kafka, randomGroupId, waitFor } from '../helpers/kafka.js';

export interface StoredState {
  events: StoredEvent[];
  indicators: Indicator[];
  lastSequence: number;
  publishedSequence: number;
  counters: Record<string, number>;
  signalIds: string[];
  /** `topic:partition` → next offset, as stored with the last batch. */
  offsets: Map<string, string>;
}

/** Reads everything of a store no process holds open. */
export async function readStore(dataDir: string): Promise<StoredState> {
  const store = await openStore({ dataDir, createIfMissing: false, sync: false });
  try {
    const events: StoredEvent[] = [];
    for await (const e of store.events(0)) events.push(e);
    const indicators: Indicator[] = [];
    for await (const i of store.indicators()) indicators.push(i);
    const signalIds: string[] = [];
    for await (const s of store.signals()) signalIds.push(s.id);
    return {
      events,
      indicators,
      lastSequence: await store.lastSequence(),
      publishedSequence: await store.publishedSequence(),
      counters: await store.counters(),
      signalIds,
      offsets: await store.offsets(),
    };
  } finally {
    await store.close();
  }
}

/**
 * The current indicators the events describe: RAISED and UPDATED put the
 * indicator, WITHDRAWN deletes it. Ordered by indicator id, as the store is.
 */
export function replayEvents(events: readonly StoredEvent[]): Indicator[] {
  const current = new Map<string, Indicator>();
  for (const { type, indicator } of events) {
    if (type === 'WITHDRAWN') current.delete(indicator.indicatorId);
    else current.set(indicator.indicatorId, indicator);
  }
  return [...current.values()].sort((a, b) =>
    a.indicatorId < b.indicatorId ? -1 : a.indicatorId > b.indicatorId ? 1 : 0,
  );
}

export interface TopicMessage {
  key: string;
  /** The raw value, to compare copies byte for byte; null for a tombstone. */
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning, with a fresh consumer group, until `done`
 * holds for what was read so far; from the test broker unless `brokerList`
 * names another.
 */
export async function readTopic(
  topic: string,
  done: (messages: readonly TopicMessage[]) => boolean,
  timeout = 30_000,
  brokerList?: string[],
): Promise<TopicMessage[]> {
  const consumer = kafka(undefined, brokerList).consumer({ groupId: randomGroupId() });
  const read: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = value.toString();
        }
        read.push({
          key: message.key?.toString() ?? '',
          value: message.value,
          headers,
        });
      },
    });
    await waitFor(() => done(read), { timeout, delay: 100 });
  } finally {
    await consumer.disconnect();
  }
  return read;
}

export interface TopicEvent extends TopicMessage {
  event: StoredEvent;
}

/** Reads the indicator topic until `done` holds for the events read so far. */
export async function readIndicatorTopic(
  topic: string,
  done: (events: readonly TopicEvent[]) => boolean,
  timeout = 30_000,
): Promise<TopicEvent[]> {
  const parse = (m: TopicMessage): TopicEvent => ({
    ...m,
    event: JSON.parse(m.value?.toString() ?? 'null') as StoredEvent,
  });
  const read = await readTopic(topic, (messages) => done(messages.map(parse)), timeout);
  return read.map(parse);
}

/** Every sequence 1..n is among the events read. */
export function coversSequences(events: readonly TopicEvent[], n: number): boolean {
  const seen = new Set(events.map((e) => e.event.sequence));
  for (let s = 1; s <= n; s++) if (!seen.has(s)) return false;
  return true;
}

/** `topic:partition:offset` of the message a dead letter stands for. */
export function sourcePosition(letter: TopicMessage): string {
  const h = letter.headers;
  return `${h['radar-source-topic']}:${h['radar-source-partition']}:${h['radar-source-offset']}`;
}

/**
 * Reads the dead-letter topic with a plain consumer until it holds a letter
 * for `count` distinct rejected messages (a crash may produce one twice), and
 * returns one letter per rejected message, by where that message was.
 */
export async function readDeadLetters(
  topic: string,
  count: number,
  brokerList?: string[],
  timeout = 60_000,
): Promise<Map<string, TopicMessage>> {
  const letters = await readTopic(
    topic,
    (messages) => new Set(messages.map(sourcePosition)).size >= count,
    timeout,
    brokerList,
  );
  return new Map(letters.map((l) => [sourcePosition(l), l]));
}

/** How many dead letters carry each `radar-reason`. */
export function countByReason(letters: Iterable<TopicMessage>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { headers } of letters) {
    const reason = headers['radar-reason'] ?? '(none)';
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return counts;
}
