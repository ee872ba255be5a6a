/**
 * The live fold reads only the households a batch reaches from the store;
 * the in-memory radar holds them all. Fed the same batches, both must show
 * the same households, views, indicators and events after every batch:
 * whatever the batches, redeliveries, late signals and withdrawals.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../../src/backtest/index.js';
import { Radar } from '../../src/engine/index.js';
import { StoreFold } from '../../src/engine/store-fold.js';
import { parseRules, type Ruleset } from '../../src/rules/index.js';
import type { RadarStore } from '../../src/store/index.js';
import { scenarioFile } from '../fixtures/scenarios.js';
import { signalWorldArb } from '../graph/arbitraries.js';
import { batchesOf, foldStores } from './fold-stores.js';

const scenarioRules: Ruleset = parseRules(
  readFileSync(scenarioFile('rules.yaml'), 'utf8'),
  'rules.yaml',
);

async function storedHouseholds(store: RadarStore): Promise<unknown[]> {
  const households: unknown[] = [];
  for await (const h of store.households()) households.push(h);
  return households;
}

async function storedIndicators(store: RadarStore): Promise<unknown[]> {
  const indicators: unknown[] = [];
  for await (const i of store.indicators()) indicators.push(i);
  return indicators;
}

/** Each kind of store, with the runs it gets. */
const stores = foldStores({ inMemory: 300, onLevelDb: 100 });

describe.each(stores)('store fold, %s', (_, freshStore, numRuns) => {
  it('equals the in-memory radar after every batch: households, views, indicators and events', async () => {
    await fc.assert(
      fc.asyncProperty(
        signalWorldArb(),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (signals, threshold, cuts, again) => {
          const radar = new Radar({
            ruleset: scenarioRules,
            institutionalPersonThreshold: threshold,
          });
          const { store, remove } = await freshStore();
          try {
            const fold = new StoreFold(store, {
              ruleset: scenarioRules,
              institutionalPersonThreshold: threshold,
            });
            let sequence = 0;
            let withdrawn = 0;
            let households = 0;
            const now = new Date('2026-01-01T00:00:00Z');
            for (const batch of batchesOf(signals, cuts, again)) {
              const outcomes = batch.map((s) => radar.ingest(s));
              const changes = radar.flush();
              const folded = await fold.fold(batch, sequence, now);
              expect(folded.outcomes).toEqual(outcomes);
              await store.write(folded.state);
              sequence += folded.events.length;
              withdrawn += folded.withdrawn;
              households += folded.householdsAdded;
              expect({ withdrawn, households }).toEqual({
                withdrawn: radar.counts.withdrawn,
                households: radar.households.size,
              });

              expect(folded.events.map((e) => [e.type, e.indicator])).toEqual(
                changes.indicators.map((c) => [c.type, c.indicator]),
              );
              const expected = snapshot(radar);
              expect(await storedHouseholds(store)).toEqual(
                [...expected.households].sort((a, b) => (a.householdId < b.householdId ? -1 : 1)),
              );
              expect(await storedIndicators(store)).toEqual(
                [...expected.indicators].sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : 1)),
              );
              for (const household of radar.households.households()) {
                expect(await store.householdView(household.id)).toEqual(
                  radar.householdView(household),
                );
              }
            }
          } finally {
            await remove();
          }
        },
      ),
      { numRuns },
    );
  }, 120_000);
});
