import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  signalFingerprint,
  decodeJson,
  decodeProtobuf,
  encodeProtobuf,
} from '../../src/signals/index.js';
import { contractSignal } from './arbitraries.js';

describe('JSON and protobuf', () => {
  it('property: a valid signal decodes from JSON to what its protobuf decodes to', () => {
    fc.assert(
      fc.property(contractSignal, (input) => {
        const fromJson = decodeJson(JSON.stringify(input));
        const fromProtobuf = decodeProtobuf(encodeProtobuf(fromJson.signal));
        expect(fromProtobuf).toStrictEqual(fromJson);
        expect(signalFingerprint(fromProtobuf.signal)).toBe(signalFingerprint(fromJson.signal));
      }),
      { numRuns: 500 },
    );
  });

  it('property: a decoded signal written out as JSON decodes to itself', () => {
    fc.assert(
      fc.property(contractSignal, (input) => {
        const decoded = decodeJson(JSON.stringify(input));
        expect(decodeJson(JSON.stringify(decoded.signal))).toStrictEqual(decoded);
      }),
    );
  });
});
