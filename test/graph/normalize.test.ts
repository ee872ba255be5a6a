import { describe, expect, it } from 'vitest';
import { addressKey, firstInitial, normalizeFamilyName } from '../../src/graph/normalize.js';

describe('normalizeFamilyName', () => {
  it.each([
    ['van der Berg', 'berg'],
    ['Berg, van der', 'berg'],
    ['Jansen-de Vries', 'jansenvries'],
    ["'t Hart", 'hart'],
    ['Çelik', 'celik'],
    ['Müller-Lüdenscheidt', 'mullerludenscheidt'],
    ['De la Fuente', 'fuente'],
    ['  Yilmaz  ', 'yilmaz'],
    ['O’Neill', 'oneill'],
    ['van den', ''],
  ])('%s → %s', (input, expected) => {
    expect(normalizeFamilyName(input)).toBe(expected);
  });
});

describe('firstInitial', () => {
  it('takes the first letter, case-insensitive, skipping dots', () => {
    expect(firstInitial('A.')).toBe('a');
    expect(firstInitial('a')).toBe('a');
    expect(firstInitial('.J.P.')).toBe('j');
    expect(firstInitial('Ö.')).toBe('o');
  });
  it('has none for absent or letterless initials', () => {
    expect(firstInitial(undefined)).toBeUndefined();
    expect(firstInitial('..')).toBeUndefined();
  });
});

describe('addressKey', () => {
  it('treats a single-letter addition as the house letter', () => {
    const a = addressKey({ postcode: '3511 AB', houseNumber: 12, addition: 'a' });
    const b = addressKey({ postcode: '3511ab', houseNumber: 12, houseLetter: 'A' });
    expect(a).toBe('3511AB|12|A|');
    expect(b).toBe(a);
  });
  it('drops separators from the addition and keeps it apart from the letter', () => {
    expect(
      addressKey({ postcode: '1000aa', houseNumber: 5, houseLetter: 'b', addition: '2-hg' }),
    ).toBe('1000AA|5|B|2HG');
    expect(addressKey({ postcode: '1000aa', houseNumber: 5, addition: ' 1 / 2 ' })).toBe(
      '1000AA|5||12',
    );
  });
  it('has no key without postcode or house number', () => {
    expect(addressKey({ houseNumber: 5 })).toBeUndefined();
    expect(addressKey({ postcode: '1000AA' })).toBeUndefined();
    expect(addressKey(undefined)).toBeUndefined();
  });
});
