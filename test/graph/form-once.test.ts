/**
 * A backtest's radar forms its households once, from columns of interned
 * keys (`formHouseholds`), not through the index the live service keeps up
 * to date: the two must give the same households, ids, person counts and
 * indicators.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { radarOutputLines, radarStateLines, snapshot } from '../../src/backtest/index.js';
import { Radar } from '../../src/engine/index.js';
import { parseRules } from '../../src/rules/index.js';
import { decodeJson } from '../../src/signals/index.js';
import { changed, intrekking, melding } from '../signals/samples.js';
import { scenarioFile } from '../fixtures/scenarios.js';
import { signalWorldArb } from './arbitraries.js';

const scenarioRules = parseRules(readFileSync(scenarioFile('rules.yaml'), 'utf8'), 'rules.yaml');

/** Keys of the addresses `signalWorldArb` uses, for configuring some as institutional. */
const ADDRESS_KEYS = ['3511AB|12|A|', '1000AA|1||', '2000BB|7||2'];

describe('a radar that forms households once', () => {
  it('gives the households, person counts and indicators of one kept up to date', () => {
    fc.assert(
      fc.property(
        signalWorldArb(),
        fc.integer({ min: 1, max: 6 }),
        fc.subarray(ADDRESS_KEYS),
        fc.array(fc.boolean(), { minLength: 1 }),
        (signals, threshold, institutionalAddresses, flushAfter) => {
          const options = {
            ruleset: scenarioRules,
            institutionalPersonThreshold: threshold,
            institutionalAddresses,
          };
          const kept = new Radar(options);
          const once = new Radar({ ...options, formOnce: true });
          signals.forEach((signal, step) => {
            expect(once.ingest(signal)).toBe(kept.ingest(signal));
            if (flushAfter[step % flushAfter.length]) kept.flush();
          });
          kept.settle();
          once.settle();
          const { households, indicators } = snapshot(kept);
          expect(once.householdSummaries().sort(byId)).toEqual(households.sort(byId));
          expect([...radarStateLines(once)]).toEqual([...radarOutputLines(households, indicators)]);
          expect(once.counts).toEqual(kept.counts);
          expect(once.householdCount).toBe(kept.householdCount);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('without rule inputs forms the same households, in the same order, and evaluates no rules', () => {
    fc.assert(
      fc.property(signalWorldArb(), fc.integer({ min: 1, max: 6 }), (signals, threshold) => {
        const options = {
          ruleset: scenarioRules,
          institutionalPersonThreshold: threshold,
          formOnce: true,
        };
        const full = new Radar(options);
        const lean = new Radar({ ...options, keepRuleInputs: false, keepAcceptedNumbers: true });
        const accepted: string[] = [];
        for (const signal of signals) {
          const outcome = full.ingest(signal);
          expect(lean.ingest(signal)).toBe(outcome);
          if (outcome === 'accepted') accepted.push(signal.id);
        }
        full.settle();
        lean.settle();
        const inOrder = [...full.householdSummariesInOrder()].map((h) => h.signalIds);
        const numbered = [...lean.householdNumbersInOrder()];
        expect(numbered.map((numbers) => numbers.map((n) => accepted[n]))).toEqual(inOrder);
        expect(() => full.householdNumbersInOrder().next()).toThrow(
          expect.objectContaining({ code: 'RADAR_FORMED_ONCE' }),
        );
        expect(lean.householdSummaries()).toEqual(full.householdSummaries());
        expect(() => lean.ruleWork()).toThrow(
          expect.objectContaining({ code: 'RADAR_FORMED_ONCE' }),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('configured institutional addresses link nobody', () => {
    const at = (id: string, day: number, familyName: string) => ({
      id,
      kind: 'MELDING' as const,
      occurredAt: `2024-01-0${day}T00:00:00.000Z`,
      receivedAt: `2024-01-0${day}T00:00:00.000Z`,
      region: 'VT09',
      source: 'POLITIE' as const,
      violenceTypes: [],
      safety: 'ONBEKEND' as const,
      childrenPresent: false,
      substantiated: true,
      persons: [{ ref: '1', familyName, birthDate: '1980-01-01', role: 'ONBEKEND' as const }],
      relations: [],
      address: { postcode: '1000AA', houseNumber: 1 },
      retracts: [],
    });
    const households = (institutionalAddresses: string[]) => {
      const radar = new Radar({ ruleset: scenarioRules, institutionalAddresses, formOnce: true });
      radar.ingest(at('S-1', 1, 'Jansen'));
      radar.ingest(at('S-2', 2, 'de Vries'));
      radar.settle();
      return radar.householdSummaries().map((h) => h.signalIds);
    };
    expect(households([])).toEqual([['S-1', 'S-2']]);
    expect(households(['1000AA|1||']).sort()).toEqual([['S-1'], ['S-2']]);
  });

  it('counts a signal withdrawn whichever of it and its withdrawal comes first', () => {
    const target = decodeJson(JSON.stringify(changed(melding(), (s) => (s.id = 'V-2')))).signal;
    const withdrawal = decodeJson(JSON.stringify(intrekking())).signal;
    for (const order of [
      [target, withdrawal],
      [withdrawal, target],
      [withdrawal, withdrawal, target, target],
    ]) {
      const kept = new Radar({ ruleset: scenarioRules });
      const once = new Radar({ ruleset: scenarioRules, formOnce: true });
      for (const signal of order) {
        kept.ingest(signal);
        once.ingest(signal);
      }
      expect(once.counts.withdrawn).toBe(1);
      expect(once.counts).toEqual(kept.counts);
    }
  });

  it('takes no signal once settled and reports no changes', () => {
    const radar = new Radar({ ruleset: scenarioRules, formOnce: true });
    expect(radar.householdCount).toBe(0);
    radar.settle();
    expect(() => radar.flush()).toThrow(expect.objectContaining({ code: 'RADAR_FORMED_ONCE' }));
    expect(() =>
      radar.ingestPrepared({
        id: 'S-1',
        fingerprint: 1,
        retracts: [],
        rule: undefined,
        graph: undefined,
      }),
    ).toThrow(expect.objectContaining({ code: 'RADAR_FORMED_ONCE' }));
    expect(
      () => new Radar({ ruleset: scenarioRules, formOnce: true, keepIndicators: true }),
    ).toThrow(expect.objectContaining({ code: 'RADAR_OPTIONS_INVALID' }));
  });
});

function byId(a: { householdId: string }, b: { householdId: string }): number {
  return a.householdId < b.householdId ? -1 : 1;
}
