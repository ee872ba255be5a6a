import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareSignal, WireReader, WireWriter } from '../../src/engine/index.js';
import { decodeJson } from '../../src/signals/index.js';
import { contractSignal } from '../signals/arbitraries.js';
import { intrekking, melding } from '../signals/samples.js';

const prepared = (input: unknown) => prepareSignal(decodeJson(JSON.stringify(input)).signal);

function roundTrip(inputs: unknown[]) {
  const sent = inputs.map(prepared);
  const writer = new WireWriter();
  for (const p of sent) writer.write(p);
  const wire = writer.finish();
  // As postMessage delivers it to another thread.
  const reader = new WireReader(structuredClone(wire, { transfer: [wire.numbers.buffer] }));
  const received = sent.map(() => reader.read());
  return { sent, received, done: reader.done };
}

describe('prepared signals on the wire', () => {
  it('property: a batch of prepared signals survives the wire unchanged and in order', () => {
    fc.assert(
      fc.property(fc.array(contractSignal, { maxLength: 5 }), (inputs) => {
        const { sent, received, done } = roundTrip(inputs);
        expect(received).toEqual(sent);
        expect(done).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('property: ids, read as strings of their own, are the ids written, whatever their letters', () => {
    const long = fc.string({ unit: 'binary', minLength: 13, maxLength: 40 });
    fc.assert(
      fc.property(fc.array(fc.tuple(contractSignal, long), { maxLength: 5 }), (pairs) => {
        const inputs = pairs.map(([signal, id]) => ({ ...(signal as object), id }));
        const { sent, received } = roundTrip(inputs);
        expect(received).toEqual(sent);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps a withdrawal to its id, fingerprint and retractions', () => {
    const { sent, received } = roundTrip([intrekking(), melding()]);
    expect(received[0]).toEqual({ ...sent[0], rule: undefined, graph: undefined });
    expect(received[0]!.retracts.length).toBeGreaterThan(0);
    expect(received[1]).toEqual(sent[1]);
  });

  it('keeps four identity keys a person, absent ones as absent', () => {
    const [back] = roundTrip([melding()]).received;
    expect(back!.rule!.kind).toBe('MELDING');
    expect(back!.graph!.keys).toEqual([
      'm',
      '111222333',
      'berg|1988-04-12',
      'a',
      'k',
      '123456782',
      'berg|2015-06-01',
      undefined,
    ]);
  });
});
