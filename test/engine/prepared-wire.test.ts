import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromWire, prepareSignal, toWire } from '../../src/engine/index.js';
import { decodeJson } from '../../src/signals/index.js';
import { contractSignal } from '../signals/arbitraries.js';
import { intrekking, melding } from '../signals/samples.js';

const roundTrip = (input: unknown) => {
  const prepared = prepareSignal(decodeJson(JSON.stringify(input)).signal);
  return { prepared, back: fromWire(JSON.parse(JSON.stringify(toWire(prepared))) as unknown[]) };
};

describe('prepared signals on the wire', () => {
  it('property: a prepared signal survives JSON on the wire unchanged', () => {
    fc.assert(
      fc.property(contractSignal, (input) => {
        const { prepared, back } = roundTrip(input);
        expect(back).toEqual(prepared);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a withdrawal to its id, fingerprint and retractions', () => {
    const { prepared, back } = roundTrip(intrekking());
    expect(back).toEqual({ ...prepared, rule: undefined, graph: undefined });
    expect(back.retracts.length).toBeGreaterThan(0);
  });

  it('rebuilds person records that point at their own signal', () => {
    const { back } = roundTrip(melding());
    expect(back.rule!.kind).toBe('MELDING');
    expect(back.graph!.records.every((r) => r.signal === back.graph)).toBe(true);
  });
});
