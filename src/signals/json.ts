/**
 * The JSON encoding of a signal: the Kafka default and one line of an NDJSON
 * signal file.
 */
import { SignalRejectedError } from '../errors.js';
import type { AcceptedSignal } from './types.js';
import { validateSignal } from './validate.js';

/** Fatal: invalid UTF-8 is a malformed message, not text with replacement characters. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

const BYTE_ORDER_MARK = 0xfeff;

export function decodeJson(bytes: Uint8Array | string): AcceptedSignal {
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      withoutByteOrderMark(typeof bytes === 'string' ? bytes : utf8.decode(bytes)),
    );
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a
    // BSN or a name; the rejection says only what kind of problem it is.
    throw new SignalRejectedError('MALFORMED', 'not valid JSON in UTF-8');
  }
  return validateSignal(parsed);
}

/**
 * Editors on Windows start a file with a byte-order mark. TextDecoder drops it
 * from bytes; a line already read as text may still carry it.
 */
function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
}
