import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeJson,
  decodeProtobuf,
  encodeProtobuf,
  signalFingerprint,
  type Signal,
} from '../../src/signals/index.js';
import { contractSignal, reorderKeys } from './arbitraries.js';
import { changed, intrekking, melding, minimalPolitie, type Json } from './samples.js';

const keyOf = (signal: Json): number =>
  signalFingerprint(decodeJson(JSON.stringify(signal)).signal);

/** Content equality as the contract means it: the decoded signals' JSON with sorted keys, undefined left out. */
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

describe('signalFingerprint', () => {
  it('is a 53-bit integer, different for different samples', () => {
    const prints = [melding(), minimalPolitie(), intrekking()].map(keyOf);
    for (const print of prints) expect(Number.isSafeInteger(print) && print >= 0).toBe(true);
    expect(new Set(prints).size).toBe(3);
  });

  it('ignores the order of keys, at every level', () => {
    expect(keyOf(reorderKeys(melding(), 7) as Json)).toBe(keyOf(melding()));
  });

  it('is the same for JSON and protobuf of one signal', () => {
    const { signal } = decodeJson(JSON.stringify(melding()));
    expect(signalFingerprint(decodeProtobuf(encodeProtobuf(signal)).signal)).toBe(keyOf(melding()));
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
    expect(signalFingerprint(withUndefined)).toBe(signalFingerprint(signal));
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

  it('property: ignores key order', () => {
    fc.assert(
      fc.property(contractSignal, fc.integer(), (input, seed) => {
        expect(keyOf(reorderKeys(input, seed) as Json)).toBe(keyOf(input));
      }),
    );
  });

  it('property: two signals share a fingerprint exactly when their sorted JSON is equal', () => {
    fc.assert(
      fc.property(contractSignal, contractSignal, (a, b) => {
        const left = decodeJson(JSON.stringify(a)).signal;
        const right = decodeJson(JSON.stringify(b)).signal;
        expect(signalFingerprint(left) === signalFingerprint(right)).toBe(
          sortedJson(left) === sortedJson(right),
        );
      }),
    );
  });
});
