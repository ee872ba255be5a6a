/**
 * Small worlds of signals for property tests: few BSNs, names, birth dates and
 * addresses, so that persons and households collide, merge and split often.
 */
import fc from 'fast-check';
import type { Address, Person, Signal } from '../../src/signals/types.js';

const BSNS = ['111222333', '123456782', '234567892', '314159265', '123456789'];
/** Three names in their spellings, and two more. */
const NAMES = [
  ...['van der Berg', 'Berg, van der', 'Jansen', 'Jansen-de Vries', 'de Vries'],
  ...['Yılmaz', 'YILMAZ', 'van ’t Hek', "Hek, van 't", 'HEK'],
];
const BIRTH_DATES = ['1980-01-01', '1990-05-05'];
const INITIALS = [undefined, 'A.', 'b', 'Ł.', 'l'];
const ADDRESSES: Address[] = [
  { postcode: '3511 AB', houseNumber: 12, addition: 'a' },
  { postcode: '3511ab', houseNumber: 12, houseLetter: 'A' },
  { postcode: '1000AA', houseNumber: 1 },
  { postcode: '2000 BB', houseNumber: 7, addition: '2' },
];
const DAY = 24 * 3600 * 1000;
const EPOCH = Date.parse('2022-01-01T00:00:00Z');

function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const personArb = fc
  .record({
    bsn: fc.option(fc.constantFrom(...BSNS), { nil: undefined }),
    familyName: fc.option(fc.constantFrom(...NAMES), { nil: undefined }),
    birthDate: fc.option(fc.constantFrom(...BIRTH_DATES), { nil: undefined }),
    initials: fc.constantFrom(...INITIALS),
  })
  .map((p) => omitUndefined(p));

const bodyArb = fc.record({
  kind: fc.constantFrom('MELDING', 'POLITIE', 'ADVIESVRAAG'),
  day: fc.integer({ min: 0, max: 900 }),
  persons: fc.array(personArb, { minLength: 1, maxLength: 3 }),
  address: fc.option(fc.constantFrom(...ADDRESSES), { nil: undefined }),
  category: fc.constantFrom('PARTNERGEWELD', 'KINDERMISHANDELING', undefined),
  childrenPresent: fc.boolean(),
});

type Body = typeof bodyArb extends fc.Arbitrary<infer T> ? T : never;

function toSignal(id: string, body: Body): Signal {
  const at = new Date(EPOCH + body.day * DAY).toISOString();
  const persons: Person[] = body.persons.map((p, i) => ({ ref: `r${i}`, role: 'ONBEKEND', ...p }));
  return omitUndefined({
    id,
    kind: body.kind,
    occurredAt: at,
    receivedAt: at,
    region: 'VT09',
    source: 'POLITIE',
    category: body.category,
    violenceTypes: [],
    safety: 'ONBEKEND',
    childrenPresent: body.childrenPresent,
    substantiated: true,
    persons,
    relations: [],
    address: body.address,
    retracts: [],
  });
}

/** Signals S-0…S-n, with some withdrawals (INTREKKING) of earlier or later ids mixed in. */
export const signalWorldArb = (maxSignals = 25): fc.Arbitrary<Signal[]> =>
  fc
    .tuple(
      fc.array(bodyArb, { minLength: 1, maxLength: maxSignals }),
      fc.array(fc.nat(), { maxLength: 4 }),
    )
    .map(([bodies, retractions]) => {
      const signals = bodies.map((b, i) => toSignal(`S-${i}`, b));
      retractions.forEach((target, i) => {
        signals.push({
          id: `W-${i}`,
          kind: 'INTREKKING',
          receivedAt: '2025-01-01T00:00:00.000Z',
          violenceTypes: [],
          safety: 'ONBEKEND',
          childrenPresent: false,
          substantiated: true,
          persons: [],
          relations: [],
          retracts: [`S-${target % bodies.length}`],
        });
      });
      return signals;
    });
