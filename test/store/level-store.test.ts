import { access } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import leveldown from 'leveldown';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Signal } from '../../src/signals/types.js';
import { prepareSignal } from '../../src/engine/prepare.js';
import {
  LevelStore,
  MemoryStore,
  openStore,
  type RadarStore,
  type StateBatch,
  type StoredEvent,
} from '../../src/store/index.js';
import {
  collect,
  events,
  fullSignal,
  household,
  indicator,
  snapshot,
  view,
  withdrawal,
} from './samples.js';
import { storeContract } from './store-contract.js';
import { tempDir } from './temp-dir.js';

for (const sync of [true, false]) {
  storeContract(`LevelStore (sync: ${String(sync)})`, async () => {
    const dir = await tempDir();
    let store = new LevelStore(dir.path, { sync });
    return {
      store,
      reopen: async () => {
        await store.close();
        store = new LevelStore(dir.path, { sync });
        await store.open();
        return store;
      },
      cleanup: async () => {
        await store.close();
        await dir.remove();
      },
    };
  });
}

describe('LevelStore on disk', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const opened: RadarStore[] = [];

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await dir.remove();
  });

  async function open(path = dir.path, options = {}): Promise<LevelStore> {
    const store = await openStore({ dataDir: path, ...options });
    opened.push(store);
    return store;
  }

  it('creates the data directory, parents included', async () => {
    const path = join(dir.path, 'a', 'b');
    await open(path);
    await expect(access(join(path, 'CURRENT'))).resolves.toBeUndefined();
  });

  it('fails with STORE_NOT_FOUND, creating nothing, when told not to create a missing store', async () => {
    const path = join(dir.path, 'missing');
    await expect(open(path, { createIfMissing: false })).rejects.toMatchObject({
      code: 'STORE_NOT_FOUND',
    });
    await expect(access(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('opens an existing store when told not to create one', async () => {
    const first = await open();
    await first.write({ householdsPut: [household('h1')] });
    await first.close();
    const again = await open(dir.path, { createIfMissing: false });
    expect(await again.household('h1')).toStrictEqual(household('h1'));
  });

  it('fails a batch LevelDB would not take with STORE_IO, writing none of it', async () => {
    const store = await open();
    // A counter of undefined has no JSON, so its operation goes to LevelDB without a value.
    const unwritable = { householdsPut: [household('h1')], counters: { broken: undefined } };
    await expect(store.write(unwritable as unknown as StateBatch)).rejects.toMatchObject({
      code: 'STORE_IO',
    });
    expect(await store.household('h1')).toBeUndefined();
    await store.write({ householdsPut: [household('h2')] });
    expect(await store.household('h2')).toStrictEqual(household('h2'));
  });

  it('fails with STORE_LOCKED, naming the directory, while another store has it open', async () => {
    const first = await open();
    const second = new LevelStore(dir.path);
    const failure = await second.open().catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'STORE_LOCKED', retriable: true });
    expect((failure as Error).message).toContain(dir.path);
    await first.write({ householdsPut: [household('h1')] });
    await first.close();
    await second.open();
    opened.push(second);
    expect(await second.household('h1')).toStrictEqual(household('h1'));
  });

  /** Runs `use` on the directory's LevelDB opened raw, as another program would. */
  async function raw<T>(use: (db: ReturnType<typeof leveldown>) => Promise<T>): Promise<T> {
    const db = leveldown(dir.path);
    await new Promise<void>((resolve, reject) =>
      db.open({ createIfMissing: true }, (e) => (e ? reject(e) : resolve())),
    );
    try {
      return await use(db);
    } finally {
      await new Promise<void>((resolve, reject) => db.close((e) => (e ? reject(e) : resolve())));
    }
  }

  async function plant(...entries: [key: string, value: string][]): Promise<void> {
    await raw(
      (db) =>
        new Promise<void>((resolve, reject) =>
          entries
            .reduce((batch, [key, value]) => batch.put(key, value), db.batch())
            .write({ sync: true }, (e) => (e ? reject(e) : resolve())),
        ),
    );
  }

  async function remove(...keys: string[]): Promise<void> {
    await raw(
      (db) =>
        new Promise<void>((resolve, reject) =>
          keys
            .reduce((batch, key) => batch.del(key), db.batch())
            .write({ sync: true }, (e) => (e ? reject(e) : resolve())),
        ),
    );
  }

  async function rawKeys(): Promise<string[]> {
    return raw(async (db) => {
      const keys: string[] = [];
      const iterator = db.iterator({
        values: false,
        keyAsBuffer: false,
        valueAsBuffer: false,
      });
      for (let entry = await iterator.next(); entry !== undefined; entry = await iterator.next())
        keys.push(entry[0]);
      await iterator.end();
      return keys;
    });
  }

  async function rawValue(key: string): Promise<unknown> {
    const text = await raw(
      (db) =>
        new Promise<string | undefined>((resolve) =>
          db.getMany([key], { asBuffer: false }, (_e, values) => resolve(values?.[0])),
        ),
    );
    return text === undefined ? undefined : JSON.parse(text);
  }

  it('turns the BSN and household indexes an older radar kept one key an entry into lists on open', async () => {
    const entry = (prefix: string, key: string, id: string): [string, string] => [
      `${prefix}${key}\u0000${id}`,
      '""',
    ];
    await plant(
      entry('xb!', '111222333', 'h2'),
      entry('xb!', '111222333', 'h1'),
      entry('xb!', '999999990', 'h2'),
      entry('ih!', 'h1', 'i2'),
      entry('ih!', 'h1', 'i1'),
      // What an open cut short after its first write left: a list, and entries still to convert.
      ['hb!111222333', '["h0"]'],
    );
    const store = await open();
    expect(await collect(store.householdIds({ index: 'bsn', key: '111222333' }))).toEqual([
      'h0',
      'h1',
      'h2',
    ]);
    expect(await collect(store.householdIds({ index: 'bsn', key: '999999990' }))).toEqual(['h2']);
    expect(await collect(store.indicatorIds({ index: 'household', key: 'h1' }))).toEqual([
      'i1',
      'i2',
    ]);
    await store.close();
    opened.splice(0);
    expect(await rawKeys()).toEqual(['hb!111222333', 'hb!999999990', 'hi!h1']);
  });

  it('splits the address records an older radar kept whole into windows and households on open', async () => {
    const day = 24 * 60 * 60 * 1000;
    const address = '1234AB|12|A|2';
    await plant(
      [
        `ka!${address}`,
        JSON.stringify([
          [0, 'S-1'],
          [400 * day, 'S-2'],
          [1000 * day, 'S-3'],
        ]),
      ],
      [`ap!${address}`, JSON.stringify({ h1: 2, h2: 5 })],
    );
    const store = await open();
    expect(await store.addressNeighbours(address, 401 * day, 'S-9')).toEqual(['S-2', 'S-3']);
    expect(await store.addressNeighbours(address, 1, 'S-9')).toEqual(['S-1', 'S-2']);
    expect(await store.personsAt(address)).toBe(7);
    expect(await store.householdsAt(address)).toEqual(
      new Map([
        ['h1', 2],
        ['h2', 5],
      ]),
    );
    await store.close();
    opened.splice(0);
    expect(await rawKeys()).toEqual([
      `kp!${address}\u0000h1`,
      `kp!${address}\u0000h2`,
      `kq!${address}`,
      `kw!${address}\u00000`,
      `kw!${address}\u00001`,
      `kw!${address}\u00002`,
    ]);
  });

  it('deletes the copy of each current indicator an older radar kept beside its record', async () => {
    const store = await open();
    await store.write({ events: events(1, 2, 'rule/S-1') });
    await store.close();
    opened.splice(0);
    await plant(['ind!rule/S-1', JSON.stringify(indicator('rule/S-1', 0))]);
    expect(await rawKeys()).toContain('ind!rule/S-1');
    const reopened = await open();
    expect(await collect(reopened.indicators())).toStrictEqual([indicator('rule/S-1', 1)]);
    await reopened.close();
    opened.splice(0);
    expect((await rawKeys()).filter((key) => key.startsWith('ind!'))).toEqual([]);
  });

  describe("an indicator record's indicator", () => {
    it('is left to its last event, and read from there', async () => {
      const written = await open();
      await written.write({ events: events(1, 2, 'rule/S-1') });
      await written.close();
      opened.splice(0);
      expect(await rawValue('ix!rule/S-1')).not.toHaveProperty('indicator');
      expect(await rawValue('evt!0000000000000002')).toMatchObject({
        indicator: indicator('rule/S-1', 1),
      });
      const store = await open();
      expect(await store.indicator('rule/S-1')).toStrictEqual(indicator('rule/S-1', 1));
      expect(await store.indicatorRecord('rule/S-1')).toMatchObject({
        indicator: indicator('rule/S-1', 1),
        sequence: 2,
      });
      expect(await collect(store.indicators())).toStrictEqual([indicator('rule/S-1', 1)]);
    });

    it('is read from the record where an older radar kept it there', async () => {
      const store = await open();
      await store.write({ events: events(1, 1, 'rule/S-1') });
      await store.close();
      opened.splice(0);
      const record = (await rawValue('ix!rule/S-1')) as object;
      // An older record is whole even where its event says otherwise.
      await plant([
        'ix!rule/S-1',
        JSON.stringify({ ...record, indicator: indicator('rule/S-1', 7) }),
      ]);
      const reopened = await open();
      expect(await reopened.indicator('rule/S-1')).toStrictEqual(indicator('rule/S-1', 7));
    });

    it('fails with STORE_CORRUPT, naming the record, when its event is gone', async () => {
      const store = await open();
      await store.write({ events: events(1, 1, 'rule/S-1') });
      await store.close();
      opened.splice(0);
      await remove('evt!0000000000000001');
      const reopened = await open();
      const failure = await reopened.indicator('rule/S-1').catch((err: unknown) => err);
      expect(failure).toMatchObject({ code: 'STORE_CORRUPT' });
      expect((failure as Error).message).toContain('ix!rule/S-1');
    });
  });

  describe('a household view', () => {
    const written = view('h1', {
      signalIds: ['S-1', 'S-2'],
      persons: [
        {
          personId: 'P-1',
          records: [
            ['S-1', 'p1'],
            ['S-2', 'p1'],
          ],
        },
        { personId: 'P-2', records: [['S-2', 'p2']] },
      ],
    });
    const summary = household('h1', ['S-1', 'S-2']);

    it('is stored without the signal ids its summary lists, and read with them', async () => {
      const store = await open();
      await store.write({ householdsPut: [summary], householdViews: [written] });
      await store.close();
      opened.splice(0);
      const stored = await rawValue('hv!h1');
      expect(stored).not.toHaveProperty('signalIds');
      expect(stored).toMatchObject({
        persons: [
          {
            personId: 'P-1',
            records: [
              [0, 'p1'],
              [1, 'p1'],
            ],
          },
          { personId: 'P-2', records: [[1, 'p2']] },
        ],
      });
      expect(await (await open()).householdView('h1')).toStrictEqual(written);
    });

    it('is read as it stands where an older radar stored it whole, and replaced by the next write', async () => {
      const store = await open();
      await store.write({ householdsPut: [summary], householdViews: [written] });
      await store.close();
      opened.splice(0);
      // An older view is whole, and read as it is even where its summary says otherwise.
      const older = { ...written, persons: [{ personId: 'P-9', records: [['S-2', 'p9']] }] };
      await plant(['hv!h1', JSON.stringify(older)]);
      const reopened = await open();
      expect(await reopened.householdView('h1')).toStrictEqual(older);
      const next = view('h1', { signalIds: ['S-2', 'S-3'] });
      await reopened.write({
        householdsPut: [household('h1', ['S-2', 'S-3'])],
        householdViews: [next],
      });
      expect(await reopened.householdView('h1')).toStrictEqual(next);
      // The entries of the older view were found through its own signal ids.
      expect(await reopened.householdOfSignal('S-1')).toBeUndefined();
      expect(await reopened.householdOfSignal('S-3')).toBe('h1');
      await reopened.close();
      opened.splice(0);
      expect(await rawValue('hv!h1')).not.toHaveProperty('signalIds');
    });

    it('fails with STORE_CORRUPT, naming the view, when the summary it names signals in is gone', async () => {
      const store = await open();
      await store.write({ householdsPut: [summary], householdViews: [written] });
      await store.close();
      opened.splice(0);
      await remove('hh!h1');
      const reopened = await open();
      const failure = await reopened.householdView('h1').catch((err: unknown) => err);
      expect(failure).toMatchObject({ code: 'STORE_CORRUPT' });
      expect((failure as Error).message).toContain('hv!h1');
    });
  });

  it('deletes the prepared signals an older radar kept, and prepares them from the signals', async () => {
    const store = await open();
    const stored = fullSignal('S-1');
    await store.write({ signals: [stored] });
    await store.close();
    opened.splice(0);
    await plant(['gs!S-1', JSON.stringify({ fingerprint: 1, retracts: [] })]);
    const reopened = await open();
    expect(await reopened.preparedSignals(['S-1', 'S-2'])).toStrictEqual(
      new Map([['S-1', prepareSignal(stored)]]),
    );
    await reopened.close();
    opened.splice(0);
    expect((await rawKeys()).filter((key) => key.startsWith('gs!'))).toEqual([]);
  });

  describe('with a value that is not JSON', () => {
    const secret = '{"familyName":"Jansen"';

    it('fails reads with STORE_CORRUPT, naming the key but not the value', async () => {
      await plant(['hh!h1', secret]);
      const store = await open();
      for (const read of [() => store.household('h1'), () => collect(store.households())]) {
        const failure = await read().catch((err: unknown) => err);
        expect(failure).toMatchObject({ code: 'STORE_CORRUPT', retriable: false });
        expect((failure as Error).message).toContain('hh!h1');
        expect((failure as Error).message).not.toContain('Jansen');
        expect((failure as Error).cause).toBeUndefined();
      }
    });

    it('refuses to open with STORE_CORRUPT when the stored sequence is unreadable', async () => {
      await plant(['meta!seq', '"seven"']);
      await expect(open()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
      // The failed open released the lock.
      await plant(['meta!seq', '7']);
      expect(await (await open()).lastSequence()).toBe(7);
    });
  });

  it('stops a read that was under way when the store closed with STORE_NOT_OPEN', async () => {
    const store = await open();
    await store.write({
      signals: Array.from({ length: 3000 }, (_, i) => fullSignal(`S-${String(i)}`)),
    });
    const reading = store.signals()[Symbol.asyncIterator]();
    await reading.next();
    await store.close();
    const drain = async (): Promise<void> => {
      while (!(await reading.next()).done);
    };
    await expect(drain()).rejects.toMatchObject({ code: 'STORE_NOT_OPEN' });
  });

  it('gives the same reads as MemoryStore after any sequence of batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batchPlan, { maxLength: 8 }), async (plans) => {
        const data = await tempDir();
        const level = new LevelStore(data.path, { sync: false });
        const memory = new MemoryStore();
        try {
          await Promise.all([level.open(), memory.open()]);
          for (const plan of plans) {
            const batch = toBatch(plan, await memory.lastSequence());
            const outcomes = await Promise.all([
              outcome(level.write(batch)),
              outcome(memory.write(batch)),
            ]);
            expect(outcomes[0]).toBe(outcomes[1]);
          }
          expect(await snapshot(level)).toStrictEqual(await snapshot(memory));
          for (const id of ['', 'a', 'é']) {
            expect(await level.household(id)).toStrictEqual(await memory.household(id));
            expect(await level.indicator(id)).toStrictEqual(await memory.indicator(id));
          }
          await level.close();
          await level.open();
          expect(await snapshot(level)).toStrictEqual(await snapshot(memory));
        } finally {
          await level.close();
          await data.remove();
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** Few distinct ids, so batches overwrite and delete each other's data. */
const id = fc.oneof(
  fc.constantFrom('', 'a', 'a!', 'aa', 'B', 'é', '😀'),
  fc.string({ unit: 'grapheme', maxLength: 3 }),
);

const signal: fc.Arbitrary<Signal> = fc
  .tuple(id, fc.boolean())
  .map(([signalId, full]) => (full ? fullSignal(signalId) : withdrawal(signalId, [signalId])));

interface BatchPlan {
  batch: Omit<StateBatch, 'events'>;
  /** One event each; the indicators' ids repeat across batches, so one is raised, updated and withdrawn. */
  eventTypes: StoredEvent['type'][];
  /** 0 continues the sequence; anything else makes a gap or a repeat. */
  eventShift: number;
}

const batchPlan: fc.Arbitrary<BatchPlan> = fc.record({
  batch: fc.record(
    {
      signals: fc.array(signal, { maxLength: 4 }),
      offsets: fc
        .array(
          fc.tuple(
            fc.constantFrom('t:0', 't:1', 'u:0'),
            fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String),
          ),
        )
        .map((entries) => new Map(entries)),
      householdsPut: fc.array(
        fc.tuple(id, fc.array(id, { maxLength: 3 })).map(([h, ids]) => household(h, ids)),
        { maxLength: 4 },
      ),
      householdsDeleted: fc.array(id, { maxLength: 3 }),
      publishedSequence: fc.nat(40),
      counters: fc.dictionary(fc.constantFrom('accepted', 'rejected', 'withdrawn'), fc.nat()),
    },
    { requiredKeys: [] },
  ),
  eventTypes: fc.array(fc.constantFrom('RAISED', 'UPDATED', 'WITHDRAWN'), { maxLength: 4 }),
  eventShift: fc.oneof(
    { arbitrary: fc.constant(0), weight: 5 },
    { arbitrary: fc.constantFrom(-1, 1, 2), weight: 1 },
  ),
});

function toBatch(plan: BatchPlan, lastSequence: number): StateBatch {
  const first = lastSequence + 1 + plan.eventShift;
  const events: StoredEvent[] = plan.eventTypes.map((type, i) => ({
    sequence: first + i,
    type,
    indicator: indicator(`r/${String((first + i) % 5)}`, first + i),
    recordedAt: '2024-01-01T00:00:00.000Z',
  }));
  return { ...plan.batch, events };
}

/** 'ok' or the error code, so two stores' results compare with `toBe`. */
async function outcome(write: Promise<void>): Promise<string> {
  try {
    await write;
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}
