/**
 * A content fingerprint of a decoded signal, so the radar can tell an exact
 * redelivery (same id, same fingerprint: a no-op) from a conflicting one
 * (same id, other fingerprint: DUPLICATE_ID_CONFLICT).
 *
 * It is a 53-bit hash over every contract field of the decoded and
 * normalised `Signal`, walked in one fixed order. Because decoding
 * normalises, key order in the input, the wire format (JSON or protobuf),
 * spelled-out defaults and an 8-digit BSN's missing zero all give the same
 * fingerprint. Every variable-length value ends in a marker no character
 * code can take, so no two different signals feed the hash the same
 * sequence; two different versions of one id then share a fingerprint with
 * a chance of 2⁻⁵³.
 *
 * Not SHA-256 over canonical JSON: the radar fingerprints every signal it
 * accepts, and building that JSON cost four times what this walk costs.
 */
import { outOfRange } from '../at.js';
import {
  ADDRESS_SPAN,
  PERSON_SPAN,
  PERSON_SPANS,
  RELATION_SPAN,
  SIGNAL_SPAN,
  utf8Text,
  type PlainLine,
} from './json-fast-path.js';
import {
  SAFETY_LEVELS,
  type Address,
  type Person,
  type Relation,
  type Role,
  type Signal,
} from './types.js';

/** Outside the UTF-16 code unit range, so a marker is never part of a string. */
const END = 0x1_0000;
const ABSENT = 0x2_0000;

const K1 = 2_654_435_761;
const K2 = 1_597_334_677;

/** An Int32Array of length two, as it is made: both its elements always read as numbers. */
type HashState = Int32Array & { 0: number; 1: number };

/**
 * The two 32-bit hash states. In an Int32Array rather than two module
 * variables: a variable holding a number outside the small-integer range
 * is a heap number, so every step of the hash allocated two of them.
 */
const h = new Int32Array(2) as HashState;

function code(value: number): void {
  h[0] = Math.imul(h[0] ^ value, K1);
  h[1] = Math.imul(h[1] ^ value, K2);
}

function text(value: string | undefined): void {
  if (value === undefined) {
    code(ABSENT);
    return;
  }
  // The same steps as `code`, on locals for the length of the string.
  let a = h[0];
  let b = h[1];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, K1);
    b = Math.imul(b ^ c, K2);
  }
  h[0] = Math.imul(a ^ END, K1);
  h[1] = Math.imul(b ^ END, K2);
}

/** `text` of the string the UTF-8 bytes `bytes[start, end)` hold; absent for a start of -1. */
function span(bytes: Uint8Array, start: number, end: number): void {
  if (start < 0) {
    code(ABSENT);
    return;
  }
  let a = h[0];
  let b = h[1];
  let bits = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i] ?? outOfRange(bytes, i);
    bits |= c;
    a = Math.imul(a ^ c, K1);
    b = Math.imul(b ^ c, K2);
  }
  // A byte of ASCII is its character's code; any other string is hashed from its text instead.
  if (bits >= 0x80) {
    text(utf8Text(bytes, start, end));
    return;
  }
  h[0] = Math.imul(a ^ END, K1);
  h[1] = Math.imul(b ^ END, K2);
}

function flag(value: boolean): void {
  code(value ? 1 : 0);
}

function texts(values: readonly string[]): void {
  code(values.length);
  for (let i = 0; i < values.length; i++) text(values[i]);
}

function person(p: Person): void {
  text(p.ref);
  text(p.bsn);
  text(p.familyName);
  text(p.initials);
  text(p.birthDate);
  text(p.role);
}

function relation(r: Relation): void {
  text(r.from);
  text(r.to);
  text(r.type);
}

function address(a: Address | undefined): void {
  if (a === undefined) {
    code(ABSENT);
    return;
  }
  code(END);
  text(a.postcode);
  code(a.houseNumber ?? ABSENT);
  text(a.houseLetter);
  text(a.addition);
  text(a.city);
}

export function signalFingerprint(s: Signal): number {
  begin();
  text(s.id);
  text(s.kind);
  text(s.occurredAt);
  text(s.receivedAt);
  text(s.region);
  text(s.source);
  text(s.category);
  texts(s.violenceTypes);
  text(s.safety);
  flag(s.childrenPresent);
  flag(s.substantiated);
  code(s.persons.length);
  for (const p of s.persons) person(p);
  code(s.relations.length);
  for (const r of s.relations) relation(r);
  address(s.address);
  texts(s.retracts);
  return end();
}

