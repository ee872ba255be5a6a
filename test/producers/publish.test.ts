/**
 * Producing in chunks the broker accepts. The broker is stood in for by a
 * producer that encodes each send as kafkajs does (one record batch, with
 * kafkajs' own encoder) and refuses it, as Kafka does, when the batch is
 * larger than the topic's `max.message.bytes`.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import type { Message, Producer, ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../src/consumers/messages.js';
import { produceLimit } from '../../src/producers/limits.js';
import {
  ABRIDGED_HEADER,
  Chunker,
  eventMessage,
  fitDeadLetter,
  produceDeadLetters,
  publishPendingEvents,
  recordBytes,
  TRUNCATED_HEADER,
  type OutgoingMessage,
} from '../../src/producers/publish.js';
import { MemoryStore, type StoredEvent } from '../../src/store/index.js';
import { indicator } from '../store/samples.js';

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (batch: { records: Encoded[]; lastOffsetDelta: number }) => Promise<Encoded>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (
  record: Message & { offsetDelta: number; timestampDelta: number },
) => Encoded;

/** The bytes Kafka counts against `max.message.bytes` for these messages sent together. */
async function batchBytes(messages: readonly Message[]): Promise<number> {
  const records = messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: 300 }));
  const batch = await RecordBatch({ records, lastOffsetDelta: records.length - 1 });
  return batch.buffer.length;
}

class TooLarge extends Error {
  readonly retriable = false;
  readonly type = 'MESSAGE_TOO_LARGE';
}

/** A producer in front of a one-partition topic that accepts record batches up to `limit` bytes. */
function broker(limit: number, failOnSend?: number) {
  const sends: { messages: Message[]; bytes: number }[] = [];
  const producer = {
    send: async ({ messages }: ProducerRecord) => {
      const bytes = await batchBytes(messages);
      if (bytes > limit || sends.length + 1 === failOnSend) throw new TooLarge('refused');
      sends.push({ messages, bytes });
      return [];
    },
  } as unknown as Producer;
  return { producer, sends };
}

function event(sequence: number, signals: number): StoredEvent {
  const signalIds = Array.from({ length: signals }, (_, i) => `S-${String(i).padStart(6, '0')}`);
  return {
    sequence,
    type: sequence === 1 ? 'RAISED' : 'UPDATED',
    indicator: { ...indicator(`rule/S-${sequence % 7}`), signalIds },
    recordedAt: '2024-05-02T08:00:00.000Z',
  };
}

async function storeWith(events: StoredEvent[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.open();
  await store.write({ events });
  return store;
}

const outgoing = fc.record({
  key: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  value: fc.oneof(
    fc.string({ maxLength: 3000 }),
    fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  ),
  headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 60 }), {
    maxKeys: 6,
  }),
});

