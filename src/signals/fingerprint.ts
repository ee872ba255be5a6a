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
import { ADDRESS_SPAN, type PlainLine } from './json-fast-path.js';
import {
  CATEGORIES,
  REGIONS,
  RELATION_TYPES,
  ROLES,
  SAFETY_LEVELS,
  SIGNAL_KINDS,
  SOURCES,
  VIOLENCE_TYPES,
  type Address,
  type Person,
  type Relation,
  type Signal,
} from './types.js';

/** Outside the UTF-16 code unit range, so a marker is never part of a string. */
const END = 0x1_0000;
const ABSENT = 0x2_0000;

const K1 = 2_654_435_761;
const K2 = 1_597_334_677;

/**
 * The two 32-bit hash states. In an Int32Array rather than two module
 * variables: a variable holding a number outside the small-integer range
 * is a heap number, so every step of the hash allocated two of them.
 */
const h = new Int32Array(2);

function code(value: number): void {
  h[0] = Math.imul(h[0]! ^ value, K1);
  h[1] = Math.imul(h[1]! ^ value, K2);
}

function text(value: string | undefined): void {
  if (value === undefined) {
    code(ABSENT);
    return;
  }
  // The same steps as `code`, on locals for the length of the string.
  let a = h[0]!;
  let b = h[1]!;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, K1);
    b = Math.imul(b ^ c, K2);
  }
  h[0] = Math.imul(a ^ END, K1);
  h[1] = Math.imul(b ^ END, K2);
}

/** `text` of the string the ASCII bytes `bytes[start, end)` hold; absent for a start of -1. */
function span(bytes: Uint8Array, start: number, end: number): void {
  if (start < 0) {
    code(ABSENT);
    return;
  }
  let a = h[0]!;
  let b = h[1]!;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    a = Math.imul(a ^ c, K1);
    b = Math.imul(b ^ c, K2);
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
  for (let i = 0; i < s.persons.length; i++) person(s.persons[i]!);
  code(s.relations.length);
  for (let i = 0; i < s.relations.length; i++) relation(s.relations[i]!);
  address(s.address);
  texts(s.retracts);
  return end();
}

/**
 * `signalFingerprint` of the signal a fast-path line stands for, the same
 * steps in the same order: an enum value hashed as its name, a span of the
 * line's ASCII bytes as the string it holds.
 */
export function plainFingerprint(s: PlainLine): number {
  const { bytes, nameSpans, addressSpans: address } = s;
  begin();
  text(s.id);
  text(SIGNAL_KINDS[s.kind]);
  text(s.occurredAt);
  text(s.receivedAt);
  text(REGIONS[s.region]);
  text(SOURCES[s.source]);
  text(s.category < 0 ? undefined : CATEGORIES[s.category]);
  code(s.violenceCount);
  for (let i = 0; i < s.violenceCount; i++) text(VIOLENCE_TYPES[s.violenceTypes[i]!]);
  text(SAFETY_LEVELS[s.safety]);
  flag(s.childrenPresent);
  flag(s.substantiated);
  code(s.persons);
  for (let i = 0; i < s.persons; i++) {
    text(s.refs[i]);
    text(s.bsns[i]);
    span(bytes, nameSpans[4 * i]!, nameSpans[4 * i + 1]!);
    span(bytes, nameSpans[4 * i + 2]!, nameSpans[4 * i + 3]!);
    text(s.birthDates[i]);
    text(ROLES[s.roles[i]!]);
  }
  code(s.relations);
  for (let i = 0; i < s.relations; i++) {
    text(s.relationFroms[i]);
    text(s.relationTos[i]);
    text(RELATION_TYPES[s.relationTypes[i]!]);
  }
  if (s.hasAddress) {
    code(END);
    span(bytes, address[ADDRESS_SPAN.postcode]!, address[ADDRESS_SPAN.postcode + 1]!);
    code(s.houseNumber < 0 ? ABSENT : s.houseNumber);
    span(bytes, address[ADDRESS_SPAN.houseLetter]!, address[ADDRESS_SPAN.houseLetter + 1]!);
    span(bytes, address[ADDRESS_SPAN.addition]!, address[ADDRESS_SPAN.addition + 1]!);
    span(bytes, address[ADDRESS_SPAN.city]!, address[ADDRESS_SPAN.city + 1]!);
  } else {
    code(ABSENT);
  }
  code(s.retractCount);
  for (let i = 0; i < s.retractCount; i++) text(s.retracts[i]);
  return end();
}

function begin(): void {
  // Stored as int32 (0xdeadbeef wraps), which is how the first step's `^` reads them anyway.
  h[0] = 0xdeadbeef;
  h[1] = 0x41c6ce57;
}

function end(): number {
  // Final avalanche, so that fingerprints differing in one input bit differ in about half their bits.
  let h1 = h[0]!;
  let h2 = h[1]!;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2_246_822_507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3_266_489_909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2_246_822_507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3_266_489_909);
  return 0x1_0000_0000 * (h2 & 0x1f_ffff) + (h1 >>> 0);
}
