import { describe, expect, it } from 'vitest';
import type { RejectionCode } from '../../src/errors.js';
import { decodeJson } from '../../src/signals/index.js';
import { changed, intrekking, melding, minimalPolitie, rejectionOf, type Json } from './samples.js';

interface Case {
  name: string;
  input: string | Uint8Array;
  code: RejectionCode;
  /** Path the rejection names; omitted when the whole message is at fault. */
  field?: string;
}

const json = (signal: Json): string => JSON.stringify(signal);
/** The JSON of the full sample MELDING with one thing broken. */
const broken = (change: Parameters<typeof changed>[1]): string => json(changed(melding(), change));

const cases: Case[] = [
  // MALFORMED: not JSON, not an object, or a field of the wrong JSON type.
  { name: 'text that is not JSON', input: '{"id": "M-1",', code: 'MALFORMED' },
  {
    name: 'bytes that are not UTF-8',
    input: new Uint8Array([0x7b, 0xff, 0x7d]),
    code: 'MALFORMED',
  },
  { name: 'a JSON array', input: '[]', code: 'MALFORMED' },
  { name: 'JSON null', input: 'null', code: 'MALFORMED' },
  { name: 'a number id', input: broken((s) => (s.id = 17)), code: 'MALFORMED', field: 'id' },
  { name: 'a numeric enum', input: broken((s) => (s.kind = 2)), code: 'MALFORMED', field: 'kind' },
  {
    name: 'a string boolean',
    input: broken((s) => (s.childrenPresent = 'yes')),
    code: 'MALFORMED',
    field: 'childrenPresent',
  },
  {
    name: 'persons as an object',
    input: broken((s) => (s.persons = {})),
    code: 'MALFORMED',
    field: 'persons',
  },
  {
    name: 'a person that is not an object',
    input: broken((s) => (s.persons[1] = 'k')),
    code: 'MALFORMED',
    field: 'persons[1]',
  },
  {
    name: 'a number BSN',
    input: broken((s) => (s.persons[0].bsn = 111222333)),
    code: 'MALFORMED',
    field: 'persons[0].bsn',
  },
  {
    name: 'a string house number',
    input: broken((s) => (s.address.houseNumber = '12')),
    code: 'MALFORMED',
    field: 'address.houseNumber',
  },
  {
    name: 'an address as text',
    input: broken((s) => (s.address = 'Dorpsstraat 1')),
    code: 'MALFORMED',
    field: 'address',
  },
  {
    name: 'a number among the violence types',
    input: broken((s) => s.violenceTypes.push(3)),
    code: 'MALFORMED',
    field: 'violenceTypes[2]',
  },
  {
    name: 'a number among the retracts',
    input: broken((s) => s.retracts.push(3)),
    code: 'MALFORMED',
    field: 'retracts[1]',
  },

  {
    // Valid JSON, but no Unicode text: protobuf (UTF-8) could not carry it unchanged.
    name: 'a lone surrogate in a name',
    input: broken((s) => (s.persons[0].familyName = 'Berg\ud800')),
    code: 'MALFORMED',
    field: 'persons[0].familyName',
  },
  {
    name: 'a lone surrogate in retracts',
    input: broken((s) => (s.retracts = ['M-\udc00'])),
    code: 'MALFORMED',
    field: 'retracts[0]',
  },

  // MISSING_FIELD: absent, null and "" are all "no value".
  { name: 'no id', input: broken((s) => delete s.id), code: 'MISSING_FIELD', field: 'id' },
  { name: 'an empty id', input: broken((s) => (s.id = '')), code: 'MISSING_FIELD', field: 'id' },
  {
    name: 'a null kind',
    input: broken((s) => (s.kind = null)),
    code: 'MISSING_FIELD',
    field: 'kind',
  },
  {
    name: 'no receivedAt',
    input: broken((s) => delete s.receivedAt),
    code: 'MISSING_FIELD',
    field: 'receivedAt',
  },
  {
    name: 'no occurredAt',
    input: broken((s) => delete s.occurredAt),
    code: 'MISSING_FIELD',
    field: 'occurredAt',
  },
  {
    name: 'no region',
    input: broken((s) => delete s.region),
    code: 'MISSING_FIELD',
    field: 'region',
  },
  {
    name: 'no source',
    input: broken((s) => delete s.source),
    code: 'MISSING_FIELD',
    field: 'source',
  },
  {
    name: 'a MELDING without category',
    input: broken((s) => delete s.category),
    code: 'MISSING_FIELD',
    field: 'category',
  },
  {
    name: 'an ADVIESVRAAG without category',
    input: broken((s) => {
      s.kind = 'ADVIESVRAAG';
      delete s.category;
    }),
    code: 'MISSING_FIELD',
    field: 'category',
  },
  {
    name: 'no persons',
    input: broken((s) => delete s.persons),
    code: 'MISSING_FIELD',
    field: 'persons',
  },
  {
    name: 'an empty person list',
    input: broken((s) => (s.persons = [])),
    code: 'MISSING_FIELD',
    field: 'persons',
  },
  {
    name: 'a person without ref',
    input: broken((s) => delete s.persons[1].ref),
    code: 'MISSING_FIELD',
    field: 'persons[1].ref',
  },
  {
    name: 'a relation without from',
    input: broken((s) => delete s.relations[0].from),
    code: 'MISSING_FIELD',
    field: 'relations[0].from',
  },
  {
    name: 'a relation without type',
    input: broken((s) => delete s.relations[0].type),
    code: 'MISSING_FIELD',
    field: 'relations[0].type',
  },
  {
    name: 'an INTREKKING without retracts',
    input: json(changed(intrekking(), (s) => delete s.retracts)),
    code: 'MISSING_FIELD',
    field: 'retracts',
  },
  {
    // Proto3 cannot tell an empty list from an absent one, so JSON does not either.
    name: 'an INTREKKING with empty retracts',
    input: json(changed(intrekking(), (s) => (s.retracts = []))),
    code: 'MISSING_FIELD',
    field: 'retracts',
  },
  {
    name: 'an INTREKKING without receivedAt',
    input: json(changed(intrekking(), (s) => delete s.receivedAt)),
    code: 'MISSING_FIELD',
    field: 'receivedAt',
  },

  // UNKNOWN_ENUM: bare contract values only.
  {
    name: 'a prefixed kind',
    input: broken((s) => (s.kind = 'SIGNAL_KIND_MELDING')),
    code: 'UNKNOWN_ENUM',
    field: 'kind',
  },
  {
    name: 'a lower-case kind',
    input: broken((s) => (s.kind = 'melding')),
    code: 'UNKNOWN_ENUM',
    field: 'kind',
  },
  {
    name: 'an unknown source',
    input: broken((s) => (s.source = 'POLICE')),
    code: 'UNKNOWN_ENUM',
    field: 'source',
  },
  {
    name: 'an unknown category',
    input: broken((s) => (s.category = 'BURENRUZIE')),
    code: 'UNKNOWN_ENUM',
    field: 'category',
  },
  {
    name: 'an unknown violence type',
    input: broken((s) => (s.violenceTypes = ['PSYCHISCH', 'VERBAAL'])),
    code: 'UNKNOWN_ENUM',
    field: 'violenceTypes[1]',
  },
  {
    name: 'an empty string among the violence types',
    input: broken((s) => (s.violenceTypes = [''])),
    code: 'UNKNOWN_ENUM',
    field: 'violenceTypes[0]',
  },
  {
    name: 'an unknown safety',
    input: broken((s) => (s.safety = 'ONVEILIG')),
    code: 'UNKNOWN_ENUM',
    field: 'safety',
  },
  {
    name: 'an unknown role',
    input: broken((s) => (s.persons[0].role = 'DADER')),
    code: 'UNKNOWN_ENUM',
    field: 'persons[0].role',
  },
  {
    name: 'an unknown relation type',
    input: broken((s) => (s.relations[0].type = 'BUURMAN')),
    code: 'UNKNOWN_ENUM',
    field: 'relations[0].type',
  },

  // BAD_TIMESTAMP: not RFC 3339, or occurredAt more than a day after receivedAt.
  {
    name: 'a date without time',
    input: broken((s) => (s.receivedAt = '2023-03-02')),
    code: 'BAD_TIMESTAMP',
    field: 'receivedAt',
  },
  {
    name: 'a timestamp without offset',
    input: broken((s) => (s.occurredAt = '2023-03-01T09:00:00')),
    code: 'BAD_TIMESTAMP',
    field: 'occurredAt',
  },
  {
    name: 'a date that does not exist',
    input: broken((s) => (s.occurredAt = '2023-02-29T09:00:00Z')),
    code: 'BAD_TIMESTAMP',
    field: 'occurredAt',
  },
  {
    name: 'hour 24',
    input: broken((s) => (s.occurredAt = '2023-03-01T24:00:00Z')),
    code: 'BAD_TIMESTAMP',
    field: 'occurredAt',
  },
  {
    name: 'a leap second',
    input: broken((s) => (s.occurredAt = '2016-12-31T23:59:60Z')),
    code: 'BAD_TIMESTAMP',
    field: 'occurredAt',
  },
  {
    name: 'an occurredAt a day and a second after receivedAt',
    input: broken((s) => (s.occurredAt = '2023-03-03T09:00:01Z')),
    code: 'BAD_TIMESTAMP',
    field: 'occurredAt',
  },
  {
    name: 'an INTREKKING with a bad receivedAt',
    input: json(changed(intrekking(), (s) => (s.receivedAt = 'gisteren'))),
    code: 'BAD_TIMESTAMP',
    field: 'receivedAt',
  },

  // BAD_VALUE: a value of the right type outside what the contract allows.
  {
    name: 'an id of 129 characters',
    input: broken((s) => (s.id = 'x'.repeat(129))),
    code: 'BAD_VALUE',
    field: 'id',
  },
  {
    name: 'region VT27',
    input: broken((s) => (s.region = 'VT27')),
    code: 'BAD_VALUE',
    field: 'region',
  },
  {
    name: 'region VT00',
    input: broken((s) => (s.region = 'VT00')),
    code: 'BAD_VALUE',
    field: 'region',
  },
  {
    name: 'a lower-case region',
    input: broken((s) => (s.region = 'vt09')),
    code: 'BAD_VALUE',
    field: 'region',
  },
  {
    name: 'house number 0',
    input: broken((s) => (s.address.houseNumber = 0)),
    code: 'BAD_VALUE',
    field: 'address.houseNumber',
  },
  {
    name: 'house number 100000',
    input: broken((s) => (s.address.houseNumber = 100_000)),
    code: 'BAD_VALUE',
    field: 'address.houseNumber',
  },
  {
    name: 'a fractional house number',
    input: broken((s) => (s.address.houseNumber = 12.5)),
    code: 'BAD_VALUE',
    field: 'address.houseNumber',
  },
  {
    name: 'two house letters',
    input: broken((s) => (s.address.houseLetter = 'AB')),
    code: 'BAD_VALUE',
    field: 'address.houseLetter',
  },
  {
    name: 'a digit as house letter',
    input: broken((s) => (s.address.houseLetter = '1')),
    code: 'BAD_VALUE',
    field: 'address.houseLetter',
  },
  {
    name: 'an addition of five characters',
    input: broken((s) => (s.address.addition = 'a-b-c-d-e')),
    code: 'BAD_VALUE',
    field: 'address.addition',
  },
  {
    name: 'an addition with punctuation',
    input: broken((s) => (s.address.addition = 'a.b')),
    code: 'BAD_VALUE',
    field: 'address.addition',
  },
  {
    name: 'a birth date that does not exist',
    input: broken((s) => (s.persons[1].birthDate = '2015-02-29')),
    code: 'BAD_VALUE',
    field: 'persons[1].birthDate',
  },
  {
    name: 'a birth date written day first',
    input: broken((s) => (s.persons[1].birthDate = '01-06-2015')),
    code: 'BAD_VALUE',
    field: 'persons[1].birthDate',
  },
  {
    name: 'an empty id in retracts',
    input: broken((s) => (s.retracts = [''])),
    code: 'BAD_VALUE',
    field: 'retracts[0]',
  },
  {
    name: 'an over-long id in retracts',
    input: json(changed(intrekking(), (s) => s.retracts.push('x'.repeat(129)))),
    code: 'BAD_VALUE',
    field: 'retracts[1]',
  },

  // Person references.
  {
    name: 'two persons with one ref',
    input: broken((s) => (s.persons[1].ref = 'm')),
    code: 'DUPLICATE_PERSON_REF',
    field: 'persons[1].ref',
  },
  {
    name: 'a relation to a person the signal does not name',
    input: broken((s) => (s.relations[0].to = 'x')),
    code: 'UNKNOWN_PERSON_REF',
    field: 'relations[0].to',
  },
  {
    name: 'a relation from a person the signal does not name',
    input: broken((s) => (s.relations[0].from = 'x')),
    code: 'UNKNOWN_PERSON_REF',
    field: 'relations[0].from',
  },
];

