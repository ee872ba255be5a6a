import { RadarError, type RadarErrorOptions } from '../errors.js';

/**
 * The store's stable error codes. Callers branch on `code` and `retriable`,
 * never on the message, which names the data directory to help an operator
 * but never a stored value.
 */
export type StoreErrorCode =
  /** Used before `open()` resolved or after `close()` began. */
  | 'STORE_NOT_OPEN'
  /** Opened with `createIfMissing: false` on a directory that holds no store. */
  | 'STORE_NOT_FOUND'
  /** Another process (or another store in this one) holds the LevelDB lock. */
  | 'STORE_LOCKED'
  /** A stored value or LevelDB's own files cannot be read back. */
  | 'STORE_CORRUPT'
  /** `events` do not continue the stored sequence exactly; nothing was written. */
  | 'SEQUENCE_GAP'
  /** LevelDB failed otherwise, e.g. the disk is full or read-only. */
  | 'STORE_IO';

export class StoreError extends RadarError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: RadarErrorOptions = {}) {
    super(code, message, options);
  }
}

export function notOpen(): StoreError {
  return new StoreError(
    'STORE_NOT_OPEN',
    'The store is not open: call open() first, and nothing after close()',
  );
}
