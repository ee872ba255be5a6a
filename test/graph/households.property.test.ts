/**
 * The laws of CONTRACT §2 as properties: the incremental household index
 * equals a literal from-scratch reading after every single step, and the
 * radar's output depends only on the set of signals, not on their order or
 * on redeliveries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Radar } from '../../src/engine/index.js';
import { radarOutputLines, radarStateLines, snapshot } from '../../src/backtest/index.js';
import { parseRules, type Ruleset } from '../../src/rules/index.js';
import type { Signal } from '../../src/signals/types.js';
import { householdGraph, personNode, signalNode } from '../../src/graph/household-graph.js';
import { scenarioFile } from '../fixtures/scenarios.js';
import { signalWorldArb } from './arbitraries.js';
import { householdsFromScratch } from './oracle.js';

const scenarioRules: Ruleset = parseRules(
  readFileSync(scenarioFile('rules.yaml'), 'utf8'),
  'rules.yaml',
);
const emptyRuleset: Ruleset = parseRules('', 'empty.yaml');

function households(radar: Radar): { signalIds: string[]; personCount: number }[] {
  radar.flush();
  return snapshot(radar)
    .households.map(({ signalIds, personCount }) => ({ signalIds, personCount }))
    .sort((a, b) => (a.signalIds[0]! < b.signalIds[0]! ? -1 : 1));
}

/** Ingests in batches that end after the given positions, flushing after each. */
function output(
  signals: readonly Signal[],
  threshold: number,
  cuts: readonly number[] = [],
): string[] {
  const radar = new Radar({ ruleset: scenarioRules, institutionalPersonThreshold: threshold });
  signals.forEach((s, i) => {
    radar.ingest(s);
    if (cuts.includes(i)) radar.flush();
  });
  radar.flush();
  const { households: h, indicators } = snapshot(radar);
  return [...radarOutputLines(h, indicators)];
}

