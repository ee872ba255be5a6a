/**
 * Kafka messages as the consumers see them, and the wire decisions that
 * belong to Kafka rather than to the signal contract: which decoder a
 * message needs, and what a dead letter carries.
 */
import type { Batch } from 'kafkajs';
import { SignalRejectedError } from '../errors.js';
import { decodeJson, decodeProtobuf } from '../signals/index.js';
import type { AcceptedSignal } from '../signals/types.js';

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

export interface InboundMessage {
  topic: string;
  partition: number;
  /** Kafka's decimal string offset. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** A kafkajs batch's messages, each with the position it came from. */
export function inboundMessages(batch: Batch): InboundMessage[] {
  return batch.messages.map((m) => ({
    topic: batch.topic,
    partition: batch.partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: m.headers ?? {},
  }));
}

export interface DeadLetter {
  key: Buffer | null;
  /** The original bytes, untouched. */
  value: Buffer | null;
  headers: Record<string, string>;
}

function header(message: InboundMessage, name: string): string | undefined {
  const value = message.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** Whether a message's `content-type` header says binary protobuf. */
export function isProtobuf(message: InboundMessage): boolean {
  return header(message, 'content-type') === PROTOBUF_CONTENT_TYPE;
}

/** JSON unless the `content-type` header says binary protobuf. */
export function decodeMessage(message: InboundMessage): AcceptedSignal {
  return decodeParts(message.value, message.key?.toString(), isProtobuf(message));
}

/** `decodeMessage` of a message given by its value, its key as text, and whether it is protobuf. */
export function decodeParts(
  value: Uint8Array | null,
  key: string | undefined,
  protobuf: boolean,
): AcceptedSignal {
  if (value === null)
    throw new SignalRejectedError('MALFORMED', 'message has no value (a tombstone)');
  const accepted = protobuf ? decodeProtobuf(value) : decodeJson(value);
  if (key !== undefined && key !== '' && key !== accepted.signal.id) {
    throw new SignalRejectedError('BAD_VALUE', 'the Kafka key is not the signal id', 'key');
  }
  return accepted;
}

export function deadLetter(message: InboundMessage, error: SignalRejectedError): DeadLetter {
  const headers: Record<string, string> = {
    'radar-source-topic': message.topic,
    'radar-source-partition': String(message.partition),
    'radar-source-offset': message.offset,
    'radar-reason': error.code,
    'radar-message': error.message,
  };
  if (error.field !== undefined) headers['radar-field'] = error.field;
  const contentType = header(message, 'content-type');
  if (contentType !== undefined) headers['content-type'] = contentType;
  return { key: message.key, value: message.value, headers };
}
