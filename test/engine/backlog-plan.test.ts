import { describe, expect, it } from 'vitest';
import { SignalRejectedError } from '../../src/errors.js';
import { BacklogPlan } from '../../src/engine/backlog-plan.js';
import { prepareSignal } from '../../src/engine/prepare.js';
import { readFileSync } from 'node:fs';
import { parseRules } from '../../src/rules/index.js';
import type { Signal } from '../../src/signals/types.js';
import { scenarioFile } from '../fixtures/scenarios.js';
import { addSignal } from '../helpers/wire.js';
import { fullSignal, withdrawal } from '../store/samples.js';

const ruleset = parseRules(readFileSync(scenarioFile('rules.yaml'), 'utf8'), 'rules.yaml');

/** A signal at its own address, with a person known by `bsn` alone. */
function at(id: string, bsn: string, houseNumber: number): Signal {
  const signal = fullSignal(id);
  return {
    ...signal,
    persons: [{ ref: 'p1', bsn, role: 'SLACHTOFFER' }],
    relations: [],
    address: { postcode: '1234AB', houseNumber },
  };
}

describe('BacklogPlan', () => {
  const plan = (): BacklogPlan => new BacklogPlan({ ruleset, institutionalPersonThreshold: 12 });

  it('decides in arrival order: a redelivery is a duplicate, another version a conflict', () => {
    const p = plan();
    expect(addSignal(p, at('S-1', '111222333', 1))).toBe('accepted');
    expect(addSignal(p, at('S-1', '111222333', 1))).toBe('duplicate');
    expect(() => addSignal(p, at('S-1', '111222333', 2))).toThrow(SignalRejectedError);
    expect(p.accepted).toBe(1);
  });

  /** The plan's batches, each signal named by its id rather than by its place among those accepted. */
  const batchIds = (p: BacklogPlan, accepted: readonly string[], size: number): string[][] =>
    [...p.batches(size)].map((numbers) => numbers.map((n) => accepted[n] ?? `#${n}`));

  it('gives withdrawals first, then whole households, then what was withdrawn and arrived', () => {
    const p = plan();
    const signals = [
      at('S-1', '111222333', 1),
      at('S-2', '444555666', 2),
      at('S-3', '111222333', 3),
      at('S-4', '777888999', 4),
      withdrawal('W-1', ['S-4', 'S-9']),
      at('S-5', '444555666', 5),
    ];
    for (const signal of signals) addSignal(p, signal);
    expect(
      batchIds(
        p,
        signals.map((s) => s.id),
        2,
      ),
    ).toEqual([['W-1'], ['S-1', 'S-3'], ['S-2', 'S-5'], ['S-4']]);
  });

  it('numbers the signals by their place among those accepted, redeliveries left out', () => {
    const p = plan();
    for (const signal of [
      at('S-2', '111222333', 1),
      at('S-2', '111222333', 1),
      at('S-1', '111222333', 1),
    ])
      addSignal(p, signal);
    expect(p.accepted).toBe(2);
    expect([...p.batches(10)]).toEqual([[1, 0]]);
  });

  it('never splits a household across batches, plans once, and takes nothing after', () => {
    const p = plan();
    const ids = ['S-1', 'S-2', 'S-3', 'S-4'];
    for (const id of ids.slice(0, 3)) addSignal(p, at(id, '111222333', 1));
    addSignal(p, at('S-4', '444555666', 2));
    expect(batchIds(p, ids, 1)).toEqual([['S-1', 'S-2', 'S-3'], ['S-4']]);
    expect(() => [...p.batches(1)]).toThrow('once');
    expect(() => addSignal(p, at('S-5', '444555666', 2))).toThrow(
      expect.objectContaining({ code: 'RADAR_FORMED_ONCE' }),
    );
    expect(p.withdraws('S-1')).toBe(false);
  });

  it('tells a batch what the whole backlog decides outside it: crowded addresses, names seen with two BSNs', () => {
    const p = new BacklogPlan({ ruleset, institutionalPersonThreshold: 2 });
    // Three persons at one address, years apart: three households, the address crowded.
    const crowded = ['2010', '2014', '2018'].map((year, i) => ({
      ...at(`S-${i + 1}`, `12345678${i}`, 7),
      occurredAt: `${year}-01-01T10:00:00Z`,
    }));
    // One name and birth date with two BSNs: name matching off for it.
    const named = ['111222333', '123456782'].map((bsn, i) => {
      const signal = fullSignal(`N-${i + 1}`);
      const [first, second] = signal.persons;
      return { ...signal, persons: [{ ...first, bsn }, second], address: undefined } as Signal;
    });
    for (const signal of [...crowded, ...named]) addSignal(p, signal);
    const addressKey = prepareSignal(at('S-9', '999888777', 7)).graph?.addressKey ?? '';
    const nameKey = prepareSignal(fullSignal('N-9')).graph?.keys[2] ?? '';
    const outside = p.outside();
    expect(outside.personsAt(addressKey)).toBeGreaterThan(2);
    expect(
      outside.personsAt(prepareSignal(at('S-9', '999888777', 8)).graph?.addressKey ?? ''),
    ).toBe(0);
    expect([...outside.bsnsWithName(nameKey)].sort()).toEqual(['111222333', '123456782']);
    expect(outside.bsnsWithName('jansen|1990-01-01')).toEqual([]);
  });
});
