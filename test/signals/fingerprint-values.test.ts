import { describe, expect, it } from 'vitest';
import { decodeJson, signalFingerprint } from '../../src/signals/index.js';
import { intrekking, melding, minimalPolitie, type Json } from './samples.js';

const fingerprintOf = (signal: Json): number =>
  signalFingerprint(decodeJson(JSON.stringify(signal)).signal);

/*
 * Fingerprints are compared across runs and stored with the signals they
 * identify, so the values themselves are part of the contract: a faster
 * hash that gives other numbers would turn every redelivery into a
 * DUPLICATE_ID_CONFLICT. These were computed before the hash was last tuned.
 */
describe('signalFingerprint values', () => {
  it.each([
    ['melding', melding(), 2_458_997_931_663_268],
    ['minimalPolitie', minimalPolitie(), 606_429_190_991_282],
    ['intrekking', intrekking(), 6_286_354_562_730_594],
    [
      'a melding with astral characters and a full address',
      {
        ...melding(),
        id: 'S-ü-\u{1F600}',
        address: {
          postcode: '1234 ab',
          houseNumber: 7,
          houseLetter: 'b',
          addition: '2-hg',
          city: "'s-Hertogenbosch",
        },
      },
      2_047_040_285_658_433,
    ],
  ])('stays the same for %s', (_, signal, expected) => {
    expect(fingerprintOf(signal)).toBe(expected);
  });
});
