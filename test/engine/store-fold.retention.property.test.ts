/**
 * Retention keeps the radar a pure function of the signals it keeps: a
 * random world folded batch by batch, then a retention pass with a random
 * cutoff in bounded batches, must leave the store exactly as the in-memory
 * radar of the retained signals alone: households, views and indicators,
 * with an event for every indicator the pass changed. Batches folded after
 * the pass (their expired signals turned away, as the service does) must
 * go on agreeing, so the fold's own state is right after the pass too.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../../src/backtest/index.js';
import { Radar } from '../../src/engine/index.js';
import { householdId } from '../../src/graph/nodes.js';
import { StoreFold } from '../../src/engine/store-fold.js';
import { parseRules, type Indicator, type Ruleset } from '../../src/rules/index.js';
import { pastRetention, removeExpired } from '../../src/service/retention.js';
import type { Signal } from '../../src/signals/types.js';
import type { RadarStore } from '../../src/store/index.js';
import { scenarioFile } from '../fixtures/scenarios.js';
import { signalWorldArb } from '../graph/arbitraries.js';
import { batchesOf, foldStores } from './fold-stores.js';

const scenarioRules: Ruleset = parseRules(
  readFileSync(scenarioFile('rules.yaml'), 'utf8'),
  'rules.yaml',
);
const DAY = 24 * 3600 * 1000;
/** The worlds' signals occur on days 0…900 from here. */
const EPOCH = Date.parse('2022-01-01T00:00:00Z');

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The store holds what the radar of `signals` holds: households, views, indicators. */
async function expectStoreIsRadarOf(
  store: RadarStore,
  signals: readonly Signal[],
  threshold: number,
): Promise<void> {
  const radar = new Radar({ ruleset: scenarioRules, institutionalPersonThreshold: threshold });
  for (const signal of signals) radar.ingest(signal);
  radar.flush();
  const expected = snapshot(radar);
  expect(await all(store.households())).toEqual(
    [...expected.households].sort((a, b) => (a.householdId < b.householdId ? -1 : 1)),
  );
  expect(await all(store.indicators())).toEqual(
    [...expected.indicators].sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : 1)),
  );
  expect((await all(store.householdIds())).length).toBe(radar.households.size);
  for (const household of radar.households.households()) {
    expect(await store.householdView(household.id)).toEqual(radar.householdView(household));
  }
}

const stores = foldStores({ inMemory: 300, onLevelDb: 60 });

describe.each(stores)('retention, %s', (_, freshStore, numRuns) => {
  it('leaves the store as the radar of the retained signals, and the fold goes on from there', async () => {
    await fc.assert(
      fc.asyncProperty(
        signalWorldArb(),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.boolean(), { minLength: 1 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.integer({ min: -5 * DAY, max: 905 * DAY }),
        fc.nat(),
        fc.integer({ min: 1, max: 6 }),
        async (signals, threshold, cuts, again, cutoffAfterEpoch, split, batchSize) => {
          const cutoff = new Date(EPOCH + cutoffAfterEpoch);
          const kept = (s: Signal) => !pastRetention(s, cutoff.getTime());
          const batches = batchesOf(signals, cuts, again);
          const before = batches.slice(0, split % (batches.length + 1));
          const after = batches.slice(before.length).map((b) => b.filter(kept));
          const { store, remove } = await freshStore();
          try {
            const fold = new StoreFold(store, {
              ruleset: scenarioRules,
              institutionalPersonThreshold: threshold,
            });
            const now = new Date('2026-01-01T00:00:00Z');
            for (const batch of before) {
              const folded = await fold.fold(batch, await store.lastSequence(), now);
              await store.write(folded.state);
            }
            const indicatorsBefore = new Map(
              (await all(store.indicators())).map((i) => [i.indicatorId, i]),
            );
            const sequenceBefore = await store.lastSequence();

            const facts = await removeExpired({ store, fold, cutoff, batchSize, now });

            const folded = before.flat();
            const expired = new Set(folded.filter((s) => !kept(s)).map((s) => s.id));
            expect(facts.signalsRemoved).toBe(expired.size);
            expect(await store.occurredBefore(cutoff.getTime(), Infinity)).toEqual([]);
            for (const id of expired) {
              expect(await store.signal(id)).toBeUndefined();
              expect(await store.householdOfSignal(id)).toBeUndefined();
              expect((await store.preparedSignals([id])).size).toBe(0);
              expect(await store.smallestSignalOf(householdId(id))).toBeUndefined();
            }
            await expectStoreIsRadarOf(store, folded.filter(kept), threshold);

            // The pass's events, played over the indicators before it, give those after it.
            const indicatorsAfter = new Map(
              (await all(store.indicators())).map((i) => [i.indicatorId, i]),
            );
            const events = await all(store.events(sequenceBefore));
            const played = new Map<string, Indicator>(indicatorsBefore);
            for (const { type, indicator } of events) {
              if (type === 'WITHDRAWN') played.delete(indicator.indicatorId);
              else played.set(indicator.indicatorId, indicator);
            }
            expect(played).toEqual(indicatorsAfter);
            // In one write, an indicator the pass leaves as it was has no event. A pass of
            // several writes may change one and change it back: a household split when one
            // signal goes may join again along an address that a later one stops making
            // institutional, and each write's events tell what that write stored.
            if (expired.size <= batchSize) {
              const touched = new Set(events.map((e) => e.indicator.indicatorId));
              for (const [id, was] of indicatorsBefore)
                if (JSON.stringify(was) === JSON.stringify(indicatorsAfter.get(id)))
                  expect(touched.has(id)).toBe(false);
            }
            expect(
              facts.indicatorsWithdrawn + facts.indicatorsUpdated + facts.indicatorsRaised,
            ).toBe(events.length);

            for (const batch of after) {
              const next = await fold.fold(batch, await store.lastSequence(), now);
              await store.write(next.state);
            }
            await expectStoreIsRadarOf(store, [...folded, ...after.flat()].filter(kept), threshold);
          } finally {
            await remove();
          }
        },
      ),
      { numRuns },
    );
  }, 180_000);
});
