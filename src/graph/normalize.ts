/**
 * The contract's normal forms (CONTRACT §2): family names, first initials and
 * address keys. Pure string functions, on the hot path of every signal.
 */
import type { Address } from '../signals/types.js';

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

const NAME_SEPARATORS = /[\s\-,']+/;
const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NOT_A_TO_Z = /[^a-z]/g;

function foldDiacritics(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '');
}

/**
 * `Berg, van der` and `van der Berg` both become `berg`; `Jansen-de Vries`
 * becomes `jansenvries`. A name of tussenvoegsels only normalises to the
 * empty string, which the caller treats as no name at all.
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
  for (const part of foldDiacritics(familyName.toLowerCase()).split(NAME_SEPARATORS)) {
    if (part !== '' && !TUSSENVOEGSELS.has(part)) out += part;
  }
  return out.replace(NOT_A_TO_Z, '');
}

/** The first letter of `initials`, lowercased; undefined when it has none. */
export function firstInitial(initials: string | undefined): string | undefined {
  if (initials === undefined) return undefined;
  // Lowercasing and folding leave ASCII as it is, so up to the first
  // non-ASCII character the answer can be read off directly; only from
  // there on (`Ö.`, `İ`) does the text need the full Unicode treatment.
  for (let i = 0; i < initials.length; i++) {
    const c = initials.charCodeAt(i);
    if (c >= 0x80) return firstInitialFolded(initials);
    const lower = c | 0x20;
    if (lower >= 0x61 && lower <= 0x7a) return String.fromCharCode(lower);
  }
  return undefined;
}

function firstInitialFolded(initials: string): string | undefined {
  const match = /[a-z]/.exec(foldDiacritics(initials.toLowerCase()));
  return match === null ? undefined : match[0];
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
  const pc = isCompactPostcode(postcode) ? postcode : postcode.replace(/\s+/g, '').toUpperCase();
  if (pc === '') return undefined;
  let letter = (address.houseLetter ?? '').toUpperCase();
  const given = address.addition ?? '';
  let addition = given === '' ? '' : given.replace(ADDITION_SEPARATORS, '').toUpperCase();
  if (letter === '' && addition.length === 1 && isUpperCaseAscii(addition.charCodeAt(0))) {
    letter = addition;
    addition = '';
  }
  // join builds one flat string; a template would keep a tree of pieces
  // alive for as long as the radar holds the key.
  return [pc, houseNumber, letter, addition].join('|');
}

/** Already in normal form (digits and capitals only), as most postcodes arrive: nothing to remove or raise. */
function isCompactPostcode(postcode: string): boolean {
  for (let i = 0; i < postcode.length; i++) {
    const c = postcode.charCodeAt(i);
    if (!(c >= 0x30 && c <= 0x39) && !isUpperCaseAscii(c)) return false;
  }
  return true;
}

function isUpperCaseAscii(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}
