/**
 * The contract's normal forms (CONTRACT §2): family names, first initials and
 * address keys. Pure string functions, on the hot path of every signal.
 */
import { outOfRange } from '../at.js';
import { ADDRESS_SPAN, utf8Text } from '../signals/json-fast-path.js';
import type { Address } from '../signals/types.js';
import type { KeyStore } from './key-store.js';

const TUSSENVOEGSELS = new Set([
  'van',
  'de',
  'der',
  'den',
  'het',
  't',
  'ter',
  'ten',
  'te',
  'op',
  'in',
  'la',
  'le',
  'du',
  'von',
]);

/**
 * Spaces, hyphens (`-`, and Unicode's own hyphen and non-breaking hyphen),
 * commas and apostrophes: the ASCII one, the typographic ones `’` and `‘`
 * that word processors put in (`van ’t Hek`), and the modifier letter `ʼ`.
 */
const NAME_SEPARATORS = /[\s\-\u2010\u2011,'\u2018\u2019\u02bc]+/u;
/** What NFD separates from a letter: its accents, dots, cedillas, ogoneks and the like. */
const DIACRITICS = /\p{M}/gu;
const NOT_A_TO_Z = /[^a-z]/g;

/**
 * Lower-case letters whose mark is part of the letter, so that NFD leaves
 * them whole: the contract transliterates them. Their capitals lower-case
 * to them first (`İ` lower-cases to `i` with a combining dot, which NFD
 * then strips like any other; `ẞ` to `ß`).
 */
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  ı: 'i',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
};
const TRANSLITERATED = /[ıłøđßæœþ]/g;

function transliterate(letter: string): string {
  return TRANSLITERATIONS[letter] ?? letter;
}

/**
 * Lower case, transliterated, without diacritics: `YILMAZ`, `Yılmaz` and
 * `Yilmaz` all become `yilmaz`, `Wiśniewski` (precomposed or with a
 * combining acute) `wisniewski`. NFD comes before transliterating so that a
 * letter like `ǿ` (`ø` with an acute) is separated into `ø` and its acute first.
 */
function foldName(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(TRANSLITERATED, transliterate)
    .replace(DIACRITICS, '');
}

/**
 * CONTRACT §2: `Berg, van der` and `van der Berg` both become `berg`;
 * `Jansen-de Vries` becomes `jansenvries`, `van ’t Hek` `hek`, `Yılmaz`
 * `yilmaz`. A name of tussenvoegsels only normalises to the empty string,
 * which the caller treats as no name at all.
 */
export function normalizeFamilyName(familyName: string): string {
  let normal = familyNames.get(familyName);
  if (normal === undefined) {
    if (familyNames.size >= FAMILY_NAME_CACHE_SIZE) familyNames.clear();
    normal = normalizeUncached(familyName);
    familyNames.set(familyName, normal);
  }
  return normal;
}

/**
 * Family names repeat: a few thousand cover most signals. Remembering their
 * normal forms saves the Unicode normalisation and the splitting on almost
 * every person. Emptied when full, which bounds it and costs one miss each.
 */
const familyNames = new Map<string, string>();
const FAMILY_NAME_CACHE_SIZE = 50_000;

function normalizeUncached(familyName: string): string {
  let out = '';
  for (const part of foldName(familyName).split(NAME_SEPARATORS)) {
    if (part !== '' && !TUSSENVOEGSELS.has(part)) out += part;
  }
  return out.replace(NOT_A_TO_Z, '');
}

/** The tussenvoegsels as bytes, to tell one in a line without making it a string. */
const TUSSENVOEGSEL_BYTES = [...TUSSENVOEGSELS].map((word) => Buffer.from(word, 'latin1'));

/**
 * The name key `identityKeys` makes of a family name, the UTF-8
 * `bytes[start, end)` (a start of -1 for none), and a birth date, pushed
 * onto `into`; false, with nothing pushed, when it makes none.
 */
export function pushNameKey(
  into: KeyStore,
  bytes: Uint8Array,
  start: number,
  end: number,
  birthDate: string | undefined,
): boolean {
  if (start < 0 || birthDate === undefined) return false;
  const pushed = isAscii(bytes, start, end)
    ? pushFamilyName(into, bytes, start, end)
    : pushText(into, normalizeFamilyName(utf8Text(bytes, start, end)));
  if (pushed === 0) return false;
  into.push(PIPE);
  for (let i = 0; i < birthDate.length; i++) into.push(birthDate.charCodeAt(i));
  return true;
}

/**
 * `normalizeFamilyName` of the printable ASCII `bytes[start, end)`, pushed
 * onto `into` a code unit at a time; returns how many it pushed. On such
 * text the Unicode steps change nothing and the only separators are space,
 * `-`, `,` and `'`.
 */
