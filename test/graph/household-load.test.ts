/**
 * A load (the first apply, into an empty index) takes its own path; it must
 * form the same persons and households, ids included, as signals applied
 * one at a time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Radar } from '../../src/engine/index.js';
import { HouseholdIndex } from '../../src/graph/household-index.js';
import { newGraphSignal } from '../../src/graph/model.js';
import { parseRules } from '../../src/rules/index.js';
import type { Signal } from '../../src/signals/types.js';
import { signalWorldArb } from './arbitraries.js';

const emptyRuleset = parseRules('', 'empty.yaml');

function state(radar: Radar): string[] {
  const index = radar.households;
  return [...index.households()]
    .map((h) => {
      const signals = h.signals.map((s) => s.id).sort();
      const persons = [...index.personsOf(h)].map((p) => p.id).sort();
      return `${h.id} ${signals.join(',')} ${persons.join(',')}`;
    })
    .sort();
}

function radarOf(signals: readonly Signal[], threshold: number, oneByOne: boolean): Radar {
  const radar = new Radar({ ruleset: emptyRuleset, institutionalPersonThreshold: threshold });
  for (const signal of signals) {
    radar.ingest(signal);
    if (oneByOne) radar.flush();
  }
  radar.flush();
  return radar;
}

describe('household index load', () => {
  it('forms the persons and households, ids included, that one signal at a time forms', () => {
    fc.assert(
      fc.property(signalWorldArb(), fc.integer({ min: 1, max: 6 }), (signals, threshold) => {
        expect(state(radarOf(signals, threshold, false))).toEqual(
          state(radarOf(signals, threshold, true)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an id given twice in one load', () => {
    const signal = (id: string, t: number) => newGraphSignal(id, t, [], undefined, []);
    expect(() =>
      new HouseholdIndex().apply([signal('S-1', 1), signal('S-2', 2), signal('S-1', 3)], []),
    ).toThrow(
      expect.objectContaining({
        code: 'SIGNAL_ALREADY_INDEXED',
        message: expect.stringContaining('S-1'),
      }),
    );
  });
});