/**
 * `signalFingerprint` of the signal a fast-path line stands for, the same
 * steps in the same order, each field hashed from its span of the line's
 * UTF-8 bytes, the characters of the string it holds (an enum value's are
 * its name's); a default enum value, which has no span, as its name.
 */
export function plainFingerprint(s: PlainLine): number {
  const { bytes, spans, personSpans: persons, addressSpans: address } = s;
  begin();
  spanOf(bytes, spans, SIGNAL_SPAN.id);
  spanOf(bytes, spans, SIGNAL_SPAN.kind);
  spanOf(bytes, spans, SIGNAL_SPAN.occurredAt);
  spanOf(bytes, spans, SIGNAL_SPAN.receivedAt);
  spanOf(bytes, spans, SIGNAL_SPAN.region);
  spanOf(bytes, spans, SIGNAL_SPAN.source);
  spanOf(bytes, spans, SIGNAL_SPAN.category);
  code(s.violenceCount);
  for (let i = 0; i < 2 * s.violenceCount; i += 2) {
    spanOf(bytes, s.violenceSpans, i);
  }
  // A default safety has no span: hashed as its name, as the full path spells it out.
  if (spans[SIGNAL_SPAN.safety] === -1) text(SAFETY_LEVELS[s.safety]);
  else spanOf(bytes, spans, SIGNAL_SPAN.safety);
  flag(s.childrenPresent);
  flag(s.substantiated);
  code(s.persons);
  for (let at = 0; at < PERSON_SPANS * s.persons; at += PERSON_SPANS) {
    spanOf(bytes, persons, at + PERSON_SPAN.ref);
    bsnSpan(bytes, persons, at + PERSON_SPAN.bsn);
    spanOf(bytes, persons, at + PERSON_SPAN.familyName);
    spanOf(bytes, persons, at + PERSON_SPAN.initials);
    spanOf(bytes, persons, at + PERSON_SPAN.birthDate);
    if (persons[at + PERSON_SPAN.role] === -1) text(DEFAULT_ROLE);
    else spanOf(bytes, persons, at + PERSON_SPAN.role);
  }
  code(s.relations);
  const relations = s.relationSpans;
  for (let at = 0; at < 6 * s.relations; at += 6) {
    spanOf(bytes, relations, at + RELATION_SPAN.from);
    spanOf(bytes, relations, at + RELATION_SPAN.to);
    spanOf(bytes, relations, at + RELATION_SPAN.type);
  }
  if (s.hasAddress) {
    code(END);
    spanOf(bytes, address, ADDRESS_SPAN.postcode);
    code(s.houseNumber < 0 ? ABSENT : s.houseNumber);
    spanOf(bytes, address, ADDRESS_SPAN.houseLetter);
    spanOf(bytes, address, ADDRESS_SPAN.addition);
    spanOf(bytes, address, ADDRESS_SPAN.city);
  } else {
    code(ABSENT);
  }
  code(s.retractCount);
  for (let i = 0; i < 2 * s.retractCount; i += 2) {
    spanOf(bytes, s.retractSpans, i);
  }
  return end();
}

/** `span` of the field whose start and end are `spans[at]` and `spans[at + 1]`. */
function spanOf(bytes: Uint8Array, spans: readonly number[], at: number): void {
  span(bytes, spans[at] ?? outOfRange(spans, at), spans[at + 1] ?? outOfRange(spans, at + 1));
}

/** `spanOf` a BSN as `normaliseBsn` gives it: eight digits with the zero they lack in front. */
function bsnSpan(bytes: Uint8Array, spans: readonly number[], at: number): void {
  const start = spans[at] ?? outOfRange(spans, at);
  const end = spans[at + 1] ?? outOfRange(spans, at + 1);
  if (start >= 0 && end - start === 8) code(ZERO);
  span(bytes, start, end);
}

const ZERO = 0x30;

/** The role of a person whose signal gives none, as the full path fills it in. */
const DEFAULT_ROLE: Role = 'ONBEKEND';

function begin(): void {
  // Stored as int32 (0xdeadbeef wraps), which is how the first step's `^` reads them anyway.
  h[0] = 0xdeadbeef;
  h[1] = 0x41c6ce57;
}

function end(): number {
  // Final avalanche, so that fingerprints differing in one input bit differ in about half their bits.
  let h1 = h[0];
  let h2 = h[1];
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2_246_822_507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3_266_489_909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2_246_822_507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3_266_489_909);
  return 0x1_0000_0000 * (h2 & 0x1f_ffff) + (h1 >>> 0);
}