describe('household index', () => {
  it('equals a from-scratch recomputation after every step', () => {
    fc.assert(
      fc.property(signalWorldArb(), fc.integer({ min: 2, max: 6 }), (signals, threshold) => {
        const radar = new Radar({ ruleset: emptyRuleset, institutionalPersonThreshold: threshold });
        signals.forEach((signal, i) => {
          radar.ingest(signal);
          const expected = householdsFromScratch(signals.slice(0, i + 1), {
            institutionalPersonThreshold: threshold,
          });
          expect(households(radar)).toEqual(expected);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reports every change in its flush deltas, batches of several signals included, so a store fed only deltas stays exact', () => {
    fc.assert(
      fc.property(
        signalWorldArb(),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        (signals, threshold, flushAfter) => {
          const radar = new Radar({
            ruleset: scenarioRules,
            institutionalPersonThreshold: threshold,
          });
          const stored = new Map<string, string>();
          const indicators = new Map<string, string>();
          signals.forEach((signal, step) => {
            radar.ingest(signal);
            // Sometimes ingest on: the next flush reports the batch as one change.
            if (!flushAfter[step % flushAfter.length] && step < signals.length - 1) return;
            const changes = radar.flush();
            for (const id of changes.householdsDeleted) stored.delete(id);
            for (const h of changes.householdsPut) {
              stored.set(
                h.id,
                `${[...h.signals]
                  .map((s) => s.id)
                  .sort()
                  .join(',')}/${radar.households.personsOf(h).size}`,
              );
            }
            for (const { type, indicator } of changes.indicators) {
              if (type === 'WITHDRAWN') indicators.delete(indicator.indicatorId);
              else indicators.set(indicator.indicatorId, JSON.stringify(indicator));
            }
            const now = snapshot(radar);
            expect(
              new Map(
                now.households.map((h) => [
                  h.householdId,
                  `${h.signalIds.join(',')}/${h.personCount}`,
                ]),
              ),
            ).toEqual(stored);
            expect(new Map(now.indicators.map((i) => [i.indicatorId, JSON.stringify(i)]))).toEqual(
              indicators,
            );
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('settles to the households and indicators flushing shows, however often it settled before', () => {
    fc.assert(
      fc.property(
        signalWorldArb(),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        (signals, threshold, settleAfter) => {
          const flushed = new Radar({
            ruleset: scenarioRules,
            institutionalPersonThreshold: threshold,
          });
          const settled = new Radar({
            ruleset: scenarioRules,
            institutionalPersonThreshold: threshold,
          });
          signals.forEach((signal, step) => {
            flushed.ingest(signal);
            settled.ingest(signal);
            if (settleAfter[step % settleAfter.length]) settled.settle();
          });
          flushed.flush();
          settled.settle();
          const lines = (radar: Radar): string[] => {
            const { households: h, indicators } = snapshot(radar);
            return [...radarOutputLines(h, indicators)];
          };
          expect(lines(settled)).toEqual(lines(flushed));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('follows every household id it ever formed to where its smallest signal is now, before and after the first lookup', () => {
    fc.assert(
      fc.property(
        signalWorldArb(),
        fc.integer({ min: 2, max: 6 }),
        fc.nat(),
        (signals, threshold, firstLookup) => {
          const radar = new Radar({
            ruleset: emptyRuleset,
            institutionalPersonThreshold: threshold,
          });
          const smallestOf = new Map<string, string>();
          const expectFollowed = (): void => {
            for (const [id, smallest] of smallestOf) {
              const now = radar.households.householdOf(smallest);
              const found = radar.resolveHousehold(id);
              expect(found?.household).toBe(now);
              if (found !== undefined)
                expect(found.mergedFrom).toBe(now!.id === id ? undefined : id);
            }
          };
          signals.forEach((signal, step) => {
            radar.ingest(signal);
            for (const h of radar.flush().householdsPut) smallestOf.set(h.id, h.smallestSignalId);
            if (step === firstLookup % signals.length) expectFollowed();
          });
          expectFollowed();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives each household one connected graphology graph of its signals, persons and addresses', () => {
    fc.assert(
      fc.property(signalWorldArb(), (signals) => {
        const radar = new Radar({ ruleset: emptyRuleset, institutionalPersonThreshold: 4 });
        for (const signal of signals) {
          radar.ingest(signal);
          radar.flush();
          for (const household of radar.households.households()) {
            const graph = householdGraph(radar.households, household);
            const nodesOf = (type: string): string[] =>
              graph.filterNodes((_, a) => a.type === type).sort();
            expect(nodesOf('signal')).toEqual(
              household.signals.map((s) => signalNode(s.id)).sort(),
            );
            expect(nodesOf('person')).toEqual(
              [...radar.households.personsOf(household)].map((p) => personNode(p.id)).sort(),
            );
            const seen = new Set<string>([graph.nodes()[0]!]);
            for (const node of seen) graph.forEachNeighbor(node, (n) => seen.add(n));
            expect(seen.size).toBe(graph.order);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('honours configured institutional addresses', () => {
    fc.assert(
      fc.property(signalWorldArb(15), (signals) => {
        const options = { institutionalAddresses: ['3511AB|12|A|', '1000AA|1||'] };
        const radar = new Radar({ ruleset: emptyRuleset, ...options });
        for (const s of signals) radar.ingest(s);
        expect(households(radar)).toEqual(householdsFromScratch(signals, options));
      }),
      { numRuns: 100 },
    );
  });
});

describe('the radar is a pure function of the set of signals', () => {
  it('gives identical output however the signals are cut into batches', () => {
    fc.assert(
      fc.property(
        signalWorldArb(),
        fc.integer({ min: 2, max: 13 }),
        fc.array(fc.nat({ max: 30 }), { maxLength: 8 }),
        (signals, threshold, cuts) => {
          const everyStep = signals.map((_, i) => i);
          expect(output(signals, threshold, cuts)).toEqual(output(signals, threshold, everyStep));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives identical output for any arrival order and any number of redeliveries', () => {
    fc.assert(
      fc.property(
        signalWorldArb(),
        fc.integer({ min: 2, max: 13 }),
        fc.func(fc.integer()),
        fc.array(fc.nat(), { maxLength: 10 }),
        (signals, threshold, rank, redeliveries) => {
          const shuffled = [...signals].sort(
            (a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : 1),
          );
          const withDuplicates = [...shuffled];
          for (const r of redeliveries) {
            withDuplicates.splice(r % (withDuplicates.length + 1), 0, signals[r % signals.length]!);
          }
          expect(output(withDuplicates, threshold)).toEqual(output(signals, threshold));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('a radar that keeps no indicators', () => {
  it('writes, rule by rule, the output and indicators of one that keeps them', () => {
    fc.assert(
      fc.property(
        signalWorldArb(),
        fc.integer({ min: 2, max: 13 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        (signals, threshold, flushAfter) => {
          const options = { ruleset: scenarioRules, institutionalPersonThreshold: threshold };
          const keeping = new Radar(options);
          const streaming = new Radar({ ...options, keepIndicators: false });
          signals.forEach((signal, step) => {
            keeping.ingest(signal);
            streaming.ingest(signal);
            if (flushAfter[step % flushAfter.length]) {
              keeping.flush();
              expect(streaming.flush().indicators).toEqual([]);
            }
          });
          keeping.settle();
          streaming.settle();
          const { households: h, indicators } = snapshot(keeping);
          expect([...radarStateLines(streaming)]).toEqual([...radarOutputLines(h, indicators)]);
          expect([...radarStateLines(keeping)]).toEqual([...radarOutputLines(h, indicators)]);
          for (const household of streaming.households.households()) {
            const kept = keeping.households.householdOf(household.smallestSignalId)!;
            expect(streaming.indicatorsOfHousehold(household)).toEqual(
              keeping.indicatorsOfHousehold(kept),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('redeliveries and conflicts', () => {
  const base = (): Signal => ({
    id: 'S-1',
    kind: 'MELDING',
    occurredAt: '2024-01-01T00:00:00Z',
    receivedAt: '2024-01-02T00:00:00Z',
    region: 'VT09',
    source: 'HUISARTS',
    category: 'PARTNERGEWELD',
    violenceTypes: [],
    safety: 'ONBEKEND',
    childrenPresent: false,
    substantiated: true,
    persons: [{ ref: 'a', bsn: '111222333', role: 'SLACHTOFFER' }],
    relations: [],
    retracts: [],
  });

  it('treats the same content as a no-op and other content as a conflict, whether kept, withdrawn or self-withdrawn', () => {
    const radar = new Radar({ ruleset: emptyRuleset });
    expect(radar.ingest(base())).toBe('accepted');
    expect(radar.ingest(base())).toBe('duplicate');
    expect(() => radar.ingest({ ...base(), region: 'VT01' })).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_ID_CONFLICT' }),
    );
    const withdrawal: Signal = {
      ...base(),
      id: 'W-1',
      kind: 'INTREKKING',
      persons: [],
      retracts: ['S-1'],
    };
    expect(radar.ingest(withdrawal)).toBe('accepted');
    expect(radar.ingest(base())).toBe('duplicate');
    expect(() => radar.ingest({ ...base(), region: 'VT01' })).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_ID_CONFLICT' }),
    );
    expect(radar.ingest(withdrawal)).toBe('duplicate');
    const selfWithdrawn: Signal = { ...base(), id: 'S-2', retracts: ['S-2'] };
    expect(radar.ingest(selfWithdrawn)).toBe('accepted');
    expect(radar.ingest(selfWithdrawn)).toBe('duplicate');
    radar.flush();
    expect(radar.counts).toEqual({ accepted: 3, duplicates: 4, withdrawn: 2 });
    expect([...radar.households.households()]).toHaveLength(0);
  });
});
