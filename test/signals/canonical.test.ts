import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalSignalKey,
  decodeJson,
  decodeProtobuf,
  encodeProtobuf,
  type Signal,
} from '../../src/signals/index.js';
import { contractSignal, reorderKeys } from './arbitraries.js';
import { changed, intrekking, melding, minimalPolitie, type Json } from './samples.js';

const keyOf = (signal: Json): string =>
  canonicalSignalKey(decodeJson(JSON.stringify(signal)).signal);

/** The definition the hand-written serialiser must meet: sorted keys, undefined left out. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${sortedJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('canonicalSignalKey', () => {
  it('is the SHA-256 of the signal as JSON with sorted keys', () => {
    for (const sample of [melding(), minimalPolitie(), intrekking()]) {
      const { signal } = decodeJson(JSON.stringify(sample));
      expect(canonicalSignalKey(signal)).toBe(sha256(sortedJson(signal)));
    }
  });

  it('ignores the order of keys, at every level', () => {
    expect(keyOf(reorderKeys(melding(), 7) as Json)).toBe(keyOf(melding()));
  });

  it('is the same for JSON and protobuf of one signal', () => {
    const { signal } = decodeJson(JSON.stringify(melding()));
    expect(canonicalSignalKey(decodeProtobuf(encodeProtobuf(signal)).signal)).toBe(
      keyOf(melding()),
    );
  });

  it('digests the normalised signal: defaults, empties, dropped fields and the BSN zero do not count', () => {
    const spelledOut = changed(minimalPolitie(), (s) => {
      s.safety = 'ONBEKEND';
      s.childrenPresent = false;
      s.substantiated = true;
      s.violenceTypes = [];
      s.category = null;
      s.address = {};
      s.persons[0].role = 'ONBEKEND';
      s.persons[0].familyName = '';
      s.nationaliteit = 'NL';
    });
    expect(keyOf(spelledOut)).toBe(keyOf(minimalPolitie()));
    expect(keyOf(changed(melding(), (s) => (s.persons[1].bsn = '012345672')))).toBe(
      keyOf(changed(melding(), (s) => (s.persons[1].bsn = '12345672'))),
    );
  });

  it('ignores keys that are present but undefined', () => {
    const { signal } = decodeJson(JSON.stringify(minimalPolitie()));
    const withUndefined: Signal = { ...signal, category: undefined, address: undefined };
    expect(canonicalSignalKey(withUndefined)).toBe(canonicalSignalKey(signal));
  });

  it.each<[string, Parameters<typeof changed>[1]]>([
    ['id', (s) => (s.id = 'M-2')],
    ['kind', (s) => (s.kind = 'ADVIESVRAAG')],
    ['occurredAt', (s) => (s.occurredAt = '2023-03-01T09:00:01Z')],
    ['occurredAt written otherwise', (s) => (s.occurredAt = '2023-03-01T10:00:00+01:00')],
    ['receivedAt', (s) => (s.receivedAt = '2023-03-02T09:00:01Z')],
    ['region', (s) => (s.region = 'VT10')],
    ['source', (s) => (s.source = 'GGZ')],
    ['category', (s) => (s.category = 'PARTNERGEWELD')],
    ['violenceTypes order', (s) => s.violenceTypes.reverse()],
    ['safety', (s) => (s.safety = 'VEILIG')],
    ['childrenPresent', (s) => (s.childrenPresent = false)],
    ['substantiated', (s) => (s.substantiated = true)],
    [
      'a person ref',
      (s) => {
        s.persons[0].ref = 'mm';
        s.relations[0].from = 'mm';
      },
    ],
    ['a BSN', (s) => (s.persons[0].bsn = '999999990')],
    ['a family name', (s) => (s.persons[0].familyName = 'Berg, van der')],
    ['initials', (s) => delete s.persons[0].initials],
    ['a birth date', (s) => (s.persons[0].birthDate = '1988-04-13')],
    ['a role', (s) => (s.persons[0].role = 'PLEGER')],
    ['the order of persons', (s) => s.persons.reverse()],
    ['a relation', (s) => (s.relations[0].type = 'VERZORGER_VAN')],
    ['postcode spacing', (s) => (s.address.postcode = '3511AB')],
    ['houseNumber', (s) => (s.address.houseNumber = 13)],
    ['houseLetter case', (s) => (s.address.houseLetter = 'B')],
    ['addition', (s) => (s.address.addition = 'II1')],
    ['city', (s) => delete s.address.city],
    ['retracts', (s) => s.retracts.push('M-00')],
  ])('changes when %s changes', (_, change) => {
    expect(keyOf(changed(melding(), change))).not.toBe(keyOf(melding()));
  });

  it('property: matches the sorted-keys definition and ignores key order', () => {
    fc.assert(
      fc.property(contractSignal, fc.integer(), (input, seed) => {
        const { signal } = decodeJson(JSON.stringify(input));
        const key = canonicalSignalKey(signal);
        expect(key).toBe(sha256(sortedJson(signal)));
        expect(keyOf(reorderKeys(input, seed) as Json)).toBe(key);
      }),
    );
  });
});
