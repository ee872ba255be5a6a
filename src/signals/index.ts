/**
 * Signals at the door: decoding JSON and protobuf into the radar's `Signal`,
 * rejecting what breaks the contract, and recognising redeliveries.
 */
export { isValidBsn } from './bsn.js';
export { plainFingerprint, signalFingerprint } from './fingerprint.js';
export { parseTimestamp } from './dates.js';
export { decodeJson } from './json.js';
export { ADDRESS_SPAN, PlainLine, readPlainLine } from './json-fast-path.js';
export { decodeProtobuf, encodeProtobuf } from './protobuf.js';
export * from './types.js';