function pushFamilyName(into: KeyStore, bytes: Uint8Array, start: number, end: number): number {
  let pushed = 0;
  let part = start;
  for (let i = start; i <= end; i++) {
    const c = i < end ? (bytes[i] ?? outOfRange(bytes, i)) : SPACE;
    if (c !== SPACE && c !== DASH && c !== COMMA && c !== APOSTROPHE) continue;
    if (i > part && !isTussenvoegsel(bytes, part, i)) {
      for (let j = part; j < i; j++) {
        const lower = lowerCase(bytes[j] ?? outOfRange(bytes, j));
        if (lower >= LETTER_A && lower <= LETTER_Z) {
          into.push(lower);
          pushed++;
        }
      }
    }
    part = i + 1;
  }
  return pushed;
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] ?? outOfRange(bytes, i)) >= 0x80) return false;
  return true;
}

/** Pushes the code units of `text` onto `into`; returns how many. */
function pushText(into: KeyStore, text: string): number {
  for (let i = 0; i < text.length; i++) into.push(text.charCodeAt(i));
  return text.length;
}

const SPACE = 0x20;
const DASH = 0x2d;
const COMMA = 0x2c;
const APOSTROPHE = 0x27;
const LETTER_A = 0x61;
const LETTER_Z = 0x7a;

/** An ASCII letter in lower case; any other character as it is. */
function lowerCase(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

function isTussenvoegsel(bytes: Uint8Array, start: number, end: number): boolean {
  next: for (const word of TUSSENVOEGSEL_BYTES) {
    if (word.length !== end - start) continue;
    for (let i = 0; i < word.length; i++)
      if (lowerCase(bytes[start + i] ?? outOfRange(bytes, start + i)) !== word[i]) continue next;
    return true;
  }
  return false;
}

/**
 * `addressKey` of a fast-path line's address, its text fields spans of the
 * line's `bytes` laid out as `PlainLine.addressSpans` lays them out (the
 * fast path reads postcode, house letter and addition only in printable
 * ASCII), pushed onto `into`; false, with nothing pushed, for none.
 */
export function pushAddressKey(
  into: KeyStore,
  bytes: Uint8Array,
  spans: readonly number[],
  houseNumber: number,
): boolean {
  const postcode = spans[ADDRESS_SPAN.postcode] ?? outOfRange(spans, ADDRESS_SPAN.postcode);
  if (postcode < 0 || houseNumber < 0) return false;
  const postcodeEnd =
    spans[ADDRESS_SPAN.postcode + 1] ?? outOfRange(spans, ADDRESS_SPAN.postcode + 1);
  const from = into.end;
  for (let i = postcode; i < postcodeEnd; i++) {
    const c = bytes[i] ?? outOfRange(bytes, i);
    if (c !== SPACE) into.push(upperCase(c));
  }
  if (into.end === from) return false;
  into.push(PIPE);
  for (let place = 10_000; place >= 1; place /= 10) {
    if (houseNumber >= place) into.push(0x30 + (Math.floor(houseNumber / place) % 10));
  }
  into.push(PIPE);
  const additionFrom = spans[ADDRESS_SPAN.addition] ?? outOfRange(spans, ADDRESS_SPAN.addition);
  const additionTo =
    spans[ADDRESS_SPAN.addition + 1] ?? outOfRange(spans, ADDRESS_SPAN.addition + 1);
  let additions = 0;
  let firstAddition = 0;
  for (let i = additionFrom; i < additionTo; i++) {
    const c = bytes[i] ?? outOfRange(bytes, i);
    if (isAdditionSeparator(c)) continue;
    if (additions++ === 0) firstAddition = upperCase(c);
  }
  const letter = spans[ADDRESS_SPAN.houseLetter] ?? outOfRange(spans, ADDRESS_SPAN.houseLetter);
  if (letter < 0 && additions === 1 && isUpperCaseAscii(firstAddition)) {
    // As `addressKey`: an addition of one letter, without a house letter, is the house letter.
    into.push(firstAddition);
    into.push(PIPE);
    return true;
  }
  if (letter >= 0) into.push(upperCase(bytes[letter] ?? outOfRange(bytes, letter)));
  into.push(PIPE);
  for (let i = additionFrom; i < additionTo; i++) {
    const c = bytes[i] ?? outOfRange(bytes, i);
    if (!isAdditionSeparator(c)) into.push(upperCase(c));
  }
  return true;
}

const PIPE = 0x7c;
const SLASH = 0x2f;

/** In printable ASCII, what `ADDITION_SEPARATORS` matches. */
function isAdditionSeparator(c: number): boolean {
  return c === DASH || c === SLASH || c === SPACE;
}

function upperCase(c: number): number {
  return c >= LETTER_A && c <= LETTER_Z ? c - 0x20 : c;
}

/**
 * `firstInitial` of the text the UTF-8 `bytes[start, end)` hold (a start
 * of -1 for none), as its index in the alphabet, or -1.
 */
export function firstInitialIndex(bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = bytes[i] ?? outOfRange(bytes, i);
    if (c >= 0x80) return alphabetIndex(firstInitialFolded(utf8Text(bytes, i, end)));
    const lower = c | 0x20;
    if (lower >= LETTER_A && lower <= LETTER_Z) return lower - LETTER_A;
  }
  return -1;
}

