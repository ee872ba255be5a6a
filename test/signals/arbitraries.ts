/**
 * fast-check generators of valid contract JSON signals, in all the shapes the
 * contract allows: optional fields present or not, defaults spelled out or
 * not, 8- and 9-digit BSNs (passing the elfproef or not), timestamps in UTC
 * or with an offset, with or without fractions.
 */
import fc from 'fast-check';
import {
  CATEGORIES,
  REGIONS,
  RELATION_TYPES,
  ROLES,
  SAFETY_LEVELS,
  SOURCES,
  VIOLENCE_TYPES,
} from '../../src/signals/index.js';
import type { Json } from './samples.js';

const DAY_MS = 86_400_000;

/**
 * Text as names, places and ids reach Veilig Thuis: letters with diacritics,
 * the letters the contract transliterates, typographic apostrophes, a
 * combining accent, a non-breaking space, a sign from the BMP and a letter
 * from beyond it (a surrogate pair in UTF-16, four bytes in UTF-8).
 */
const spelledUnit = fc.constantFrom(
  ..."aAzZ0 -'.",
  ...'éëöÖüçÇşğıİłŁøØßẞæœþśñåž’‘ʼ€',
  'e\u0301',
  '\u00a0',
  '\u{1d49c}',
);
const spelled = (maxLength: number) => fc.string({ unit: spelledUnit, minLength: 1, maxLength });

const signalId = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }), weight: 3 },
  { arbitrary: spelled(40), weight: 1 },
);
const freeText = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }),
  spelled(24),
);

/** An instant written as RFC 3339, in UTC or at an offset, with or without a fraction. */
const timestampAt = (ms: number) =>
  fc
    .record({
      offsetMinutes: fc.oneof(
        fc.constant(0),
        fc.integer({ min: -48, max: 56 }).map((q) => q * 15),
      ),
      fraction: fc.boolean(),
      lowerCase: fc.boolean(),
    })
    .map(({ offsetMinutes, fraction, lowerCase }) => {
      const local = new Date(ms + offsetMinutes * 60_000).toISOString();
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const offset =
        offsetMinutes === 0
          ? 'Z'
          : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      const text = `${local.slice(0, fraction ? 23 : 19)}${offset}`;
      return lowerCase ? text.toLowerCase() : text;
    });

/** occurredAt at most a day after receivedAt, as the contract requires; whole seconds so a dropped fraction cannot cross that line. */
const timestamps = fc
  .record({
    occurredSeconds: fc.integer({ min: 631_152_000, max: 2_208_988_800 }),
    delaySeconds: fc.integer({ min: -DAY_MS / 1000, max: 3 * 365 * 86_400 }),
  })
  .chain(({ occurredSeconds, delaySeconds }) =>
    fc.record({
      occurredAt: timestampAt(occurredSeconds * 1000),
      receivedAt: timestampAt((occurredSeconds + delaySeconds) * 1000),
    }),
  );

/** Nine digits passing the elfproef. */
const validBsn = fc
  .integer({ min: 1, max: 99_999_999 })
  .map((n) => String(n).padStart(8, '0'))
  .map((first8) => {
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += (9 - i) * Number(first8[i]);
    return { first8, check: sum % 11 };
  })
  .filter(({ check }) => check < 10)
  .map(({ first8, check }) => `${first8}${check}`);

const bsn = fc.oneof(
  validBsn,
  validBsn.filter((b) => b.startsWith('0')).map((b) => b.slice(1)),
  fc.stringMatching(/^\d{8,9}$/),
);

const birthDate = fc
  .date({ min: new Date('1900-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const person = fc.record(
  {
    ref: fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), spelled(8)),
    bsn,
    familyName: freeText,
    initials: fc.stringMatching(/^([A-Z]\.){1,3}$/),
    birthDate,
    role: fc.constantFrom(...ROLES),
  },
  { requiredKeys: ['ref'] },
);

const address = fc.record(
  {
    postcode: fc.stringMatching(/^[1-9]\d{3} ?[A-Za-z]{2}$/),
    houseNumber: fc.integer({ min: 1, max: 99_999 }),
    houseLetter: fc.stringMatching(/^[A-Za-z]$/),
    addition: fc.stringMatching(/^[A-Za-z0-9]{1,2}[-/ ]?[A-Za-z0-9]{0,2}$/),
    city: freeText,
  },
  { requiredKeys: [] },
);

const personsAndRelations = fc
  .uniqueArray(person, { minLength: 1, maxLength: 5, selector: (p) => p.ref })
  .chain((persons) => {
    const ref = fc.constantFrom(...persons.map((p) => p.ref));
    const relation = fc.record({ from: ref, to: ref, type: fc.constantFrom(...RELATION_TYPES) });
    return fc.record({
      persons: fc.constant(persons),
      relations: fc.array(relation, { maxLength: 4 }),
    });
  });

const reportFields = {
  id: signalId,
  times: timestamps,
  region: fc.constantFrom(...REGIONS),
  source: fc.constantFrom(...SOURCES),
  category: fc.constantFrom(...CATEGORIES),
  violenceTypes: fc.array(fc.constantFrom(...VIOLENCE_TYPES), { maxLength: 3 }),
  safety: fc.constantFrom(...SAFETY_LEVELS),
  childrenPresent: fc.boolean(),
  substantiated: fc.boolean(),
  people: personsAndRelations,
  address,
  retracts: fc.array(signalId, { maxLength: 2 }),
};

/** An ADVIESVRAAG, MELDING or POLITIE signal; only POLITIE may leave out the category. */
const report: fc.Arbitrary<Json> = fc
  .constantFrom('ADVIESVRAAG', 'MELDING', 'POLITIE')
  .chain((kind) =>
    fc
      .record(reportFields, {
        requiredKeys:
          kind === 'POLITIE'
            ? ['id', 'times', 'region', 'source', 'people']
            : ['id', 'times', 'region', 'source', 'people', 'category'],
      })
      .map(({ times, people, ...rest }) => ({
        kind,
        ...rest,
        ...times,
        persons: people.persons,
        ...(people.relations.length > 0 ? { relations: people.relations } : {}),
      })),
  );

const withdrawal: fc.Arbitrary<Json> = fc.record({
  id: signalId,
  kind: fc.constant('INTREKKING'),
  receivedAt: timestamps.map((t) => t.receivedAt),
  retracts: fc.array(signalId, { minLength: 1, maxLength: 3 }),
});

export const contractSignal: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: report, weight: 5 },
  { arbitrary: withdrawal, weight: 1 },
);

/** A deep copy of `value` whose object keys are inserted in an order chosen by `seed`. */
export function reorderKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => reorderKeys(item, seed));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(
    ([key, item]) => [key, reorderKeys(item, seed)] as const,
  );
  const rank = (key: string) => {
    let h = seed | 0;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x9e3779b1);
    return h;
  };
  entries.sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(entries);
}
