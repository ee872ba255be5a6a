/**
 * A batch of Kafka messages decoded the way a backlog's first pass takes
 * them (service/backlog-load.ts): the part that needs no state, so decode
 * workers (decode-workers.ts) can do it beside the thread that decides on
 * the signals. Each message is decoded and validated as the consumer
 * decodes it (`decodeMessage`), set aside when past retention, and
 * otherwise prepared for the plan and written as the JSON the store will
 * hold. What crosses the threads is a few typed arrays, a text and the
 * rejections, not an object a signal.
 */
import { prepareSignal } from '../engine/prepare.js';
import { WireWriter, type WireSignals } from '../engine/prepared-wire.js';
import { SignalRejectedError, type RejectionCode } from '../errors.js';
import { pastRetention } from '../service/retention.js';
import { decodeParts, isProtobuf, type InboundMessage } from './messages.js';

/** A batch's messages packed to cross to a worker: their values one after another. */
export interface PackedMessages {
  /** Every value, one after another. */
  values: Uint8Array<ArrayBuffer>;
  /** Where each message's value ends in `values`; -1 for a message without one (a tombstone). */
  ends: Int32Array<ArrayBuffer>;
  keys: (string | null)[];
  /** 1 for a message whose `content-type` says binary protobuf. */
  protobuf: Uint8Array<ArrayBuffer>;
}

/** What became of a message. */
export const DECODED = { SIGNAL: 0, EXPIRED: 1, REJECTED: 2 } as const;

export interface BatchRejection {
  /** The message's place in the batch. */
  index: number;
  code: RejectionCode;
  field: string | undefined;
  message: string;
}

export interface DecodedBatch {
  /** Per message, a `DECODED` value. */
  outcomes: Uint8Array<ArrayBuffer>;
  /** The rejected messages, in batch order. */
  rejected: BatchRejection[];
  /** The signals, prepared and packed (`WireWriter`), in batch order. */
  signals: WireSignals;
  /** Their JSON as the store holds a signal, one after another. */
  texts: Uint8Array<ArrayBuffer>;
  /** Where each signal's JSON ends in `texts`. */
  textEnds: Int32Array<ArrayBuffer>;
  /** Per signal: the fields outside the contract dropped, and the warnings. */
  droppedFields: Int32Array<ArrayBuffer>;
  warnings: Int32Array<ArrayBuffer>;
}

export function packMessages(messages: readonly InboundMessage[]): PackedMessages {
  const ends = new Int32Array(messages.length);
  const protobuf = new Uint8Array(messages.length);
  const keys: (string | null)[] = [];
  let length = 0;
  for (const message of messages) length += message.value?.length ?? 0;
  const values = new Uint8Array(length);
  let end = 0;
  messages.forEach((message, i) => {
    keys.push(message.key === null ? null : message.key.toString());
    if (isProtobuf(message)) protobuf[i] = 1;
    if (message.value === null) {
      ends[i] = -1;
      return;
    }
    values.set(message.value, end);
    end += message.value.length;
    ends[i] = end;
  });
  return { values, ends, keys, protobuf };
}

/** Decodes a packed batch; signals that occurred before `retainedFrom` (epoch ms) are expired. */
export function decodeBatch(packed: PackedMessages, retainedFrom: number): DecodedBatch {
  const { values, ends, keys, protobuf } = packed;
  const buffer = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const outcomes = new Uint8Array(ends.length);
  const rejected: BatchRejection[] = [];
  const writer = new WireWriter();
  const texts: Buffer[] = [];
  const droppedFields: number[] = [];
  const warnings: number[] = [];
  let start = 0;
  for (let index = 0; index < ends.length; index++) {
    const end = ends[index] ?? -1;
    const value = end === -1 ? null : buffer.subarray(start, end);
    if (end !== -1) start = end;
    try {
      const decoded = decodeParts(value, keys[index] ?? undefined, protobuf[index] === 1);
      if (pastRetention(decoded.signal, retainedFrom)) {
        outcomes[index] = DECODED.EXPIRED;
        continue;
      }
      writer.write(prepareSignal(decoded.signal));
      texts.push(Buffer.from(JSON.stringify(decoded.signal)));
      droppedFields.push(decoded.droppedFields);
      warnings.push(decoded.warnings.length);
      outcomes[index] = DECODED.SIGNAL;
    } catch (error) {
      if (!(error instanceof SignalRejectedError)) throw error;
      outcomes[index] = DECODED.REJECTED;
      rejected.push({ index, code: error.code, field: error.field, message: error.message });
    }
  }
  const textEnds = new Int32Array(texts.length);
  let textEnd = 0;
  texts.forEach((text, i) => {
    textEnd += text.length;
    textEnds[i] = textEnd;
  });
  // Into an array of its own, not Buffer.concat's, which may lie in Buffer's shared pool and so
  // could not be transferred.
  const joined = new Uint8Array(textEnd);
  texts.forEach((text, i) => joined.set(text, i === 0 ? 0 : (textEnds[i - 1] ?? 0)));
  return {
    outcomes,
    rejected,
    signals: writer.finish(),
    texts: joined,
    textEnds,
    droppedFields: Int32Array.from(droppedFields),
    warnings: Int32Array.from(warnings),
  };
}

/** The buffers of a decoded batch, to transfer rather than copy. */
export function decodedTransferList(batch: DecodedBatch): ArrayBuffer[] {
  return [
    batch.outcomes.buffer,
    batch.signals.numbers.buffer,
    batch.signals.units.buffer,
    batch.texts.buffer,
    batch.textEnds.buffer,
    batch.droppedFields.buffer,
    batch.warnings.buffer,
  ];
}

/** The buffers of a packed batch, to transfer rather than copy. */
export function packedTransferList(packed: PackedMessages): ArrayBuffer[] {
  return [packed.values.buffer, packed.ends.buffer, packed.protobuf.buffer];
}
