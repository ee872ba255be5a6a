import { StoreError } from './errors.js';

/**
 * Checks that `events` continue `lastSequence` exactly and returns the new last
 * sequence. A gap or repeat means the caller lost track of what it stored, so
 * retrying the same batch cannot help.
 */
export function continueSequence(
  lastSequence: number,
  events: readonly { sequence: number }[],
): number {
  let expected = lastSequence + 1;
  for (const event of events) {
    if (event.sequence !== expected) {
      throw new StoreError(
        'SEQUENCE_GAP',
        `Event sequence ${String(event.sequence)} does not continue the stored sequence: expected ${String(expected)}`,
      );
    }
    expected += 1;
  }
  return expected - 1;
}
