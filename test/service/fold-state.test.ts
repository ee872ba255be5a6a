/**
 * A store written before the fold kept its own state (or under other rules)
 * is brought up to date once at start; the fold then goes on from it as if
 * it had folded every signal itself.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../../src/backtest/index.js';
import { flushedBatch } from '../../src/consumers/ingestor.js';
import { Radar } from '../../src/engine/index.js';
import { StoreFold } from '../../src/engine/store-fold.js';
import { createLogger } from '../../src/log/logger.js';
import { parseRules, type Ruleset } from '../../src/rules/index.js';
import { bringFoldStateUpToDate, FOLD_VERSION, rulesMark } from '../../src/service/fold-state.js';
import { MemoryStore, type RadarStore } from '../../src/store/index.js';
import { scenarioFile } from '../fixtures/scenarios.js';
import { signalWorldArb } from '../graph/arbitraries.js';

const rulesText = readFileSync(scenarioFile('rules.yaml'), 'utf8');
const scenarioRules: Ruleset = parseRules(rulesText, 'rules.yaml');
const log = createLogger('silent');

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function endState(store: RadarStore) {
  return {
    households: await collect(store.households()),
    indicators: await collect(store.indicators()),
  };
}

function expectedState(radar: Radar) {
  const { households, indicators } = snapshot(radar);
  const byId =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : 1;
  return {
    households: households.sort(byId((h) => h.householdId)),
    indicators: indicators.sort(byId((i) => i.indicatorId)),
  };
}

describe('fold state', () => {
  it('is made for a store written without it, and the fold goes on from there as if it had folded everything', async () => {
    await fc.assert(
      fc.asyncProperty(
        signalWorldArb(),
        fc.nat(),
        fc.integer({ min: 2, max: 6 }),
        async (signals, cut, threshold) => {
          const split = cut % (signals.length + 1);
          const options = { ruleset: scenarioRules, institutionalPersonThreshold: threshold };
          const store = new MemoryStore();
          await store.open();
          const before = new Radar(options);
          for (const signal of signals.slice(0, split)) before.ingest(signal);
          await store.write(flushedBatch(before, signals.slice(0, split), 0).state);

          expect(await bringFoldStateUpToDate(store, options, log)).toBe(true);
          expect(await store.marks()).toEqual({
            fold: FOLD_VERSION,
            rules: rulesMark(scenarioRules),
          });
          expect(await bringFoldStateUpToDate(store, options, log)).toBe(false);

          const folded = await new StoreFold(store, options).fold(
            signals.slice(split),
            await store.lastSequence(),
          );
          await store.write(folded.state);
          const all = new Radar(options);
          for (const signal of signals) all.ingest(signal);
          all.flush();
          expect(await endState(store)).toEqual(expectedState(all));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('brings the indicators of a folded store in line with changed rules, household by household, with an event for each change', async () => {
    const lowered = parseRules(rulesText.replace('gte: 3', 'gte: 2'), 'rules.yaml');
    await fc.assert(
      fc.asyncProperty(signalWorldArb(), async (signals) => {
        const store = new MemoryStore();
        await store.open();
        await bringFoldStateUpToDate(store, { ruleset: scenarioRules }, log);
        const folded = await new StoreFold(store, { ruleset: scenarioRules }).fold(signals, 0);
        await store.write(folded.state);
        const indicatorsBefore = await collect(store.indicators());

        expect(await bringFoldStateUpToDate(store, { ruleset: lowered }, log)).toBe(true);
        const radar = new Radar({ ruleset: lowered });
        for (const signal of signals) radar.ingest(signal);
        radar.flush();
        const expected = expectedState(radar);
        expect(await endState(store)).toEqual(expected);
        for (const household of radar.households.households()) {
          expect(await store.householdView(household.id)).toEqual(radar.householdView(household));
        }
        // The events since the fold turn the indicators before into the ones after.
        const current = new Map(indicatorsBefore.map((i) => [i.indicatorId, i]));
        for (const event of await collect(store.events(folded.events.length))) {
          if (event.type === 'WITHDRAWN') current.delete(event.indicator.indicatorId);
          else current.set(event.indicator.indicatorId, event.indicator);
        }
        expect(
          [...current.values()].sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : 1)),
        ).toEqual(expected.indicators);
        expect(await store.marks()).toEqual({ fold: FOLD_VERSION, rules: rulesMark(lowered) });
      }),
      { numRuns: 100 },
    );
  });
});