function alphabetIndex(letter: string | undefined): number {
  return letter === undefined ? -1 : letter.charCodeAt(0) - LETTER_A;
}

/**
 * The first letter of `initials`, lowercased; undefined when it has none.
 * Folded as a family name is, so `Ö.` is `o` and `Ł.` is `l`, as `Öztürk`
 * and `Łukasz` are the names `Ozturk` and `Lukasz`. A first letter that
 * folds to no letter from a to z (`Ð.`, Greek, Cyrillic) gives no initial:
 * the initial is unknown, not the next letter's.
 */
export function firstInitial(initials: string | undefined): string | undefined {
  if (initials === undefined) return undefined;
  // Folding leaves ASCII as it is, so up to the first non-ASCII character
  // the answer can be read off directly; only from there on (`Ö.`, `İ`)
  // does the text need the full Unicode treatment.
  for (let i = 0; i < initials.length; i++) {
    const c = initials.charCodeAt(i);
    if (c >= 0x80) return firstInitialFolded(initials.slice(i));
    const lower = c | 0x20;
    if (lower >= LETTER_A && lower <= LETTER_Z) return String.fromCharCode(lower);
  }
  return undefined;
}

const LETTER = /\p{L}/u;

function firstInitialFolded(initials: string): string | undefined {
  const letter = LETTER.exec(foldName(initials))?.[0];
  if (letter === undefined || letter.length !== 1) return undefined;
  const c = letter.charCodeAt(0);
  return c >= LETTER_A && c <= LETTER_Z ? letter : undefined;
}

const ADDITION_SEPARATORS = /[-/\s]/g;

/**
 * Postcode without spaces in upper case, house number, house letter, addition
 * without separators in upper case. `12` + addition `a` is `12` + letter `A`.
 * Undefined when postcode or house number is missing: such an address links nothing.
 */
export function addressKey(address: Address | undefined): string | undefined {
  if (address === undefined) return undefined;
  const { postcode, houseNumber } = address;
  if (postcode === undefined || houseNumber === undefined) return undefined;
  const pc = postcodeKey(postcode);
  if (pc === '') return undefined;
  let letter = (address.houseLetter ?? '').toUpperCase();
  const given = address.addition ?? '';
  let addition = given === '' ? '' : given.replace(ADDITION_SEPARATORS, '').toUpperCase();
  if (letter === '' && addition.length === 1 && isUpperCaseAscii(addition.charCodeAt(0))) {
    letter = addition;
    addition = '';
  }
  // The radar holds the key for long, so it must be one flat string, not a
  // tree of its pieces. V8 copies a concatenation shorter than 13 characters
  // into a flat string (most keys: `1234AB|123||`); a longer one would be a
  // tree, and join, ten times the cost, builds it flat.
  const key = pc + '|' + houseNumber + '|' + letter + '|' + addition;
  return key.length < FLAT_CONCAT_LENGTH ? key : [pc, houseNumber, letter, addition].join('|');
}

/** V8's `ConsString::kMinLength`: shorter concatenations are copied flat. */
const FLAT_CONCAT_LENGTH = 13;

/**
 * The postcode without whitespace, in capitals. Written out for ASCII, as
 * postcodes arrive (`1234AB`, `1234 ab`): the regular expression and Unicode
 * upper-casing cost more than the rest of the address key together.
 */
function postcodeKey(postcode: string): string {
  let compact = '';
  let start = 0;
  let lower = false;
  for (let i = 0; i < postcode.length; i++) {
    const c = postcode.charCodeAt(i);
    if (c >= 0x80) return postcode.replace(/\s+/g, '').toUpperCase();
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      compact += postcode.slice(start, i);
      start = i + 1;
    } else if (c >= 0x61 && c <= 0x7a) {
      lower = true;
    }
  }
  compact = start === 0 ? postcode : compact + postcode.slice(start);
  return lower ? compact.toUpperCase() : compact;
}

function isUpperCaseAscii(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}