describe('decodeJson rejects', () => {
  it.each(cases)('$name as $code', ({ input, code, field }) => {
    const rejection = rejectionOf(() => decodeJson(input));
    expect(rejection.code).toBe(code);
    expect(rejection.field).toBe(field);
  });
});

describe('decodeJson accepts at the edges', () => {
  it.each([
    [
      'an occurredAt exactly one day after receivedAt',
      (s: Json) => (s.occurredAt = '2023-03-03T09:00:00Z'),
    ],
    [
      'an occurredAt with an offset that is within the day',
      (s: Json) => (s.occurredAt = '2023-03-03T10:00:00+01:00'),
    ],
    ['lower-case t and z', (s: Json) => (s.occurredAt = '2023-03-01t09:00:00.250z')],
    ['an id of 128 characters', (s: Json) => (s.id = 'x'.repeat(128))],
    ['house number 99999', (s: Json) => ((s.address as Json).houseNumber = 99_999)],
    [
      'an addition of four characters with separators',
      (s: Json) => ((s.address as Json).addition = '1 / 2-a b'),
    ],
    ['a leap-day birth date', (s: Json) => ((s.persons as Json[])[1]!.birthDate = '2016-02-29')],
  ])('%s', (_, change) => {
    expect(decodeJson(json(changed(melding(), change))).signal.id).toBeTruthy();
  });

  it('a police signal without category', () => {
    expect(decodeJson(json(minimalPolitie())).signal).not.toHaveProperty('category');
  });
});
