/** Data to write in store tests, and one way to read a whole store back. */
import type { HouseholdSummary } from '../../src/engine/household-summary.js';
import type { Indicator } from '../../src/rules/index.js';
import type { Signal } from '../../src/signals/types.js';
import type { HouseholdView, RadarStore, StateBatch, StoredEvent } from '../../src/store/index.js';

/** A police signal with every optional field set. */
export function fullSignal(id: string): Signal {
  return {
    id,
    kind: 'POLITIE',
    occurredAt: '2024-03-01T10:00:00Z',
    receivedAt: '2024-03-01T12:30:00+01:00',
    region: 'VT07',
    source: 'POLITIE',
    category: 'PARTNERGEWELD',
    violenceTypes: ['LICHAMELIJK', 'KIND_GETUIGE'],
    safety: 'ONVEILIG_ACUUT',
    childrenPresent: true,
    substantiated: false,
    persons: [
      {
        ref: 'p1',
        bsn: '111222333',
        familyName: 'Berg, van der',
        initials: 'J.',
        birthDate: '1980-02-29',
        role: 'PLEGER',
      },
      { ref: 'p2', familyName: 'Müller-Ğüneş', role: 'SLACHTOFFER' },
    ],
    relations: [{ from: 'p1', to: 'p2', type: 'PARTNER' }],
    address: {
      postcode: '1234AB',
      houseNumber: 12,
      houseLetter: 'A',
      addition: '2',
      city: "'s-Hertogenbosch",
    },
    retracts: [],
  };
}

/** A withdrawal: the optional fields are absent, not undefined. */
export function withdrawal(id: string, retracts: string[]): Signal {
  return {
    id,
    kind: 'INTREKKING',
    receivedAt: '2024-03-02T08:00:00Z',
    violenceTypes: [],
    safety: 'ONBEKEND',
    childrenPresent: false,
    substantiated: true,
    persons: [],
    relations: [],
    retracts,
  };
}

export function household(
  householdId: string,
  signalIds: string[] = [`${householdId}-s`],
): HouseholdSummary {
  return { householdId, signalIds, personCount: signalIds.length };
}

export function indicator(indicatorId: string, value = 3): Indicator {
  return {
    indicatorId,
    ruleId: indicatorId.split('/')[0] ?? indicatorId,
    ruleVersion: 2,
    level: 'hoog',
    householdId: 'h1',
    raisedAt: '2024-03-01T10:00:00.000Z',
    lastFiredAt: '2024-05-02T08:00:00.000Z',
    value,
    signalIds: ['S-03', 'S-09', 'S-17'],
    explanation: 'Drie meldingen van partnergeweld binnen een jaar.',
  };
}

export function events(first: number, count: number, indicatorId = 'rule/S-1'): StoredEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    sequence: first + i,
    type: i === 0 ? 'RAISED' : 'UPDATED',
    indicator: indicator(indicatorId, i),
    recordedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, first + i)).toISOString(),
  }));
}

/**
 * Batch `n` of the crash test: it touches every kind of data, so a batch
 * applied in part would show in some read.
 */
export function numberedBatch(n: number): StateBatch {
  const id = String(n).padStart(6, '0');
  return {
    signals: Array.from({ length: 20 }, (_, i) => fullSignal(`S-${id}-${String(i)}`)),
    offsets: new Map([
      ['radar.meldingen:0', String(n * 20)],
      [`radar.politie:${String(n % 3)}`, String(n)],
    ]),
    householdsPut: [household(`H-${id}`)],
    householdsDeleted: n > 1 ? [`H-${String(n - 1).padStart(6, '0')}`] : [],
    events: events(3 * n - 2, 3, `rule/S-${id}`),
    publishedSequence: 3 * n - 3,
    counters: { batches: n, accepted: 20 * n },
  };
}

export interface StoreSnapshot {
  signals: Signal[];
  offsets: [string, string][];
  households: HouseholdSummary[];
  indicators: Indicator[];
  events: StoredEvent[];
  lastSequence: number;
  publishedSequence: number;
  counters: Record<string, number>;
}

/** Everything a store holds, in a form `toStrictEqual` can compare. */
export async function snapshot(store: RadarStore): Promise<StoreSnapshot> {
  return {
    // Signals come in no particular order.
    signals: (await collect(store.signals())).sort((a, b) =>
      Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)),
    ),
    offsets: [...(await store.offsets())].sort(([a], [b]) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    ),
    households: await collect(store.households()),
    indicators: await collect(store.indicators()),
    events: await collect(store.events(0)),
    lastSequence: await store.lastSequence(),
    publishedSequence: await store.publishedSequence(),
    counters: await store.counters(),
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** A household view with one of each index entry unless told otherwise. */
export function view(householdId: string, fields: Partial<HouseholdView> = {}): HouseholdView {
  const signalIds = fields.signalIds ?? [`${householdId}-s`];
  return {
    householdId,
    smallestSignalId: signalIds[0] ?? '',
    signalIds,
    regions: ['VT07'],
    bsns: ['111222333'],
    addressKeys: ['1234AB|12|A|2'],
    lastSignalAt: Date.UTC(2024, 2, 1),
    persons: [{ personId: 'P-1', records: [[signalIds[0] ?? '', 'p1']] }],
    indicatorLevels: ['hoog'],
    indicatorRules: ['rule'],
    activeIndicatorCount: 1,
    ...fields,
  };
}

/** Signal ids in code-unit order, which is not LevelDB's: U+FF21 sorts after the surrogates of U+1F600. */
export const CODE_UNIT_IDS = ['S-1', 'S-10', 'S-2', '😀', 'Ａ'];

/** A view of `CODE_UNIT_IDS` whose persons hold several records each, and one none. */
export function viewWithPersons(householdId: string): HouseholdView {
  return view(householdId, {
    signalIds: CODE_UNIT_IDS,
    persons: [
      {
        personId: 'P-1',
        records: [
          ['S-1', 'p1'],
          ['S-2', 'p2'],
          ['Ａ', 'p1'],
        ],
      },
      {
        personId: 'P-2',
        records: [
          ['S-10', 'p1'],
          ['😀', 'p3'],
        ],
      },
      { personId: 'P-3', records: [] },
    ],
  });
}
