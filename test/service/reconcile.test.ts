import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { flushedBatch } from '../../src/consumers/ingestor.js';
import { Radar } from '../../src/engine/index.js';
import { parseRules, type Ruleset } from '../../src/rules/index.js';
import { reconcileWithRadar } from '../../src/service/reconcile.js';
import { decodeJson } from '../../src/signals/index.js';
import type { Signal } from '../../src/signals/types.js';
import { MemoryStore, type RadarStore } from '../../src/store/index.js';
import { scenarioFile } from '../fixtures/scenarios.js';

async function scenarioSignals(): Promise<Signal[]> {
  const signals: Signal[] = [];
  for (const name of [
    '01-one-family-three-sources.ndjson',
    '02-shelter-does-not-merge.ndjson',
    '03-late-and-withdrawn.ndjson',
  ]) {
    for (const line of (await readFile(scenarioFile(name), 'utf8')).split('\n')) {
      if (line.trim() !== '') signals.push(decodeJson(line).signal);
    }
  }
  return signals;
}

async function rules(edit: (text: string) => string = (t) => t): Promise<Ruleset> {
  return parseRules(edit(await readFile(scenarioFile('rules.yaml'), 'utf8')), 'rules.yaml');
}

function radarOf(ruleset: Ruleset, signals: readonly Signal[]): Radar {
  const radar = new Radar({ ruleset });
  for (const signal of signals) radar.ingest(signal);
  radar.flush();
  return radar;
}

/** A store as the service leaves it after folding the signals under these rules. */
async function storeOf(ruleset: Ruleset, signals: readonly Signal[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.open();
  const radar = new Radar({ ruleset });
  for (const signal of signals) radar.ingest(signal);
  await store.write(flushedBatch(radar, signals, 0).state);
  return store;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function state(store: RadarStore) {
  const views = [];
  for await (const id of store.householdIds()) views.push(await store.householdView(id));
  return {
    households: await collect(store.households()),
    indicators: await collect(store.indicators()),
    views,
  };
}

/**
 * A threshold lowered from 3 to 2 (more households have the indicator) and a
 * rule renamed (its indicators are withdrawn and raised under the new id).
 */
const lowered = (text: string): string =>
  text.replace('gte: 3', 'gte: 2').replace('id: advies-dan-politie', 'id: advies-dan-politie-2');

describe('reconciling the stored state with the rebuilt radar', () => {
  it('writes nothing after a plain restart', async () => {
    const signals = await scenarioSignals();
    const store = await storeOf(await rules(), signals);
    expect(await reconcileWithRadar(radarOf(await rules(), signals), store)).toBeUndefined();
  });

  it('after a changed ruleset, stores what the new rules give, with an event per changed indicator', async () => {
    const signals = await scenarioSignals();
    const store = await storeOf(await rules(), signals);
    const before = await collect(store.indicators());
    const last = await store.lastSequence();

    const batch = await reconcileWithRadar(radarOf(await rules(lowered), signals), store);
    expect(batch).toBeDefined();
    await store.write(batch!);

    const expected = await storeOf(await rules(lowered), signals);
    expect(await state(store)).toEqual(await state(expected));
    const events = await collect(store.events(last));
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => last + i + 1));
    const after = await collect(store.indicators());
    const changed = after.filter(
      (i) =>
        JSON.stringify(i) !== JSON.stringify(before.find((b) => b.indicatorId === i.indicatorId)),
    );
    expect(changed.length).toBeGreaterThan(0);
    const byId = (a: { indicatorId: string }, b: { indicatorId: string }): number =>
      a.indicatorId < b.indicatorId ? -1 : 1;
    expect(
      events
        .filter((e) => e.type !== 'WITHDRAWN')
        .map((e) => e.indicator)
        .sort(byId),
    ).toEqual(changed.sort(byId));
    expect(events.filter((e) => e.type === 'WITHDRAWN').map((e) => e.indicator.ruleId)).toContain(
      'advies-dan-politie',
    );
  });

  it('gives every household a view in a store written before views existed', async () => {
    const signals = await scenarioSignals();
    const full = await storeOf(await rules(), signals);
    const store = new MemoryStore();
    await store.open();
    await store.write({
      householdsPut: await collect(full.households()),
      events: await collect(full.events(0)),
    });
    const batch = await reconcileWithRadar(radarOf(await rules(), signals), store);
    expect(batch?.events).toEqual([]);
    await store.write(batch!);
    expect((await state(store)).views).toEqual((await state(full)).views);
  });
});
