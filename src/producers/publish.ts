/**
 * What the service produces: dead letters for rejected messages, and
 * indicator events for downstream systems. Events are produced after they
 * are stored, from the store, so a crash between the two only means they are
 * produced again (at least once, each carrying its sequence number to dedupe).
 */
import type { Producer } from 'kafkajs';
import type { DeadLetter } from '../consumers/messages.js';
import type { RadarStore, StoredEvent } from '../store/types.js';
import { withRetry } from '../retry/retry.js';

export async function produceDeadLetters(
  producer: Producer,
  topic: string,
  letters: readonly DeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  await withRetry(() => producer.send({ topic, messages: letters.map((l) => ({ ...l })) }));
}

export function eventMessage(event: StoredEvent): {
  key: string;
  value: string;
  headers: Record<string, string>;
} {
  return {
    key: event.indicator.indicatorId,
    value: JSON.stringify({
      sequence: event.sequence,
      type: event.type,
      recordedAt: event.recordedAt,
      indicator: event.indicator,
    }),
    headers: { 'content-type': 'application/json', 'radar-sequence': String(event.sequence) },
  };
}

/** Produces every stored event not yet published, then records how far it got. */
export async function publishPendingEvents(
  producer: Producer,
  topic: string,
  store: RadarStore,
): Promise<number> {
  const from = await store.publishedSequence();
  const pending: StoredEvent[] = [];
  for await (const event of store.events(from)) pending.push(event);
  if (pending.length === 0) return 0;
  await withRetry(() => producer.send({ topic, messages: pending.map(eventMessage) }));
  await store.write({ publishedSequence: pending[pending.length - 1]!.sequence });
  return pending.length;
}
