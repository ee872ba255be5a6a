import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, firstInitial, normalizeFamilyName } from '../../src/graph/normalize.js';
import type { Address } from '../../src/signals/types.js';

/*
 * firstInitial and addressKey read plain ASCII directly and leave the rest
 * to the Unicode functions. These are the definitions they must agree with,
 * written as the contract states them.
 */
function definedInitial(initials: string): string | undefined {
  const folded = initials
    .toLowerCase()
    .normalize('NFD')
    .replace(/[ıłøđßæœþ]/g, (c) => normalizeFamilyName(c))
    .replace(/\p{M}/gu, '');
  const letter = /\p{L}/u.exec(folded)?.[0];
  return letter !== undefined && /^[a-z]$/.test(letter) ? letter : undefined;
}

function definedAddressKey(address: Address): string | undefined {
  if (address.postcode === undefined || address.houseNumber === undefined) return undefined;
  const pc = address.postcode.replace(/\s+/g, '').toUpperCase();
  if (pc === '') return undefined;
  let letter = (address.houseLetter ?? '').toUpperCase();
  let addition = (address.addition ?? '').replace(/[-/\s]/g, '').toUpperCase();
  if (letter === '' && /^[A-Z]$/.test(addition)) {
    letter = addition;
    addition = '';
  }
  return [pc, address.houseNumber, letter, addition].join('|');
}

/** ASCII letters, digits and separators, and the non-ASCII characters that fold, case or space differently. */
const text = fc.string({
  unit: fc.constantFrom(
    ...'aAzZbY09 .-/\t\r\n\v\f',
    'ö',
    'Ö',
    'é',
    'ß',
    'İ',
    'ı',
    'Ł',
    'ø',
    'Ð',
    'Ж',
    '\u212a', // Kelvin sign: lower-cases to k
    '\u00a0',
    '\u2003',
    '\ufeff',
    '\u0301',
    '\u0085',
    '\u001f',
  ),
  maxLength: 12,
});

describe('the ASCII paths of normalize', () => {
  it('firstInitial agrees with its Unicode definition', () => {
    fc.assert(
      fc.property(text, (initials) => {
        expect(firstInitial(initials)).toBe(definedInitial(initials));
      }),
      { numRuns: 2000 },
    );
  });

  it('addressKey agrees with its Unicode definition', () => {
    const address = fc.record(
      {
        postcode: text,
        houseNumber: fc.oneof(fc.integer({ min: 1, max: 99_999 }), fc.constant(1.5)),
        houseLetter: text,
        addition: text,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(address, (a) => {
        expect(addressKey(a)).toBe(definedAddressKey(a));
      }),
      { numRuns: 2000 },
    );
  });

  it('addressKey builds short and long keys alike', () => {
    expect(addressKey({ postcode: '1234 ab', houseNumber: 123 })).toBe('1234AB|123||');
    expect(addressKey({ postcode: '1234ab', houseNumber: 12_345, addition: 'bis-2' })).toBe(
      '1234AB|12345||BIS2',
    );
    expect(addressKey({ postcode: ' \t1234\u00a0AB ', houseNumber: 7, houseLetter: 'c' })).toBe(
      '1234AB|7|C|',
    );
  });
});
