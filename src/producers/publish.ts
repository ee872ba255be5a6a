/**
 * What the service produces: dead letters for rejected messages, and
 * indicator events for downstream systems. Events are produced after they
 * are stored, from the store, so a crash between the two only means they are
 * produced again (at least once, each carrying its sequence number to dedupe).
 *
 * A broker refuses a record batch larger than the topic's `max.message.bytes`
 * (1 MiB by default) and kafkajs puts everything one send gives a partition
 * into one record batch, so both go out in chunks of at most `maxBytes`: a
 * backlog that raises many indicators at once must not make one refused
 * request that is retried forever. A single message cannot be split; one that
 * is too large for the topic on its own goes out cut down, saying so, rather
 * than not at all.
 */
import { at } from '../at.js';
import type { Producer } from 'kafkajs';
import type { DeadLetter } from '../consumers/messages.js';
import type { RadarStore, StoredEvent } from '../store/types.js';
import type { ProduceLimit } from './limits.js';
import { withRetry } from '../retry/retry.js';

/**
 * The most a record adds to its key, value and header bytes in a v2 record
 * batch: length, attributes, timestamp and offset deltas, key and value
 * lengths, header count (varints at their widest), and two lengths per header.
 */
const RECORD_OVERHEAD = 36;
const HEADER_OVERHEAD = 10;
/** The record batch header, counted once per chunk. */
const BATCH_OVERHEAD = 61;

export interface OutgoingMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers: Record<string, string>;
}

function byteLength(data: string | Buffer | null): number {
  if (data === null) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/** An upper bound on the bytes the message takes in a record batch. */
export function recordBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers))
    bytes += HEADER_OVERHEAD + Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** Whether the message fits in a chunk of `maxBytes` on its own. */
export function fitsAlone(message: OutgoingMessage, maxBytes: number): boolean {
  return BATCH_OVERHEAD + recordBytes(message) <= maxBytes;
}

/**
 * Groups messages, in order, into chunks whose record batch stays within
 * `maxBytes`; a message larger on its own makes a chunk of its own.
 */
export class Chunker<T extends OutgoingMessage> {
  private chunk: T[] = [];
  private bytes = BATCH_OVERHEAD;

  constructor(private readonly maxBytes: number) {}

  /** Adds the message; returns the full chunk it does not fit into any more, if any. */
  add(message: T): T[] | undefined {
    const size = recordBytes(message);
    let full: T[] | undefined;
    if (this.chunk.length > 0 && this.bytes + size > this.maxBytes) full = this.take();
    this.chunk.push(message);
    this.bytes += size;
    return full;
  }

  /** The chunk so far, if it holds anything. */
  take(): T[] | undefined {
    if (this.chunk.length === 0) return undefined;
    const full = this.chunk;
    this.chunk = [];
    this.bytes = BATCH_OVERHEAD;
    return full;
  }
}

/** Header on a dead letter whose value was cut to fit: the original value's length in bytes. */
export const TRUNCATED_HEADER = 'radar-truncated-from';

/**
 * The dead letter as it can be produced: one too large for the topic keeps
 * its key and headers and as much of the start of its value as fits, and
 * says how long the value was, so the letter still tells where the rejected
 * message is (topic, partition, offset) and why it was rejected.
 */
export function fitDeadLetter(letter: DeadLetter, maxBytes: number): DeadLetter {
  if (fitsAlone(letter, maxBytes) || letter.value === null) return letter;
  const headers = { ...letter.headers, [TRUNCATED_HEADER]: String(letter.value.length) };
  const room = maxBytes - BATCH_OVERHEAD - recordBytes({ ...letter, value: null, headers });
  return { key: letter.key, value: letter.value.subarray(0, Math.max(0, room)), headers };
}

export async function produceDeadLetters(
  producer: Producer,
  topic: string,
  letters: readonly DeadLetter[],
  limit: ProduceLimit,
): Promise<void> {
  const chunker = new Chunker<DeadLetter>(limit.chunkBytes);
  const send = async (chunk: DeadLetter[] | undefined): Promise<void> => {
    if (chunk !== undefined) await withRetry(() => producer.send({ topic, messages: chunk }));
  };
  for (const letter of letters) await send(chunker.add(fitDeadLetter(letter, limit.topicBytes)));
  await send(chunker.take());
}

interface EventMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function eventMessage(event: StoredEvent): EventMessage {
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

/** Header on an event sent without its signal ids and explanation: how many signal ids it has. */
export const ABRIDGED_HEADER = 'radar-abridged-signal-ids';

const ABRIDGED_EXPLANATION =
  'Ingekort: deze indicator is te groot voor het indicatortopic; vraag de signalen en de uitleg op met ExplainIndicator.';

/**
 * The event as it can be produced. An indicator's signal ids and explanation
 * grow with its household's signals; when they make the message too large for
 * the topic, the event goes out without them (an empty `signalIds`, a fixed
 * explanation saying so, and a header with the number of signal ids), so that
 * every sequence still reaches the topic with its type, level, value and
 * household. The store and the API keep the whole indicator.
 */
export function fitEventMessage(event: StoredEvent, maxBytes: number): EventMessage {
  const message = eventMessage(event);
  if (fitsAlone(message, maxBytes)) return message;
  const abridged = eventMessage({
    ...event,
    indicator: { ...event.indicator, signalIds: [], explanation: ABRIDGED_EXPLANATION },
  });
  abridged.headers[ABRIDGED_HEADER] = String(event.indicator.signalIds.length);
  return abridged;
}

export interface PublishOptions {
  limit: ProduceLimit;
  /** Told the sequence of each event sent abridged. */
  onAbridged?: (sequence: number) => void;
}

/**
 * Produces every stored event not yet published, chunk by chunk, storing the
 * published sequence after each chunk: memory holds two chunks, whatever the
 * backlog, and a failure later on does not produce the sent chunks again.
 * The next chunk is read and made while the last is in flight, and sent
 * when it is acknowledged: chunks go out one at a time, in order. Returns
 * how many events it produced.
 */
export async function publishPendingEvents(
  producer: Producer,
  topic: string,
  store: RadarStore,
  options: PublishOptions,
): Promise<number> {
  const chunker = new Chunker<EventMessage & { sequence: number }>(options.limit.chunkBytes);
  let published = 0;
  const produce = async (chunk: (EventMessage & { sequence: number })[]): Promise<void> => {
    const messages = chunk.map(({ key, value, headers }) => ({ key, value, headers }));
    await withRetry(() => producer.send({ topic, messages }));
    // Not synced: after a crash that loses it, the events are produced again, as they may be anyway.
    await store.write(
      { publishedSequence: at(chunk, chunk.length - 1).sequence },
      { durable: false },
    );
    published += chunk.length;
  };
  let inFlight: Promise<void> = Promise.resolve();
  const send = async (chunk: (EventMessage & { sequence: number })[] | undefined) => {
    if (chunk === undefined) return;
    await inFlight;
    inFlight = produce(chunk);
    // Awaited before the next send or the end; until then, not an unhandled rejection.
    inFlight.catch(() => undefined);
  };
  for await (const event of store.events(await store.publishedSequence())) {
    const message = fitEventMessage(event, options.limit.topicBytes);
    if (ABRIDGED_HEADER in message.headers) options.onAbridged?.(event.sequence);
    await send(chunker.add({ ...message, sequence: event.sequence }));
  }
  await send(chunker.take());
  await inFlight;
  return published;
}
