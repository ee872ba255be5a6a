import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DECODED,
  decodeBatch,
  packMessages,
  type DecodedBatch,
} from '../../src/consumers/decode-batch.js';
import { DecodeWorkers } from '../../src/consumers/decode-workers.js';
import {
  decodeMessage,
  PROTOBUF_CONTENT_TYPE,
  type InboundMessage,
} from '../../src/consumers/messages.js';
import { prepareSignal } from '../../src/engine/prepare.js';
import { WireReader } from '../../src/engine/prepared-wire.js';
import { SignalRejectedError } from '../../src/errors.js';
import { encodeProtobuf } from '../../src/signals/index.js';
import { fullSignal, withdrawal } from '../store/samples.js';

/** 2024-01-01: `fullSignal` occurred after it, the old ones before. */
const RETAINED_FROM = Date.parse('2024-01-01T00:00:00Z');

function message(
  value: string | Uint8Array | null,
  options: { key?: string; protobuf?: boolean } = {},
): InboundMessage {
  return {
    topic: 'vt.meldingen',
    partition: 0,
    offset: '0',
    key: options.key === undefined ? null : Buffer.from(options.key),
    value: value === null ? null : Buffer.from(value),
    headers: options.protobuf === true ? { 'content-type': PROTOBUF_CONTENT_TYPE } : {},
  };
}

/** Every kind of message a backlog holds, each once. */
const KINDS: InboundMessage[] = [
  message(JSON.stringify(fullSignal('S-1')), { key: 'S-1' }),
  message(JSON.stringify({ ...fullSignal('S-2'), familyNickname: 'dropped' })),
  message(encodeProtobuf(fullSignal('S-3')), { protobuf: true }),
  message(JSON.stringify(withdrawal('W-1', ['S-1']))),
  message(JSON.stringify({ ...fullSignal('S-old'), occurredAt: '2019-05-01T10:00:00Z' })),
  message(null),
  message('{"id": "S-4", '),
  message(JSON.stringify(fullSignal('S-5')), { key: 'S-other' }),
  message(JSON.stringify({ ...fullSignal('S-6'), region: 'VT99' })),
  message(
    JSON.stringify({
      ...fullSignal('S-7'),
      persons: [{ ref: 'p1', bsn: '123456789', role: 'SLACHTOFFER', familyName: 'Yılmaz' }],
      relations: [],
    }),
  ),
];

/** What `decodeMessage` makes of each message, one at a time: what a batch must agree with. */
function oneByOne(messages: readonly InboundMessage[]) {
  return messages.map((m) => {
    try {
      const accepted = decodeMessage(m);
      if (
        accepted.signal.kind !== 'INTREKKING' &&
        Date.parse(accepted.signal.occurredAt ?? '') < RETAINED_FROM
      )
        return { outcome: DECODED.EXPIRED };
      return { outcome: DECODED.SIGNAL, accepted };
    } catch (error) {
      if (!(error instanceof SignalRejectedError)) throw error;
      return { outcome: DECODED.REJECTED, code: error.code, field: error.field };
    }
  });
}

/** A decoded batch read back message by message, in the shape of `oneByOne`. */
function readBack(batch: DecodedBatch) {
  const wire = new WireReader(batch.signals);
  const bytes = Buffer.from(batch.texts);
  let signal = 0;
  let rejected = 0;
  return [...batch.outcomes].map((outcome) => {
    if (outcome === DECODED.EXPIRED) return { outcome };
    if (outcome === DECODED.REJECTED) {
      const { code, field } = batch.rejected[rejected++]!;
      return { outcome, code, field };
    }
    const n = signal++;
    const from = n === 0 ? 0 : batch.textEnds[n - 1]!;
    const json = bytes.subarray(from, batch.textEnds[n]).toString('utf8');
    return {
      outcome,
      prepared: wire.read(),
      json,
      droppedFields: batch.droppedFields[n],
      warnings: batch.warnings[n],
    };
  });
}

function expectAgreement(messages: readonly InboundMessage[], batch: DecodedBatch): void {
  const expected = oneByOne(messages).map((one) =>
    one.outcome !== DECODED.SIGNAL || one.accepted === undefined
      ? one
      : {
          outcome: one.outcome,
          prepared: prepareSignal(one.accepted.signal),
          json: JSON.stringify(one.accepted.signal),
          droppedFields: one.accepted.droppedFields,
          warnings: one.accepted.warnings.length,
        },
  );
  expect(readBack(batch)).toEqual(expected);
}

describe('decodeBatch', () => {
  it('decides on each message as decodeMessage does, and expires what lies before retention', () => {
    const batch = decodeBatch(packMessages(KINDS), RETAINED_FROM);
    expect([...batch.outcomes]).toEqual([
      DECODED.SIGNAL,
      DECODED.SIGNAL,
      DECODED.SIGNAL,
      DECODED.SIGNAL,
      DECODED.EXPIRED,
      DECODED.REJECTED,
      DECODED.REJECTED,
      DECODED.REJECTED,
      DECODED.REJECTED,
      DECODED.SIGNAL,
    ]);
    expect(batch.rejected.map((r) => [r.index, r.code])).toEqual([
      [5, 'MALFORMED'],
      [6, 'MALFORMED'],
      [7, 'BAD_VALUE'],
      [8, 'BAD_VALUE'],
    ]);
    expect(batch.droppedFields[1]).toBe(1);
    expectAgreement(KINDS, batch);
  });

  it('agrees with decodeMessage on any batch of them, in any order and number', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...KINDS), { maxLength: 30 }), (messages) => {
        expectAgreement(messages, decodeBatch(packMessages(messages), RETAINED_FROM));
      }),
    );
  });
});

describe('DecodeWorkers', () => {
  const workers = new DecodeWorkers(1, RETAINED_FROM);
  afterAll(() => workers.close());

  it('decodes in a worker, and here when it has enough queued, each batch as decodeBatch does', async () => {
    const batches = Array.from({ length: 12 }, (_, i) => KINDS.slice(i % KINDS.length));
    const decoded = await Promise.all(batches.map((batch) => workers.decode(batch)));
    decoded.forEach((batch, i) => expectAgreement(batches[i]!, batch));
  });

  it('refuses a batch once a worker has ended, rather than leave it awaited forever', async () => {
    const ended = new DecodeWorkers(1, RETAINED_FROM);
    await ended.close();
    await expect(ended.decode(KINDS)).rejects.toMatchObject({ code: 'WORKER_FAILED' });
  });
});
