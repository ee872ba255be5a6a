import { BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareSignal } from '../../src/engine/index.js';
import type { RejectionCode } from '../../src/errors.js';
import * as pb from '../../src/gen/radar/v1/signal.js';
import {
  CATEGORIES,
  RELATION_TYPES,
  ROLES,
  SAFETY_LEVELS,
  SIGNAL_KINDS,
  SOURCES,
  VIOLENCE_TYPES,
  decodeJson,
  decodeProtobuf,
  encodeProtobuf,
} from '../../src/signals/index.js';
import { spelledName } from '../graph/spellings.js';
import {
  intrekking,
  melding,
  minimalPolitie,
  rejectionOf,
  type Json,
  type Loose,
} from './samples.js';

const fromJson = (signal: Json) => decodeJson(JSON.stringify(signal));

/** `melding()` written directly against the generated message, independent of encodeProtobuf. */
const meldingMessage: pb.Signal = pb.Signal.fromPartial({
  id: 'M-1',
  kind: pb.SignalKind.SIGNAL_KIND_MELDING,
  occurredAt: '2023-03-01T09:00:00Z',
  receivedAt: '2023-03-02T09:00:00Z',
  region: 'VT09',
  source: pb.Source.SOURCE_ONDERWIJS,
  category: pb.Category.CATEGORY_KINDERMISHANDELING,
  violenceTypes: [
    pb.ViolenceType.VIOLENCE_TYPE_KIND_GETUIGE,
    pb.ViolenceType.VIOLENCE_TYPE_PSYCHISCH,
  ],
  safety: pb.Safety.SAFETY_ONVEILIG_STRUCTUREEL,
  childrenPresent: true,
  substantiated: false,
  persons: [
    {
      ref: 'm',
      bsn: '111222333',
      familyName: 'van der Berg',
      initials: 'A.',
      birthDate: '1988-04-12',
      role: pb.Role.ROLE_BETROKKENE,
    },
    {
      ref: 'k',
      bsn: '123456782',
      familyName: 'van der Berg',
      birthDate: '2015-06-01',
      role: pb.Role.ROLE_SLACHTOFFER,
    },
  ],
  relations: [{ from: 'm', to: 'k', type: pb.RelationType.RELATION_TYPE_OUDER_VAN }],
  address: {
    postcode: '3511 AB',
    houseNumber: 12,
    houseLetter: 'b',
    addition: 'II-1',
    city: 'Utrecht',
  },
  retracts: ['M-0'],
});

const encode = (message: pb.Signal): Uint8Array => pb.Signal.encode(message).finish();
const withMelding = (change: Partial<pb.Signal>): Uint8Array =>
  encode({ ...meldingMessage, ...change });

/** Field `fieldNumber` holding `bytes` (a string or an embedded message). */
function lengthDelimited(fieldNumber: number, bytes: Uint8Array): Uint8Array {
  return new BinaryWriter()
    .uint32((fieldNumber << 3) | 2)
    .bytes(bytes)
    .finish();
}

