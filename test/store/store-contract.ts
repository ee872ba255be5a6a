/**
 * What every RadarStore must do, written once and run against each
 * implementation (the way abstract-level's test suite is): the service, the
 * backtest comparisons and the tests all rely on exactly this.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HouseholdView } from '../../src/engine/index.js';
import { prepareSignal } from '../../src/engine/prepare.js';
import { decodeJson } from '../../src/signals/index.js';
import { nationalSignalLines } from '../../src/synthetic/national.js';
import type { RadarStore, StateBatch, StoredEvent } from '../../src/store/index.js';
import {
  CODE_UNIT_IDS,
  collect,
  events,
  fullSignal,
  household,
  indicator,
  numberedBatch,
  snapshot,
  view,
  viewWithPersons,
  withdrawal,
} from './samples.js';

export interface StoreUnderTest {
  /** Not yet opened. */
  store: RadarStore;
  /**
   * Closes `store` and opens its data in a new instance, when the data can
   * outlive the instance. Every store must keep its data across close() and
   * open() of the same instance.
   */
  reopen?: () => Promise<RadarStore>;
  cleanup: () => Promise<void>;
}

export function storeContract(name: string, factory: () => Promise<StoreUnderTest>): void {
  describe(`${name} (RadarStore contract)`, () => {
    let subject: StoreUnderTest;
    let store: RadarStore;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
      await store.open();
    });

    afterEach(async () => {
      await store.close();
      await subject.cleanup();
    });

    describe('an empty store', () => {
      it('has no data and sequences at 0', async () => {
        expect(await snapshot(store)).toStrictEqual({
          signals: [],
          offsets: [],
          households: [],
          indicators: [],
          events: [],
          lastSequence: 0,
          publishedSequence: 0,
          counters: {},
        });
        expect(await store.household('h1')).toBeUndefined();
        expect(await store.indicator('rule/S-1')).toBeUndefined();
      });

      it('accepts an empty batch', async () => {
        await store.write({});
        expect(await store.lastSequence()).toBe(0);
      });
    });

    describe('started empty', () => {
      it('reads back by key what it writes after, and nothing it did not write', async () => {
        // Sized far below what is written, so that some keys not written pass the filter.
        await store.startEmpty(4);
        for (let n = 1; n <= 5; n++) await store.write(numberedBatch(n));
        for (let n = 1; n <= 5; n++) {
          const id = String(n).padStart(6, '0');
          expect(await store.signal(`S-${id}-3`)).toStrictEqual(fullSignal(`S-${id}-3`));
          expect((await store.indicatorRecord(`rule/S-${id}`))?.sequence).toBe(3 * n);
        }
        expect(await store.household('H-000005')).toStrictEqual(household('H-000005'));
        expect(await store.household('H-000004')).toBeUndefined();
        expect(await store.signal('S-000009-0')).toBeUndefined();
      });

      it('refuses once it holds a signal', async () => {
        await store.write(numberedBatch(1));
        await expect(store.startEmpty(100)).rejects.toThrow('holds');
      });
    });

    describe('round trips', () => {
      it('returns signals exactly as written, absent fields still absent', async () => {
        const signals = [fullSignal('S-1'), withdrawal('S-2', ['S-1'])];
        await store.write({ signals });
        const read = await collect(store.signals());
        expect(read.sort((a, b) => a.id.localeCompare(b.id))).toStrictEqual(signals);
        expect(Object.keys(read[1]!)).not.toContain('occurredAt');
      });

      it('replaces a signal written again under the same id', async () => {
        await store.write({ signals: [fullSignal('S-1')] });
        await store.write({ signals: [withdrawal('S-1', ['S-0'])] });
        expect(await collect(store.signals())).toStrictEqual([withdrawal('S-1', ['S-0'])]);
      });

      it('returns households, indicators, events, offsets and sequences as written', async () => {
        const batch: StateBatch = {
          householdsPut: [household('h1', ['S-1', 'S-2'])],
          events: events(1, 2),
          offsets: new Map([['radar.meldingen:0', '9007199254740993']]),
          publishedSequence: 1,
          counters: { accepted: 2, rejected: 0 },
        };
        await store.write(batch);
        expect(await store.household('h1')).toStrictEqual(household('h1', ['S-1', 'S-2']));
        // The indicator as its last event left it.
        expect(await store.indicator('rule/S-1')).toStrictEqual(indicator('rule/S-1', 1));
        expect(await snapshot(store)).toStrictEqual({
          signals: [],
          offsets: [['radar.meldingen:0', '9007199254740993']],
          households: [household('h1', ['S-1', 'S-2'])],
          indicators: [indicator('rule/S-1', 1)],
          events: events(1, 2),
          lastSequence: 2,
          publishedSequence: 1,
          counters: { accepted: 2, rejected: 0 },
        });
      });

      it('keeps what it stored apart from the objects it was given and hands out', async () => {
        const signal = fullSignal('S-1');
        const h = household('h1');
        await store.write({ signals: [signal], householdsPut: [h] });
        signal.persons[0]!.familyName = 'changed';
        h.signalIds.push('changed');
        const read = await store.household('h1');
        read!.personCount = 99;
        expect(await collect(store.signals())).toStrictEqual([fullSignal('S-1')]);
        expect(await store.household('h1')).toStrictEqual(household('h1'));
      });

      it('keeps the kinds of data apart when ids coincide', async () => {
        await store.write({
          signals: [fullSignal('x')],
          householdsPut: [household('x')],
          events: events(1, 1, 'x'),
          offsets: new Map([['x', '1']]),
          counters: { x: 1 },
        });
        expect(await collect(store.signals())).toHaveLength(1);
        expect(await collect(store.households())).toStrictEqual([household('x')]);
        expect(await collect(store.indicators())).toStrictEqual([indicator('x', 0)]);
      });
    });

    describe('compaction', () => {
      it('leaves every value as it was, before and after a reopen', async () => {
        for (let n = 1; n <= 5; n++) await store.write(numberedBatch(n));
        await store.write({
          householdsDeleted: ['H-000005'],
          householdViews: [viewWithPersons('H-000009')],
          marks: { rules: 'r1' },
        });
        const before = await snapshot(store);
        const viewBefore = await store.householdView('H-000009');
        expect(await store.compact()).toBe(true);
        expect(await snapshot(store)).toStrictEqual(before);
        expect(await store.householdView('H-000009')).toStrictEqual(viewBefore);
        expect(await store.marks()).toStrictEqual({ rules: 'r1' });
        if (subject.reopen !== undefined) {
          store = await subject.reopen();
          expect(await snapshot(store)).toStrictEqual(before);
        }
      });

      it('leaves every value as it was when its slices are parted again and again', async () => {
        for (let n = 1; n <= 3; n++) await store.write(numberedBatch(n));
        const before = await snapshot(store);
        // The first puts what the memtable holds into tables; the second finds them large.
        expect(await store.compact(undefined, 4096)).toBe(true);
        expect(await store.compact(undefined, 4096)).toBe(true);
        expect(await snapshot(store)).toStrictEqual(before);
      });

      it('stops before the next slice once told to, and says so', async () => {
        await store.write(numberedBatch(1));
        let asked = 0;
        expect(await store.compact(() => ++asked > 2)).toBe(false);
        expect(asked).toBe(3);
        expect(await collect(store.signals())).toHaveLength(20);
      });
    });

    describe('deletes', () => {
      it('removes households, and ignores unknown ids', async () => {
        await store.write({ householdsPut: [household('h1'), household('h2')] });
        await store.write({ householdsDeleted: ['h1', 'unknown'] });
        expect(await collect(store.households())).toStrictEqual([household('h2')]);
        expect(await store.household('h1')).toBeUndefined();
      });

      it('applies the puts of a batch after its deletes', async () => {
        await store.write({ householdsPut: [household('h1')] });
        await store.write({
          householdsDeleted: ['h1'],
          householdsPut: [household('h1', ['S-9'])],
        });
        expect(await store.household('h1')).toStrictEqual(household('h1', ['S-9']));
      });
    });

    describe('current indicators', () => {
      const event = (sequence: number, type: StoredEvent['type'], id: string): StoredEvent => ({
        sequence,
        type,
        indicator: indicator(id, sequence),
        recordedAt: '2024-01-01T00:00:00.000Z',
      });

      it('are those whose last event is not a withdrawal, as it left them', async () => {
        await store.write({ events: [event(1, 'RAISED', 'r/1'), event(2, 'RAISED', 'r/2')] });
        await store.write({ events: [event(3, 'WITHDRAWN', 'r/2'), event(4, 'UPDATED', 'r/1')] });
        expect(await collect(store.indicators())).toStrictEqual([indicator('r/1', 4)]);
        expect(await store.indicator('r/1')).toStrictEqual(indicator('r/1', 4));
        expect(await store.indicator('r/2')).toBeUndefined();
        expect(await store.indicator('unknown')).toBeUndefined();
      });

      it('follow the last event of a batch that has several for one indicator', async () => {
        await store.write({ events: [event(1, 'RAISED', 'r/1'), event(2, 'RAISED', 'r/2')] });
        await store.write({
          events: [
            event(3, 'WITHDRAWN', 'r/1'),
            event(4, 'RAISED', 'r/1'),
            event(5, 'UPDATED', 'r/2'),
            event(6, 'WITHDRAWN', 'r/2'),
          ],
        });
        expect(await collect(store.indicators())).toStrictEqual([indicator('r/1', 4)]);
      });
    });

    describe('order', () => {
      // LevelDB's byte order: digits < upper case < lower case, a prefix
      // before its extensions, multi-byte UTF-8 last.
      const ids = ['10', '9', 'A', 'a', 'a!', 'a"', 'aa', 'b', 'é', '😀'];
      const shuffled = ['b', '😀', 'a"', '9', 'aa', 'é', 'A', 'a!', '10', 'a'];

      it('lists households by id', async () => {
        await store.write({ householdsPut: shuffled.map((id) => household(id)) });
        expect((await collect(store.households())).map((h) => h.householdId)).toStrictEqual(ids);
      });

      it('lists indicators by id', async () => {
        await store.write({
          events: shuffled.flatMap((id, i) => events(i + 1, 1, id)),
        });
        expect((await collect(store.indicators())).map((i) => i.indicatorId)).toStrictEqual(ids);
      });

      it('lists events by sequence across batches, past the first digit', async () => {
        await store.write({ events: events(1, 9) });
        await store.write({ events: events(10, 3) });
        expect((await collect(store.events(0))).map((e) => e.sequence)).toStrictEqual(
          Array.from({ length: 12 }, (_, i) => i + 1),
        );
      });
    });

    describe('events(after)', () => {
      beforeEach(async () => {
        await store.write({ events: events(1, 11) });
      });

      const cases: [number, number[]][] = [
        [-1, range(1, 11)],
        [0, range(1, 11)],
        [1, range(2, 11)],
        [2.5, range(3, 11)],
        [9, [10, 11]],
        [10, [11]],
        [11, []],
        [1000, []],
      ];
      it.each(cases)('after %d yields %j', async (after, expected) => {
        expect((await collect(store.events(after))).map((e) => e.sequence)).toStrictEqual(expected);
      });
    });

    describe('the event sequence', () => {
      const gaps: [string, number, number[]][] = [
        ['does not start at 1', 0, [2]],
        ['skips a number', 0, [1, 3]],
        ['repeats a stored sequence', 2, [2, 3]],
        ['goes backwards', 2, [1]],
      ];
      it.each(gaps)(
        'rejects a batch whose events %s, with SEQUENCE_GAP',
        async (_, stored, next) => {
          if (stored > 0) await store.write({ events: events(1, stored) });
          const write = store.write({ events: next.flatMap((sequence) => events(sequence, 1)) });
          await expect(write).rejects.toMatchObject({ code: 'SEQUENCE_GAP', retriable: false });
          expect(await store.lastSequence()).toBe(stored);
        },
      );

      it('writes nothing of a rejected batch, and accepts the next good one', async () => {
        await store.write(numberedBatch(1));
        const before = await snapshot(store);
        const bad: StateBatch = { ...numberedBatch(2), events: events(5, 3) };
        await expect(store.write(bad)).rejects.toMatchObject({ code: 'SEQUENCE_GAP' });
        expect(await snapshot(store)).toStrictEqual(before);
        await store.write(numberedBatch(2));
        expect(await store.lastSequence()).toBe(6);
      });

      it('leaves the sequence alone for batches without events', async () => {
        await store.write({ events: events(1, 2) });
        await store.write({ signals: [fullSignal('S-1')] });
        expect(await store.lastSequence()).toBe(2);
      });

      it('goes on from a sequence base on a store without events, and only there', async () => {
        await store.write({ sequenceBase: 40 });
        expect(await store.lastSequence()).toBe(40);
        await expect(store.write({ events: events(1, 1) })).rejects.toMatchObject({
          code: 'SEQUENCE_GAP',
        });
        await store.write({ events: events(41, 2), sequenceBase: 40 });
        expect((await collect(store.events(0))).map((e) => e.sequence)).toStrictEqual([41, 42]);
        await expect(store.write({ sequenceBase: 50 })).rejects.toMatchObject({
          code: 'SEQUENCE_GAP',
        });
        expect(await store.lastSequence()).toBe(42);
      });

      it('checks each of several writes in flight against the one before it', async () => {
        await Promise.all([1, 4, 7].map((first) => store.write({ events: events(first, 3) })));
        expect(await store.lastSequence()).toBe(9);
        await expect(
          Promise.all([
            store.write({ events: events(10, 1) }),
            store.write({ events: events(10, 1) }),
          ]),
        ).rejects.toMatchObject({ code: 'SEQUENCE_GAP' });
        expect(await store.lastSequence()).toBe(10);
      });
    });

    describe('offsets, counters and the published sequence', () => {
      it('replaces the offset of a partition and keeps the others', async () => {
        await store.write({
          offsets: new Map([
            ['t:0', '5'],
            ['t:1', '7'],
          ]),
        });
        await store.write({ offsets: new Map([['t:0', '12']]) });
        expect(await store.offsets()).toStrictEqual(
          new Map([
            ['t:0', '12'],
            ['t:1', '7'],
          ]),
        );
      });

      it('replaces counters instead of adding to them, and keeps unnamed ones', async () => {
        await store.write({ counters: { accepted: 5, rejected: 2 } });
        await store.write({ counters: { accepted: 3 } });
        expect(await store.counters()).toStrictEqual({ accepted: 3, rejected: 2 });
      });

      it('replaces the published sequence only when a batch names it', async () => {
        await store.write({ events: events(1, 4), publishedSequence: 2 });
        await store.write({ signals: [fullSignal('S-1')] });
        expect(await store.publishedSequence()).toBe(2);
        await store.write({ publishedSequence: 4 });
        expect(await store.publishedSequence()).toBe(4);
      });
    });

    describe('what the API reads: views, records and their indexes', () => {
      it('finds a household view by each of its index entries, in id order, and pages after an id', async () => {
        await store.write({
          householdsPut: [household('h2'), household('h1')],
          householdViews: [view('h2'), view('h1', { regions: ['VT01', 'VT07'] })],
        });
        expect((await store.householdView('h1'))?.regions).toEqual(['VT01', 'VT07']);
        expect(await collect(store.householdIds())).toEqual(['h1', 'h2']);
        expect(await collect(store.householdIds({ index: 'bsn', key: '111222333' }))).toEqual([
          'h1',
          'h2',
        ]);
        expect(await collect(store.householdIds({ index: 'region', key: 'VT01' }))).toEqual(['h1']);
        expect(
          await collect(store.householdIds({ index: 'address', key: '1234AB|12|A|2' }, 'h1')),
        ).toEqual(['h2']);
        expect(await collect(store.householdIds({ index: 'level', key: 'hoog' }))).toHaveLength(2);
        expect(await collect(store.householdIds({ index: 'rule', key: 'rule' }))).toHaveLength(2);
        expect(await store.householdOfSignal('h1-s')).toBe('h1');
      });

      it('replaces a view with its index entries, and removes both with the household', async () => {
        await store.write({ householdsPut: [household('h1')], householdViews: [view('h1')] });
        await store.write({
          householdsPut: [household('h1', ['S-1', 'S-2'])],
          householdViews: [view('h1', { signalIds: ['S-1', 'S-2'], bsns: ['999999990'] })],
        });
        expect(await collect(store.householdIds({ index: 'bsn', key: '111222333' }))).toEqual([]);
        expect(await collect(store.householdIds({ index: 'bsn', key: '999999990' }))).toEqual([
          'h1',
        ]);
        expect(await store.householdOfSignal('h1-s')).toBeUndefined();
        expect(await store.householdOfSignal('S-2')).toBe('h1');
        await store.write({ householdsDeleted: ['h1'] });
        expect(await store.householdView('h1')).toBeUndefined();
        expect(await collect(store.householdIds({ index: 'bsn', key: '999999990' }))).toEqual([]);
        expect(await store.householdOfSignal('S-2')).toBeUndefined();
        // A household id stays resolvable to its smallest signal after it is gone; an id
        // names one smallest signal for good, so the first one written is kept.
        expect(await store.smallestSignalOf('h1')).toBe('h1-s');
      });

      it('returns a view exactly as written, whichever summary of its household is stored', async () => {
        const signalIds = CODE_UNIT_IDS;
        const written = viewWithPersons('h1');
        await store.write({
          householdsPut: [{ householdId: 'h1', signalIds, personCount: 2 }],
          householdViews: [written],
        });
        expect(await store.householdView('h1')).toStrictEqual(written);
        // Put alone beside the summary stored before, as re-evaluation puts a view.
        const reevaluated = { ...written, indicatorLevels: ['laag'], activeIndicatorCount: 2 };
        await store.write({ householdViews: [reevaluated] });
        expect(await store.householdView('h1')).toStrictEqual(reevaluated);
        // A summary put without its view leaves the view as it stood.
        await store.write({ householdsPut: [household('h1', ['S-1', 'S-3'])] });
        expect(await store.householdView('h1')).toStrictEqual(reevaluated);
        const replaced = view('h1', { signalIds: ['S-1', 'S-3'] });
        await store.write({
          householdsPut: [household('h1', ['S-1', 'S-3'])],
          householdViews: [replaced],
        });
        expect(await store.householdView('h1')).toStrictEqual(replaced);
        expect(await store.householdOfSignal('Ａ')).toBeUndefined();
        expect(await store.householdOfSignal('S-3')).toBe('h1');
        // Views whose summary lists other signals, or that have none.
        const others = view('h2', { signalIds: ['S-5', 'S-6'] });
        const alone = view('h3', { signalIds: ['S-7'] });
        await store.write({
          householdsPut: [household('h2', ['S-5'])],
          householdViews: [others, alone],
        });
        expect(await store.householdView('h2')).toStrictEqual(others);
        expect(await store.householdView('h3')).toStrictEqual(alone);
        expect(await store.householdView('h4')).toBeUndefined();
      });

      it('moves a signal to the household put in the same batch as its old one is deleted', async () => {
        await store.write({ householdViews: [view('h2', { signalIds: ['S-5'] })] });
        await store.write({
          householdsDeleted: ['h2'],
          householdViews: [view('h1', { signalIds: ['S-1', 'S-5'] })],
        });
        expect(await store.householdOfSignal('S-5')).toBe('h1');
      });

      it('keeps a record of every indicator from its events, withdrawn ones too, indexed', async () => {
        const raised = events(1, 1, 'r/S-1')[0]!;
        // One of its signals stored before, one in the same batch, one not at all.
        await store.write({ signals: [{ ...fullSignal('S-03'), region: 'VT03' }] });
        await store.write({ signals: [fullSignal('S-09')], events: [raised] });
        expect(await store.indicatorRecord('r/S-1')).toEqual({
          indicator: raised.indicator,
          active: true,
          signalRegions: ['VT03', 'VT07'],
          regions: ['VT03', 'VT07'],
          sequence: 1,
          recordedAt: raised.recordedAt,
        });
        const moved = { ...raised.indicator, householdId: 'h9', level: 'kritiek' as const };
        await store.write({
          events: [
            { sequence: 2, type: 'WITHDRAWN', indicator: moved, recordedAt: raised.recordedAt },
          ],
        });
        expect(await store.indicatorRecord('r/S-1')).toMatchObject({ active: false, sequence: 2 });
        expect(await collect(store.indicatorIds({ index: 'household', key: 'h1' }))).toEqual([]);
        expect(await collect(store.indicatorIds({ index: 'household', key: 'h9' }))).toEqual([
          'r/S-1',
        ]);
        expect(await collect(store.indicatorIds({ index: 'level', key: 'hoog' }))).toEqual([]);
        expect(await collect(store.indicatorIds({ index: 'level', key: 'kritiek' }))).toEqual([
          'r/S-1',
        ]);
        expect(await collect(store.indicatorIds({ index: 'rule', key: 'r' }))).toEqual(['r/S-1']);
        expect(await collect(store.indicatorIds({ index: 'signal', key: 'S-09' }))).toEqual([
          'r/S-1',
        ]);
        expect(await collect(store.indicatorIds())).toEqual(['r/S-1']);
      });

      it("keeps the regions of an indicator's signals as they grow and shrink", async () => {
        await store.write({
          signals: [
            { ...fullSignal('S-1'), region: 'VT01' },
            { ...fullSignal('S-2'), region: 'VT02' },
          ],
        });
        const at = (sequence: number, signalIds: string[]): StoredEvent => ({
          ...events(sequence, 1, 'r/S-1')[0]!,
          type: sequence === 1 ? 'RAISED' : 'UPDATED',
          indicator: { ...indicator('r/S-1'), signalIds },
        });
        await store.write({ events: [at(1, ['S-1'])] });
        await store.write({
          signals: [{ ...fullSignal('S-3'), region: 'VT03' }],
          events: [at(2, ['S-1', 'S-2', 'S-3'])],
        });
        expect((await store.indicatorRecord('r/S-1'))?.signalRegions).toEqual([
          'VT01',
          'VT02',
          'VT03',
        ]);
        await store.write({ events: [at(3, ['S-2', 'S-3'])] });
        expect((await store.indicatorRecord('r/S-1'))?.signalRegions).toEqual(['VT02', 'VT03']);
      });

      it("indexes an indicator under its household's regions, following the household's view", async () => {
        await store.write({ events: events(1, 1, 'r/S-1') });
        expect(await collect(store.indicatorIds({ index: 'region', key: 'VT11' }))).toEqual([]);
        await store.write({ householdViews: [view('h1', { regions: ['VT11'] })] });
        expect(await collect(store.indicatorIds({ index: 'region', key: 'VT11' }))).toEqual([
          'r/S-1',
        ]);
        expect((await store.indicatorRecord('r/S-1'))?.regions).toEqual(['VT11']);
        await store.write({ householdsDeleted: ['h1'] });
        expect(await collect(store.indicatorIds({ index: 'region', key: 'VT11' }))).toEqual([]);
      });

      it('keeps every household index equal to a scan of the current views, whatever the batches', async () => {
        const ids = ['h1', 'h2', 'h3', 'h1!'];
        const few = (values: string[]) =>
          fc.uniqueArray(fc.constantFrom(...values), { maxLength: 3 }).map((v) => v.sort());
        const aView = fc
          .record({
            id: fc.constantFrom(...ids),
            regions: few(['VT01', 'VT02', 'VT03']),
            bsns: few(['111222333', '999999990']),
            indicatorLevels: few(['hoog', 'laag']),
          })
          .map(({ id, ...fields }) => view(id, { ...fields, signalIds: [`${id}-a`, `${id}-b`] }));
        const batch = fc.record({
          views: fc.uniqueArray(aView, { selector: (v) => v.householdId, maxLength: 3 }),
          deleted: fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 2 }),
        });
        await fc.assert(
          fc.asyncProperty(fc.array(batch, { maxLength: 6 }), async (batches) => {
            const subject = await factory();
            const s = subject.store;
            await s.open();
            try {
              const current = new Map<string, HouseholdView>();
              for (const { views, deleted } of batches) {
                await s.write({ householdsDeleted: deleted, householdViews: views });
                for (const id of deleted) current.delete(id);
                for (const v of views) current.set(v.householdId, v);
              }
              const scan = (pick: (v: HouseholdView) => string[], key: string): string[] =>
                [...current.values()]
                  .filter((v) => pick(v).includes(key))
                  .map((v) => v.householdId)
                  .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
              for (const key of ['VT01', 'VT02', 'VT03'])
                expect(await collect(s.householdIds({ index: 'region', key }))).toEqual(
                  scan((v) => v.regions, key),
                );
              for (const key of ['111222333', '999999990'])
                expect(await collect(s.householdIds({ index: 'bsn', key }))).toEqual(
                  scan((v) => v.bsns, key),
                );
              for (const key of ['hoog', 'laag'])
                expect(await collect(s.householdIds({ index: 'level', key }))).toEqual(
                  scan((v) => v.indicatorLevels, key),
                );
              for (const id of ids) {
                expect(await s.householdOfSignal(`${id}-a`)).toBe(current.has(id) ? id : undefined);
              }
            } finally {
              await s.close();
              await subject.cleanup();
            }
          }),
          { numRuns: 40 },
        );
      });

      it('keeps index keys of ids that extend one another apart', async () => {
        await store.write({
          householdViews: [
            view('h1', { regions: ['VT01'], signalIds: ['a'] }),
            view('h2', { signalIds: ['a!b'] }),
          ],
        });
        await store.write({
          events: [
            { ...events(1, 1, 'r/a')[0]!, indicator: { ...indicator('r/a'), signalIds: ['a'] } },
            {
              ...events(2, 1, 'r/ab')[0]!,
              indicator: { ...indicator('r/ab'), signalIds: ['a!b'] },
            },
          ],
        });
        expect(await collect(store.indicatorIds({ index: 'signal', key: 'a' }))).toEqual(['r/a']);
        expect(await store.householdOfSignal('a')).toBe('h1');
      });

      it('tells its event listeners the last sequence after a write that stored events', async () => {
        const heard: number[] = [];
        const stop = store.onEvents((last) => heard.push(last));
        await store.write({ events: events(1, 2) });
        await store.write({ counters: { x: 1 } });
        stop();
        await store.write({ events: events(3, 1) });
        expect(heard).toEqual([2]);
      });

      it('returns a stored signal by id, and undefined for an unknown one', async () => {
        await store.write({ signals: [fullSignal('S-1')] });
        expect(await store.signal('S-1')).toStrictEqual(fullSignal('S-1'));
        expect(await store.signal('S-2')).toBeUndefined();
      });
    });

    describe('durability', () => {
      it('applies a write that need not be synced like any other', async () => {
        await store.write({ events: events(1, 2) });
        await store.write({ publishedSequence: 2 }, { durable: false });
        expect(await store.publishedSequence()).toBe(2);
        expect(await collect(store.events(0))).toEqual(events(1, 2));
      });
    });

    describe('open and close', () => {
      it('rejects every call with STORE_NOT_OPEN after close()', async () => {
        await store.close();
        await expectNotOpen(store);
      });

      it('rejects every call with STORE_NOT_OPEN before open()', async () => {
        const fresh = await factory();
        try {
          await expectNotOpen(fresh.store);
        } finally {
          await fresh.cleanup();
        }
      });

      it('treats a second open() and a second close() as no-ops', async () => {
        await store.write({ events: events(1, 1) });
        await store.open();
        expect(await store.lastSequence()).toBe(1);
        await store.close();
        await store.close();
      });
    });

    describe('persistence', () => {
      it('keeps everything across close and open, and continues the sequence', async () => {
        for (let n = 1; n <= 3; n++) await store.write(numberedBatch(n));
        await store.write({ signals: [withdrawal('S-x', ['S-000001-0'])] });
        const before = await snapshot(store);

        await store.close();
        await store.open();
        expect(await snapshot(store)).toStrictEqual(before);
        if (subject.reopen) {
          store = await subject.reopen();
          expect(await snapshot(store)).toStrictEqual(before);
        }

        await expect(store.write({ events: events(11, 1) })).rejects.toMatchObject({
          code: 'SEQUENCE_GAP',
        });
        await store.write(numberedBatch(4));
        expect(await store.lastSequence()).toBe(12);
      });
    });

    it('prepares the stored signals as the fold prepared them, names with diacritics, withdrawals and all', async () => {
      const signals = [];
      for (const line of nationalSignalLines({ years: 1, linesPerYear: 3000, seed: 3 })) {
        try {
          signals.push(decodeJson(line).signal);
        } catch {
          // The generator's malformed lines never reach the store.
        }
      }
      expect(signals.some((s) => s.kind === 'INTREKKING')).toBe(true);
      await store.write({ signals });
      const read = await store.preparedSignals(signals.map((s) => s.id));
      expect(read.size).toBe(new Set(signals.map((s) => s.id)).size);
      const expected = new Map(signals.map((s) => [s.id, prepareSignal(s)]));
      expect(read).toStrictEqual(expected);
    });

    describe("the fold's state at an address", () => {
      const at = (id: string, occurredAt: string) =>
        prepareSignal({ ...fullSignal(id), occurredAt });
      const signals = [
        at('S-1', '2020-01-01T00:00:00Z'),
        at('S-2', '2020-12-20T00:00:00Z'),
        at('S-3', '2021-06-01T00:00:00Z'),
        at('S-4', '2024-01-01T00:00:00Z'),
      ];
      const address = signals[0]!.graph!.addressKey!;

      it("finds a signal's neighbours along the address, leaving out only those more than 365 days away", async () => {
        await store.write({ fold: { prepared: signals, linked: signals } });
        const neighbours = (t: string) => store.addressNeighbours(address, Date.parse(t), 'S-9');
        expect(await neighbours('2021-01-01T00:00:00Z')).toEqual(['S-2', 'S-3']);
        expect(await neighbours('2019-06-01T00:00:00Z')).toEqual(['S-1']);
        // S-3 lies two years back, in a window not read: it could not link.
        expect(await neighbours('2023-06-01T00:00:00Z')).toEqual(['S-4']);
        expect(
          await store.addressNeighbours('9999ZZ|1||', Date.parse('2021-01-01'), 'S-9'),
        ).toEqual([]);
        await store.write({ fold: { unlinked: [signals[1]!] } });
        expect(await neighbours('2021-01-01T00:00:00Z')).toEqual(['S-1', 'S-3']);
      });

      it('counts the persons each household names there, and all of them', async () => {
        await store.write({
          fold: {
            addressPersonsPut: [
              { addressKey: address, householdId: 'h1', persons: 2 },
              { addressKey: address, householdId: 'h2', persons: 3 },
            ],
          },
        });
        expect(await store.personsAt(address)).toBe(5);
        expect(await store.householdsAt(address)).toEqual(
          new Map([
            ['h1', 2],
            ['h2', 3],
          ]),
        );
        expect(await store.householdPersonsAt(address, ['h2', 'h9'])).toEqual([3, 0]);
        await store.write({
          fold: {
            addressPersonsDeleted: [
              { addressKey: address, householdId: 'h1' },
              { addressKey: address, householdId: 'h2' },
            ],
            addressPersonsPut: [{ addressKey: address, householdId: 'h1', persons: 4 }],
          },
        });
        expect(await store.personsAt(address)).toBe(4);
        expect(await store.householdsAt(address)).toEqual(new Map([['h1', 4]]));
        await store.write({
          fold: { addressPersonsDeleted: [{ addressKey: address, householdId: 'h1' }] },
        });
        expect(await store.personsAt(address)).toBe(0);
        expect(await store.householdsAt(address)).toEqual(new Map());
      });
    });
  });
}

async function expectNotOpen(store: RadarStore): Promise<void> {
  const calls: (() => Promise<unknown>)[] = [
    () => store.write({}),
    () => collect(store.signals()),
    () => store.offsets(),
    () => collect(store.households()),
    () => store.household('h1'),
    () => collect(store.indicators()),
    () => store.indicator('r/1'),
    () => collect(store.events(0)),
    () => store.lastSequence(),
    () => store.publishedSequence(),
    () => store.counters(),
  ];
  for (const call of calls) await expect(call()).rejects.toMatchObject({ code: 'STORE_NOT_OPEN' });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