describe('chunks', () => {
  it('recordBytes is never below what kafkajs encodes for the message', async () => {
    await fc.assert(
      fc.asyncProperty(outgoing, async (message) => {
        const alone = (await batchBytes([message])) - (await batchBytes([]));
        expect(recordBytes(message)).toBeGreaterThanOrEqual(alone);
      }),
    );
  });

  it('keep every message in order, each within the limit unless one message is larger alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(outgoing, { maxLength: 60 }),
        fc.integer({ min: 500, max: 20_000 }),
        async (messages, maxBytes) => {
          const chunker = new Chunker<OutgoingMessage>(maxBytes);
          const chunks: OutgoingMessage[][] = [];
          for (const m of messages) {
            const full = chunker.add(m);
            if (full) chunks.push(full);
          }
          const last = chunker.take();
          if (last) chunks.push(last);
          expect(chunks.flat()).toEqual(messages);
          for (const chunk of chunks) {
            expect(chunk.length).toBeGreaterThan(0);
            if (chunk.length > 1) expect(await batchBytes(chunk)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('publishPendingEvents', () => {
  it('sends a backlog larger than the limit in accepted chunks, storing the sequence after each', async () => {
    const events = Array.from({ length: 400 }, (_, i) => event(i + 1, 40 + (i % 13) * 20));
    const store = await storeWith(events);
    const limit = 64 * 1024;
    const { producer, sends } = broker(limit);
    const published: number[] = [];
    const write = store.write.bind(store);
    store.write = async (batch) => {
      if (batch.publishedSequence !== undefined) published.push(batch.publishedSequence);
      await write(batch);
    };

    const count = await publishPendingEvents(producer, 'indicators', store, {
      limit: produceLimit(16 * 1024, limit),
    });

    expect(count).toBe(400);
    expect(sends.length).toBeGreaterThan(1);
    expect(sends.flatMap((s) => s.messages)).toEqual(events.map(eventMessage));
    for (const send of sends) expect(send.bytes).toBeLessThanOrEqual(16 * 1024);
    let sent = 0;
    expect(published).toEqual(sends.map((s) => (sent += s.messages.length)));
    expect(await store.publishedSequence()).toBe(400);
  });

  it('makes the next chunk while one is in flight, but sends one at a time, in order', async () => {
    const events = Array.from({ length: 200 }, (_, i) => event(i + 1, 100));
    const store = await storeWith(events);
    const sent: string[] = [];
    let inFlight = 0;
    let most = 0;
    let readWhileInFlight = false;
    const eventsOf = store.events.bind(store);
    store.events = async function* (after: number) {
      for await (const e of eventsOf(after)) {
        if (inFlight > 0) readWhileInFlight = true;
        yield e;
      }
    };
    const producer = {
      send: async ({ messages }: ProducerRecord) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        sent.push(...messages.map((m) => String(m.key)));
        inFlight--;
        return [];
      },
    } as unknown as Producer;
    await publishPendingEvents(producer, 'indicators', store, {
      limit: produceLimit(4 * 1024, 1_048_588),
    });
    expect(most).toBe(1);
    expect(readWhileInFlight).toBe(true);
    expect(sent).toEqual(events.map((e) => e.indicator.indicatorId));
    expect(await store.publishedSequence()).toBe(200);
  });

  it('resumes after a failed chunk without producing the chunks before it again', async () => {
    const events = Array.from({ length: 100 }, (_, i) => event(i + 1, 100));
    const store = await storeWith(events);
    const limit = produceLimit(8 * 1024, 1_048_588);
    const failing = broker(1_048_588, 3);
    await expect(
      publishPendingEvents(failing.producer, 'indicators', store, { limit }),
    ).rejects.toBeInstanceOf(TooLarge);
    const before = failing.sends.flatMap((s) => s.messages).length;
    expect(await store.publishedSequence()).toBe(before);

    const healthy = broker(1_048_588);
    await publishPendingEvents(healthy.producer, 'indicators', store, { limit });
    expect([...failing.sends, ...healthy.sends].flatMap((s) => s.messages)).toEqual(
      events.map(eventMessage),
    );
  });

  it('sends an event too large for the topic without its signal ids and explanation', async () => {
    const limit = 32 * 1024;
    const events = [event(1, 10), event(2, 5000), event(3, 10)];
    const store = await storeWith(events);
    const { producer, sends } = broker(limit);
    const abridged: number[] = [];
    await publishPendingEvents(producer, 'indicators', store, {
      limit: produceLimit(limit, limit),
      onAbridged: (sequence) => abridged.push(sequence),
    });
    expect(abridged).toEqual([2]);
    const messages = sends.flatMap((s) => s.messages);
    expect(messages.map((m) => m.key)).toEqual(events.map((e) => e.indicator.indicatorId));
    expect(messages[0]).toEqual(eventMessage(events[0]!));
    expect(messages[2]).toEqual(eventMessage(events[2]!));
    expect(messages[1]!.headers).toMatchObject({
      'radar-sequence': '2',
      [ABRIDGED_HEADER]: '5000',
    });
    const sent = JSON.parse(String(messages[1]!.value)) as StoredEvent;
    expect(sent).toMatchObject({
      sequence: 2,
      type: 'UPDATED',
      indicator: { ...events[1]!.indicator, signalIds: [], explanation: expect.any(String) },
    });
  });

  it('sends an event larger than the chunk size but within the topic limit whole, alone', async () => {
    const events = [event(1, 10), event(2, 2000), event(3, 10)];
    const store = await storeWith(events);
    const { producer, sends } = broker(1_048_588);
    await publishPendingEvents(producer, 'indicators', store, {
      limit: produceLimit(16 * 1024, 1_048_588),
    });
    expect(sends.map((s) => s.messages.length)).toEqual([1, 1, 1]);
    expect(sends[1]!.messages[0]).toEqual(eventMessage(events[1]!));
  });
});

describe('produceDeadLetters', () => {
  function letter(offset: number, bytes: number): DeadLetter {
    return {
      key: Buffer.from(`k${offset}`),
      value: Buffer.alloc(bytes, 0x61 + (offset % 26)),
      headers: {
        'radar-source-topic': 'radar.meldingen',
        'radar-source-partition': '0',
        'radar-source-offset': String(offset),
        'radar-reason': 'MALFORMED',
        'radar-message': 'not valid JSON in UTF-8',
      },
    };
  }

  it('sends a batch of rejected messages larger than the limit in accepted chunks, unchanged', async () => {
    const limit = 1_048_588;
    const letters = Array.from({ length: 40 }, (_, i) => letter(i, 60_000));
    const { producer, sends } = broker(limit);
    await produceDeadLetters(producer, 'dlq', letters, produceLimit(512 * 1024, limit));
    expect(sends.length).toBeGreaterThan(1);
    expect(sends.flatMap((s) => s.messages)).toEqual(letters);
  });

  it('cuts a letter too large for the topic to fit, saying how long its value was', async () => {
    const limit = 20_000;
    const letters = [letter(1, 100), letter(2, 50_000), letter(3, 100)];
    const { producer, sends } = broker(limit);
    await produceDeadLetters(producer, 'dlq', letters, produceLimit(512 * 1024, limit));
    const sent = sends.flatMap((s) => s.messages);
    expect(sent[0]).toEqual(letters[0]);
    expect(sent[2]).toEqual(letters[2]);
    expect(sent[1]!.headers).toEqual({ ...letters[1]!.headers, [TRUNCATED_HEADER]: '50000' });
    const value = sent[1]!.value as Buffer;
    expect(value.length).toBeGreaterThan(limit / 2);
    expect(letters[1]!.value!.subarray(0, value.length).equals(value)).toBe(true);
  });

  it('fitDeadLetter leaves a letter that fits alone', () => {
    const small = letter(1, 100);
    expect(fitDeadLetter(small, 20_000)).toBe(small);
  });
});

describe('produceLimit', () => {
  it('aims below both the setting and the topic, and cuts only above the topic', () => {
    expect(produceLimit(512 * 1024, 1_048_588)).toEqual({
      chunkBytes: 512 * 1024,
      topicBytes: 1_048_588,
    });
    expect(produceLimit(512 * 1024, 100_000)).toEqual({ chunkBytes: 100_000, topicBytes: 100_000 });
    expect(produceLimit(512 * 1024, undefined)).toEqual({
      chunkBytes: 512 * 1024,
      topicBytes: 512 * 1024,
    });
  });
});
