/**
 * Rejection messages end up in logs and DLQ headers, so they must never
 * carry the personal data of the signal they reject: not its BSNs, names or
 * birth dates, wherever in the message those values were put.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, decodeProtobuf, encodeProtobuf } from '../../src/signals/index.js';
import * as pb from '../../src/gen/radar/v1/signal.js';
import { melding, rejectionOf, type Loose } from './samples.js';

interface Personal {
  bsn: string;
  familyName: string;
  birthDate: string;
}

const personal: fc.Arbitrary<Personal> = fc.record({
  bsn: fc.stringMatching(/^\d{9}$/),
  // Capitalised and long enough that it cannot occur in a message by chance.
  familyName: fc.stringMatching(/^[A-Z][a-z]{5,12}( [A-Z][a-z]{3,8})?$/),
  birthDate: fc
    .date({ min: new Date('1920-01-01'), max: new Date('2024-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
});

/** The sample melding about a person with these personal data. */
function meldingAbout(p: Personal): Loose {
  const signal = melding() as Loose;
  Object.assign(signal.persons[0], p);
  return signal;
}

/** Changes that put a personal value where the validator will complain about it. */
const misplacements: Array<[string, (s: Loose, p: Personal) => void]> = [
  ['a BSN as the house number', (s, p) => (s.address.houseNumber = Number(p.bsn))],
  ['a BSN as a number', (s, p) => (s.persons[0].bsn = Number(p.bsn))],
  ['a BSN as a relation ref', (s, p) => (s.relations[0].to = p.bsn)],
  ['a BSN as the role', (s, p) => (s.persons[0].role = p.bsn)],
  ['a name as the kind', (s, p) => (s.kind = p.familyName)],
  ['a name as a violence type', (s, p) => (s.violenceTypes = [p.familyName])],
  ['a name as the region', (s, p) => (s.region = p.familyName)],
  ['a name as the house letter', (s, p) => (s.address.houseLetter = p.familyName)],
  ['a name as two person refs', (s, p) => (s.persons[0].ref = s.persons[1].ref = p.familyName)],
  ['a birth date day first', (s, p) => (s.persons[0].birthDate = dayFirst(p.birthDate))],
  ['a birth date as occurredAt', (s, p) => (s.occurredAt = p.birthDate)],
  ['a birth date as an over-long id', (s, p) => (s.id = p.birthDate.repeat(20))],
];

/** JSON broken right at a personal value, where JSON.parse's own message would quote it. */
const brokenTexts: Array<[string, (json: string, p: Personal) => string]> = [
  // V8 quotes the text around this one: `Unexpected token 'J', "…Jansen…" is not valid JSON`.
  ['with an unquoted name', (json, p) => json.replace(`"${p.familyName}"`, p.familyName)],
  [
    'cut off after the name',
    (json, p) => json.slice(0, json.indexOf(p.familyName) + p.familyName.length),
  ],
  ['cut off after the BSN', (json, p) => `${json.slice(0, json.indexOf(p.bsn) + 9)}"}`],
  [
    'a stray token after the birth date',
    (json, p) => json.replace(`"${p.birthDate}"`, `"${p.birthDate}" x`),
  ],
];

const dayFirst = (date: string): string => date.split('-').reverse().join('-');

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack).indexOf(needle);
}

function expectNoPersonalData(message: string, p: Personal): void {
  expect(message).not.toContain(p.bsn);
  expect(message).not.toContain(p.familyName);
  expect(message).not.toContain(p.birthDate);
  expect(message).not.toContain(dayFirst(p.birthDate));
}

describe('rejection messages', () => {
  it.each(misplacements)('carry no personal data for %s', (_, misplace) => {
    fc.assert(
      fc.property(personal, (p) => {
        const signal = meldingAbout(p);
        misplace(signal, p);
        const rejection = rejectionOf(() => decodeJson(JSON.stringify(signal)));
        expectNoPersonalData(`${rejection.message} ${rejection.field}`, p);
      }),
      { numRuns: 30 },
    );
  });

  it.each(brokenTexts)('carry no personal data for JSON %s', (_, breakText) => {
    fc.assert(
      fc.property(personal, (p) => {
        const text = breakText(JSON.stringify(meldingAbout(p)), p);
        const rejection = rejectionOf(() => decodeJson(text));
        expect(rejection.code).toBe('MALFORMED');
        expectNoPersonalData(rejection.message, p);
      }),
      { numRuns: 30 },
    );
  });

  it('carry no personal data for protobuf either', () => {
    fc.assert(
      fc.property(personal, (p) => {
        const valid = decodeJson(JSON.stringify(meldingAbout(p))).signal;
        const bytes = encodeProtobuf(valid);
        const badDate = pb.Signal.decode(bytes);
        badDate.persons[0]!.birthDate = dayFirst(p.birthDate);
        const cutAfterBsn = bytes.subarray(
          0,
          indexOfBytes(bytes, new TextEncoder().encode(p.bsn)) + 9,
        );
        for (const broken of [pb.Signal.encode(badDate).finish(), cutAfterBsn]) {
          expectNoPersonalData(rejectionOf(() => decodeProtobuf(broken)).message, p);
        }
      }),
      { numRuns: 30 },
    );
  });
});
