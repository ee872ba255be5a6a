/**
 * A backlog folded household by household (engine/backlog-plan.ts) must
 * leave the store exactly as the in-memory radar fed the same messages in
 * arrival order leaves its state: the same decisions on every message, the
 * same households, views, indicators and counts. And the store must go on
 * from there as any other: batches folded after it keep it equal.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../../src/backtest/index.js';
import { SignalRejectedError } from '../../src/errors.js';
import { BacklogPlan } from '../../src/engine/backlog-plan.js';
import { foldBacklog } from '../../src/engine/backlog-fold.js';
import { Radar } from '../../src/engine/index.js';
import { StoreFold } from '../../src/engine/store-fold.js';
import { parseRules, type Ruleset } from '../../src/rules/index.js';
import type { Signal } from '../../src/signals/types.js';
import type { RadarStore } from '../../src/store/index.js';
import { spoolInMemory } from '../../src/store/signal-spool.js';
import { addSignal, signalText } from '../helpers/wire.js';
import { scenarioFile } from '../fixtures/scenarios.js';
import { signalWorldArb } from '../graph/arbitraries.js';
import { foldStores } from './fold-stores.js';

const rules: Ruleset = parseRules(readFileSync(scenarioFile('rules.yaml'), 'utf8'), 'rules.yaml');

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const list: T[] = [];
  for await (const item of items) list.push(item);
  return list;
}

const byId = <T>(list: T[], id: (item: T) => string): T[] =>
  [...list].sort((a, b) => (id(a) < id(b) ? -1 : 1));

/** The world as it arrives: some signals twice, some as another version later. */
function arrivals(
  signals: readonly Signal[],
  again: readonly number[],
  changed: readonly number[],
) {
  const sent = [...signals];
  for (const i of again) {
    const signal = signals[i % signals.length];
    if (signal !== undefined) sent.splice((i * 7) % (sent.length + 1), 0, signal);
  }
  for (const i of changed) {
    const signal = signals[i % signals.length];
    if (signal !== undefined && signal.kind !== 'INTREKKING')
      sent.splice((i * 5) % (sent.length + 1), 0, { ...signal, region: 'VT26' });
  }
  return sent;
}

function outcome(decide: () => string): string {
  try {
    return decide();
  } catch (error) {
    if (error instanceof SignalRejectedError) return error.code;
    throw error;
  }
}

async function expectEqual(store: RadarStore, radar: Radar): Promise<void> {
  const expected = snapshot(radar);
  expect(await all(store.households())).toEqual(byId(expected.households, (h) => h.householdId));
  expect(await all(store.indicators())).toEqual(byId(expected.indicators, (i) => i.indicatorId));
  for (const household of radar.households.households())
    expect(await store.householdView(household.id)).toEqual(radar.householdView(household));
}

describe.each(foldStores({ inMemory: 200, onLevelDb: 40 }))(
  'a backlog folded household by household, %s',
  (_, freshStore, numRuns) => {
    it('equals the radar fed the same messages in arrival order, and goes on as any store', async () => {
      await fc.assert(
        fc.asyncProperty(
          signalWorldArb(30),
          fc.integer({ min: 2, max: 6 }),
          fc.array(fc.nat(), { maxLength: 4 }),
          fc.array(fc.nat(), { maxLength: 3 }),
          fc.integer({ min: 1, max: 8 }),
          fc.nat(),
          async (world, threshold, again, changed, batchSignals, split) => {
            const options = { ruleset: rules, institutionalPersonThreshold: threshold };
            const sent = arrivals(world, again, changed);
            const cut = split % (sent.length + 1);
            const [backlog, after] = [sent.slice(0, cut), sent.slice(cut)];

            const radar = new Radar(options);
            const plan = new BacklogPlan(options);
            const spool = spoolInMemory();
            for (const signal of backlog) {
              const decided = outcome(() => addSignal(plan, signal));
              expect(decided).toBe(outcome(() => radar.ingest(signal)));
              if (decided === 'accepted') await spool.put([signalText(signal)]);
            }
            radar.flush();

            const { store, remove } = await freshStore();
            try {
              const now = new Date('2026-01-01T00:00:00Z');
              await store.startEmpty(plan.accepted);
              const folded = await foldBacklog({
                ...options,
                outside: plan.outside(),
                withdrawn: (id) => plan.withdraws(id),
                batches: plan.batches(batchSignals),
                read: (numbers) => spool.get(numbers),
                write: (state) => store.write(state),
                lastSequence: 0,
                now,
              });
              expect(folded.signals).toBe(plan.accepted);
              expect({ withdrawn: folded.withdrawn, households: folded.households }).toEqual({
                withdrawn: radar.counts.withdrawn,
                households: radar.households.size,
              });
              expect(await store.lastSequence()).toBe(folded.lastSequence);
              await expectEqual(store, radar);

              const outcomes = after.map((signal) => outcome(() => radar.ingest(signal)));
              radar.flush();
              const more = await new StoreFold(store, options).fold(
                after,
                folded.lastSequence,
                now,
              );
              expect(
                more.outcomes.map((o) => (o instanceof SignalRejectedError ? o.code : o)),
              ).toEqual(outcomes);
              await store.write(more.state);
              await expectEqual(store, radar);
            } finally {
              await remove();
            }
          },
        ),
        { numRuns },
      );
    }, 120_000);
  },
);
