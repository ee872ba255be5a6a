import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, firstInitial, normalizeFamilyName } from '../../src/graph/normalize.js';
import { spelledName } from './spellings.js';

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
    ['Yılmaz', 'yilmaz'],
    ['YILMAZ', 'yilmaz'],
    ['İNCE', 'ince'],
    ['Wiśniewski', 'wisniewski'],
    ['Wis\u0301niewski', 'wisniewski'],
    ['Łukasiewicz', 'lukasiewicz'],
    ['Ørsted', 'orsted'],
    ['Đokić', 'dokic'],
    ['Strauß', 'strauss'],
    ['STRAUẞ', 'strauss'],
    ['Ærø', 'aero'],
    ['Œuvray', 'oeuvray'],
    ['Þórsdóttir', 'thorsdottir'],
    ['van ’t Hek', 'hek'],
    ['van ‘t Hek', 'hek'],
    ['van ʼt Hek', 'hek'],
    ["Hek, van 't", 'hek'],
    ['Jansen‐de Vries', 'jansenvries'],
    ['Ĳzerman', 'zerman'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeFamilyName(input)).toBe(expected);
  });

  it('makes every spelling of a name one name: case, diacritics, transliterated letters, apostrophes, particles after a comma, NFC or NFD', () => {
    fc.assert(
      fc.property(spelledName, ({ normal, spellings }) => {
        for (const spelling of spellings) expect(normalizeFamilyName(spelling)).toBe(normal);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('firstInitial', () => {
  it('takes the first letter, case-insensitive, skipping dots', () => {
    expect(firstInitial('A.')).toBe('a');
    expect(firstInitial('a')).toBe('a');
    expect(firstInitial('.J.P.')).toBe('j');
    expect(firstInitial('Ö.')).toBe('o');
  });
  it('folds the first letter as a family name is folded, so `Ł.` is `L.` as `Łukasz` is `Lukasz`', () => {
    expect(firstInitial('Ł.')).toBe('l');
    expect(firstInitial('Ł.K.')).toBe('l');
    expect(firstInitial('İ.')).toBe('i');
    expect(firstInitial('ı')).toBe('i');
    expect(firstInitial('Ø.')).toBe('o');
    expect(firstInitial('Æ.')).toBe('a');
    expect(firstInitial('Þ.')).toBe('t');
    expect(firstInitial('E\u0301.')).toBe('e');
    expect(firstInitial('.\u0301A.')).toBe('a');
  });
  it('has none when the first letter folds to no letter from a to z, rather than taking the next one', () => {
    expect(firstInitial('Ð.J.')).toBeUndefined();
    expect(firstInitial('Ж.')).toBeUndefined();
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