/** A field `fieldNumber` this schema does not know, holding a string. */
function unknownField(fieldNumber: number, value: string): Uint8Array {
  return lengthDelimited(fieldNumber, new TextEncoder().encode(value));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

describe('the .proto enums', () => {
  it.each([
    ['SignalKind', pb.SignalKind, 'SIGNAL_KIND_', SIGNAL_KINDS],
    ['Source', pb.Source, 'SOURCE_', SOURCES],
    ['Category', pb.Category, 'CATEGORY_', CATEGORIES],
    ['ViolenceType', pb.ViolenceType, 'VIOLENCE_TYPE_', VIOLENCE_TYPES],
    ['Safety', pb.Safety, 'SAFETY_', SAFETY_LEVELS],
    ['Role', pb.Role, 'ROLE_', ROLES],
    ['RelationType', pb.RelationType, 'RELATION_TYPE_', RELATION_TYPES],
  ] as const)(
    '%s numbers its values in the order of the domain list',
    (_, enumObject, prefix, values) => {
      const byNumber = enumObject as unknown as Record<string, number>;
      expect(byNumber[`${prefix}UNSPECIFIED`]).toBe(0);
      values.forEach((value, i) => expect(byNumber[`${prefix}${value}`], value).toBe(i + 1));
      const named = Object.keys(byNumber).filter(
        (k) => Number.isNaN(Number(k)) && k !== 'UNRECOGNIZED',
      );
      expect(named).toHaveLength(values.length + 1);
    },
  );
});

describe('decodeProtobuf', () => {
  it('decodes a message to the same signal as its JSON', () => {
    expect(decodeProtobuf(encode(meldingMessage))).toStrictEqual(fromJson(melding()));
  });

  it('round-trips what encodeProtobuf wrote', () => {
    for (const signal of [melding(), minimalPolitie(), intrekking()]) {
      const decoded = fromJson(signal);
      expect(decodeProtobuf(encodeProtobuf(decoded.signal))).toStrictEqual(decoded);
    }
  });

  it('applies the same defaults as JSON', () => {
    const message = pb.Signal.fromPartial({
      id: 'P-1',
      kind: pb.SignalKind.SIGNAL_KIND_POLITIE,
      occurredAt: '2023-05-20T22:10:00Z',
      receivedAt: '2023-06-02T08:00:00Z',
      region: 'VT09',
      source: pb.Source.SOURCE_POLITIE,
      persons: [{ ref: '1' }],
    });
    expect(decodeProtobuf(encode(message))).toStrictEqual(fromJson(minimalPolitie()));
  });

  it('reads an empty address message as no address', () => {
    const { signal } = decodeProtobuf(withMelding({ address: pb.Address.fromPartial({}) }));
    expect(signal).not.toHaveProperty('address');
  });

  it.each<{ name: string; bytes: Uint8Array; code: RejectionCode; field?: string }>([
    {
      name: 'bytes that are no message',
      bytes: new Uint8Array([0xff, 0xff, 0xff]),
      code: 'MALFORMED',
    },
    {
      name: 'a truncated message',
      bytes: encode(meldingMessage).subarray(0, 40),
      code: 'MALFORMED',
    },
    {
      name: 'a string that is not UTF-8',
      bytes: new Uint8Array([0x0a, 0x02, 0xc3, 0x28]),
      code: 'MALFORMED',
    },
    {
      name: 'a zero tag before more fields',
      bytes: concat(encode(meldingMessage), new Uint8Array([0x00]), unknownField(20, 'x')),
      code: 'MALFORMED',
    },
    {
      name: 'a known field with the wrong wire type',
      bytes: new Uint8Array([0x08, 0x01]),
      code: 'MALFORMED',
      field: '#1',
    },
    {
      name: 'a person field with the wrong wire type',
      bytes: concat(encode(meldingMessage), lengthDelimited(12, new Uint8Array([0x08, 0x01]))),
      code: 'MALFORMED',
      field: 'persons[2].#1',
    },
    {
      name: 'an enum number this schema does not know',
      bytes: withMelding({ kind: 99 as pb.SignalKind }),
      code: 'UNKNOWN_ENUM',
      field: 'kind',
    },
    {
      name: 'UNSPECIFIED in a list of enums',
      bytes: withMelding({ violenceTypes: [0] }),
      code: 'UNKNOWN_ENUM',
      field: 'violenceTypes[0]',
    },
    {
      name: 'a kind left UNSPECIFIED',
      bytes: withMelding({ kind: 0 }),
      code: 'MISSING_FIELD',
      field: 'kind',
    },
    {
      name: 'no persons',
      bytes: withMelding({ persons: [] }),
      code: 'MISSING_FIELD',
      field: 'persons',
    },
    {
      name: 'an explicit house number 0',
      bytes: withMelding({ address: { ...meldingMessage.address!, houseNumber: 0 } }),
      code: 'BAD_VALUE',
      field: 'address.houseNumber',
    },
    {
      name: 'a relation to an unknown ref',
      bytes: withMelding({
        relations: [{ from: 'm', to: 'x', type: pb.RelationType.RELATION_TYPE_PARTNER }],
      }),
      code: 'UNKNOWN_PERSON_REF',
      field: 'relations[0].to',
    },
  ])('rejects $name as $code', ({ bytes, code, field }) => {
    const rejection = rejectionOf(() => decodeProtobuf(bytes));
    expect(rejection.code).toBe(code);
    expect(rejection.field).toBe(field);
  });

  it('drops unknown fields at every level and names them by number', () => {
    const person = concat(
      pb.Person.encode({ ...meldingMessage.persons[0]! }).finish(),
      unknownField(9, 'NL'),
    );
    const relation = concat(
      pb.Relation.encode(meldingMessage.relations[0]!).finish(),
      unknownField(4, 'x'),
    );
    const address = concat(
      pb.Address.encode(meldingMessage.address!).finish(),
      unknownField(6, 'x'),
    );
    const bytes = concat(
      encode({
        ...meldingMessage,
        persons: meldingMessage.persons.slice(1),
        relations: [],
        address: undefined,
      }),
      unknownField(20, 'Turks'),
      unknownField(20, 'Marokkaans'),
      lengthDelimited(12, person),
      lengthDelimited(13, relation),
      lengthDelimited(14, address),
    );
    const { signal, warnings, droppedFields } = decodeProtobuf(bytes);
    expect(droppedFields).toBe(5);
    expect(warnings).toEqual([
      {
        code: 'UNKNOWN_FIELDS_DROPPED',
        message:
          'dropped 5 fields outside the contract: #20, #20, persons[1].#9, relations[0].#4, address.#6',
      },
    ]);
    expect(signal.persons.map((p) => p.ref)).toEqual(['k', 'm']);
    expect(signal).not.toHaveProperty('nationaliteit');
  });

  it('counts a withdrawal’s unused fields like JSON does', () => {
    const asJson = { ...melding(), kind: 'INTREKKING' };
    const bytes = withMelding({ kind: pb.SignalKind.SIGNAL_KIND_INTREKKING });
    expect(decodeProtobuf(bytes)).toStrictEqual(fromJson(asJson));
  });
});

describe('names in protobuf', () => {
  it('normalise as in JSON, through the same validator: every spelling one name key', () => {
    fc.assert(
      fc.property(spelledName, ({ normal, spellings }) => {
        for (const familyName of spellings) {
          const [first] = melding().persons as Loose[];
          const json = { ...melding(), persons: [{ ...first, familyName }], relations: [] };
          const viaProtobuf = decodeProtobuf(encodeProtobuf(fromJson(json).signal)).signal;
          expect(viaProtobuf.persons[0]?.familyName).toBe(familyName);
          const keys = prepareSignal(viaProtobuf).graph?.keys;
          expect(keys?.[2]).toBe(`${normal}|${first.birthDate}`);
          expect(keys).toEqual(prepareSignal(fromJson(json).signal).graph?.keys);
        }
      }),
      { numRuns: 300 },
    );
  });
});
