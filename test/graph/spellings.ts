/**
 * Family names as people write them: one name in many spellings that
 * CONTRACT §2 makes one. A name is a few plain words (a to z, not a
 * tussenvoegsel) and some tussenvoegsels; a spelling of it changes case,
 * writes letters with diacritics or as the letters the contract
 * transliterates, uses typographic apostrophes, puts the particles after
 * a comma, and is in NFC or NFD.
 */
import fc from 'fast-check';

/** CONTRACT §2's list. */
const TUSSENVOEGSELS = [
  ...['van', 'de', 'der', 'den', 'het', 't', 'ter', 'ten', 'te'],
  ...['op', 'in', 'la', 'le', 'du', 'von'],
];
const APOSTROPHES = ["'", '\u2019', '\u2018', '\u02bc'];

/** Ways to write each letter that all fold to it: case, diacritics, and the contract's transliterations. */
const LETTER_SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  a: ['A', 'á', 'ä', 'å', 'à', 'â', 'Ä', 'a\u0308'],
  c: ['C', 'ç', 'Ç', 'ć', 'č'],
  d: ['D', 'đ', 'Đ', 'ď'],
  e: ['E', 'é', 'ë', 'ê', 'è', 'É', 'e\u0301', 'ę'],
  g: ['G', 'ğ', 'Ğ'],
  i: ['I', 'ı', 'İ', 'í', 'ï', 'Í', 'i\u0301', 'î'],
  l: ['L', 'ł', 'Ł'],
  n: ['N', 'ñ', 'ń', 'Ñ'],
  o: ['O', 'ø', 'Ø', 'ö', 'ó', 'Ö', 'o\u0308', 'ô', 'ǿ'],
  s: ['S', 'ś', 'ş', 'š', 'Ş', 'Ś'],
  u: ['U', 'ü', 'ú', 'Ü', 'û', 'ů'],
  y: ['Y', 'ý', 'ÿ'],
  z: ['Z', 'ž', 'ż', 'ź', 'Ž'],
};
/** Letter pairs the contract writes for one letter. */
const PAIR_SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  ss: ['ß', 'ẞ'],
  ae: ['æ', 'Æ'],
  oe: ['œ', 'Œ'],
  th: ['þ', 'Þ'],
};

/** A spelling of the plain lower-case `word`, by the choices in `picks` (any numbers). */
function spell(word: string, picks: readonly number[]): string {
  let out = '';
  let k = 0;
  const pick = (): number => picks[k++ % picks.length]!;
  for (let i = 0; i < word.length; i++) {
    const pair = PAIR_SPELLINGS[word.slice(i, i + 2)];
    if (pair !== undefined && pick() % 2 === 0) {
      out += pair[pick() % pair.length];
      i++;
      continue;
    }
    const letter = word[i]!;
    const choices = LETTER_SPELLINGS[letter] ?? [letter.toUpperCase()];
    const choice = pick() % (choices.length + 1);
    out += choice === choices.length ? letter : choices[choice];
  }
  return out;
}

/** A word that is no tussenvoegsel, often with the letters and pairs that have other spellings. */
const word = fc
  .array(fc.constantFrom(...'abcdeilnostuyz', 'ss', 'ae', 'oe', 'th', 'ij', 'k', 'r'), {
    minLength: 2,
    maxLength: 6,
  })
  .map((parts) => parts.join(''))
  .filter((w) => !TUSSENVOEGSELS.includes(w));

export interface SpelledName {
  /** What the name normalises to: its words, joined. */
  normal: string;
  /** Spellings of it, each a different way. */
  spellings: string[];
}

const spellingChoice = fc.record({
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
  particlesAfter: fc.boolean(),
  apostrophe: fc.constantFrom(...APOSTROPHES),
  space: fc.constantFrom(' ', '  ', '\u00a0'),
  joiner: fc.constantFrom('-', ' ', ' - ', '\u2010'),
  form: fc.constantFrom('NFC', 'NFD', undefined),
});

/** A name and two to four spellings of it. */
export const spelledName: fc.Arbitrary<SpelledName> = fc
  .record({
    words: fc.array(word, { minLength: 1, maxLength: 2 }),
    particles: fc.array(fc.constantFrom(...TUSSENVOEGSELS), { maxLength: 3 }),
    choices: fc.array(spellingChoice, { minLength: 2, maxLength: 4 }),
  })
  .map(({ words, particles, choices }) => ({
    normal: words.join(''),
    spellings: choices.map((c) => {
      const written = (plain: string, shift: number) =>
        spell(plain, [...c.picks.slice(shift), ...c.picks.slice(0, shift)]);
      const name = words.map((w, i) => written(w, i)).join(c.joiner);
      const particleText = particles
        .map((p, i) => (p === 't' ? `${c.apostrophe}t` : written(p, i + 3)))
        .join(c.space);
      const spelled =
        particleText === ''
          ? name
          : c.particlesAfter
            ? `${name},${c.space}${particleText}`
            : `${particleText}${c.space}${name}`;
      return c.form === undefined ? spelled : spelled.normalize(c.form);
    }),
  }));
