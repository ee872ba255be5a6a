/**
 * The JSON fast path: reads the common signal line straight from its bytes,
 * without `JSON.parse`'s objects in between, and steps aside for everything
 * else.
 *
 * It reads one shape only: a report (ADVIESVRAAG, MELDING or POLITIE) whose
 * keys are all in the contract and each given once, whose strings are
 * well-formed UTF-8 without escapes, DEL or controls below space and never
 * empty (postcode, house letter, addition, timestamps and birth dates in
 * ASCII), with no `null`, a house number written as plain digits, and
 * nothing `validateSignal` would reject or warn about. Such a line it gives
 * as a `PlainLine`: the fields of the signal `decodeJson(line).signal`
 * gives, as indexes, strings and spans of the line, which
 * `WireWriter.writePlain` prepares without making the signal's objects (the
 * tests hold the two to the same prepared signal on generated and mutated
 * lines). Any other line it steps aside from, and the
 * caller takes the full path, which gives the reason codes and warnings.
 * Stepping aside is always safe, so every check here only has to be strict
 * enough.
 *
 * Why: a backtest decodes millions of lines. `JSON.parse` alone cost more
 * than this whole reading, because it builds an object for every field that
 * the validator then copies out of; and making the signal's objects, only
 * to prepare them and drop them, cost a third of what decoding did.
 */
import { outOfRange } from '../at.js';
import { isValidBsn } from './bsn.js';
import { isCalendarDateBytes, parseTimestampBytes } from './dates.js';
import {
  CATEGORIES as CATEGORY_LIST,
  REGIONS as REGION_LIST,
  RELATION_TYPES as RELATION_TYPE_LIST,
  ROLES as ROLE_LIST,
  SAFETY_LEVELS as SAFETY_LEVEL_LIST,
  SIGNAL_KINDS,
  SOURCES as SOURCE_LIST,
  VIOLENCE_TYPES as VIOLENCE_TYPE_LIST,
} from './types.js';
import {
  ADDRESS_FIELD_NAMES,
  MAX_HOUSE_NUMBER,
  MAX_ID_LENGTH,
  MAX_OCCURRED_AFTER_RECEIVED_MS,
  PERSON_FIELD_NAMES,
  RELATION_FIELD_NAMES,
  SIGNAL_FIELD_NAMES,
  isAddition,
  isLetter,
  normaliseBsn,
} from './validate.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;

/** Thrown to step aside; caught in `readPlainLine` and never seen outside it. */
const DECLINED = new Error('not a plain signal line');

function decline(): never {
  throw DECLINED;
}

/**
 * Names recognised from their bytes, without making them strings first: a
 * scope's keys, or an enum's values. A cheap hash of the length and three
 * bytes picks the one candidate (no two names of a set share a slot, which
 * is checked when the set is built), then the bytes are compared in full.
 */
class Names<T extends string = string> {
  private readonly slots = new Int8Array(SLOTS).fill(-1);
  private readonly bytes: Uint8Array[];
  /** Each name as a key written without spaces, `"name":`. */
  private readonly keys: Uint8Array[];
  /**
   * For names that are an object's keys: the key that followed key k in the
   * last object read, at entry k + 1 (entry 0: the first key), or -1.
   * Writers keep their keys in one order, so this is nearly always the key
   * that comes next, which is then matched in one pass over its bytes.
   */
  private readonly follows: Int8Array;

  constructor(readonly names: readonly T[]) {
    this.bytes = names.map((name) => Buffer.from(name, 'latin1'));
    this.keys = names.map((name) => Buffer.from(`"${name}":`, 'latin1'));
    this.follows = new Int8Array(names.length + 1).fill(-1);
    this.bytes.forEach((name, index) => {
      const slot = slotOf(name, 0, name.length);
      if (this.slots[slot] !== -1) throw new Error(`names ${names.join(', ')} share a slot`);
      this.slots[slot] = index;
    });
  }

  /** The index of the name in `bytes[start, end)`, or -1. */
  indexOf(bytes: Uint8Array, start: number, end: number): number {
    const index = this.slots[slotOf(bytes, start, end)] ?? -1;
    if (index < 0) return -1;
    const name = this.bytes[index];
    if (name === undefined || name.length !== end - start) return -1;
    for (let i = 0; i < name.length; i++) if (name[i] !== bytes[start + i]) return -1;
    return index;
  }

  /** The length of the key `guess` last matched, as written there. */
  guessedLength = 0;

  /**
   * The key that followed key `after` (-1: none, the object's first) last
   * time, when `bytes` hold it written without spaces from `at`; else -1.
   */
  guess(after: number, bytes: Uint8Array, at: number, end: number): number {
    const index = this.follows[after + 1] ?? -1;
    if (index < 0) return -1;
    const key = this.keys[index];
    if (key === undefined || at + key.length > end) return -1;
    for (let i = 0; i < key.length; i++) if (key[i] !== bytes[at + i]) return -1;
    this.guessedLength = key.length;
    return index;
  }

  learn(after: number, index: number): void {
    this.follows[after + 1] = index;
  }
}

const SLOTS = 1024;

function slotOf(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0) return 0;
  const middle = start + (length >> 1);
  const first = bytes[start] ?? outOfRange(bytes, start);
  const inMiddle = bytes[middle] ?? outOfRange(bytes, middle);
  const last = bytes[end - 1] ?? outOfRange(bytes, end - 1);
  const hash = ((length * 31 + first) * 31 + inMiddle) * 31 + last;
  return hash & (SLOTS - 1);
}

const SIGNAL_KEYS = new Names(SIGNAL_FIELD_NAMES);
const PERSON_KEYS = new Names(PERSON_FIELD_NAMES);
const RELATION_KEYS = new Names(RELATION_FIELD_NAMES);
const ADDRESS_KEYS = new Names(ADDRESS_FIELD_NAMES);

/** Each name's index in its list: what `Cursor.key` returns, for the switches below. */
function indexes<T extends string>(names: readonly T[]): Record<T, number> {
  return Object.fromEntries(names.map((name, index) => [name, index])) as Record<T, number>;
}

const SIGNAL = indexes(SIGNAL_FIELD_NAMES);
const PERSON = indexes(PERSON_FIELD_NAMES);
const RELATION = indexes(RELATION_FIELD_NAMES);
const ADDRESS = indexes(ADDRESS_FIELD_NAMES);

const EMPTY = new Uint8Array(0);

/**
 * A cursor over one line. Structure is read from the bytes; a string of
 * ASCII is sliced from the line's text, which holds the line's bytes one a
 * character, and any other string is decoded from its UTF-8 bytes.
 */
class Cursor {
  bytes: Uint8Array = EMPTY;
  text = '';
  /** Added to a byte offset gives the same character's offset in `text`. */
  shift = 0;
  at = 0;
  end = 0;
  /** Where the last string read starts and ends, in bytes, quotes excluded. */
  stringStart = 0;
  stringEnd = 0;
  /** Whether the last string read was all ASCII. */
  stringAscii = true;
  /**
   * Where each string of the line so far that is not all ASCII starts, and
   * its text: decoded once as it is read, for the fingerprint, the name key
   * and the initial to take from `utf8Text` rather than decode it again.
   */
  readonly wideStarts: number[] = [];
  readonly wideTexts: string[] = [];
  wides = 0;

  /** The text of the string outside ASCII that starts at `start`, if the line has one there. */
  wideText(start: number): string | undefined {
    for (let i = 0; i < this.wides; i++) if (this.wideStarts[i] === start) return this.wideTexts[i];
    return undefined;
  }

  /** Notes the span of the last string read at `spans[at]` and `spans[at + 1]`. */
  mark(spans: number[], at: number): void {
    spans[at] = this.stringStart;
    spans[at + 1] = this.stringEnd;
  }

  /** Skips JSON whitespace, up to the line's end; a line has no `\n`. */
  space(): void {
    const bytes = this.bytes;
    let at = this.at;
    while (at < this.end) {
      const c = bytes[at];
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
      at++;
    }
    this.at = at;
  }

  /** The next byte after whitespace, consumed. */
  next(): number {
    this.space();
    if (this.at >= this.end) return -1;
    const at = this.at++;
    return this.bytes[at] ?? outOfRange(this.bytes, at);
  }

  expect(byte: number): void {
    if (this.next() !== byte) decline();
  }

  /** After an item of a list or object: true at `,`, false at the closing byte. */
  more(close: number): boolean {
    const c = this.next();
    if (c === COMMA) return true;
    if (c !== close) decline();
    return false;
  }

  /**
   * Reads a non-empty string of printable ASCII and well-formed UTF-8
   * without escapes, setting `stringStart`, `stringEnd` and `stringAscii`.
   * Ill-formed UTF-8 steps aside: what it means is the full path's to say.
   */
  span(): void {
    this.expect(QUOTE);
    const bytes = this.bytes;
    const start = this.at;
    let at = start;
    let ascii = true;
    for (;;) {
      if (at >= this.end) decline();
      const c = bytes[at] ?? outOfRange(bytes, at);
      if (c === QUOTE) break;
      if (c < 0x80) {
        if (c < 0x20 || c === 0x7f || c === BACKSLASH) decline();
        at++;
      } else {
        const length = utf8Length(bytes, at, this.end);
        if (length === 0) decline();
        ascii = false;
        at += length;
      }
    }
    if (at === start) decline();
    this.stringStart = start;
    this.stringEnd = at;
    this.stringAscii = ascii;
    this.at = at + 1;
    if (!ascii) {
      this.wideStarts[this.wides] = start;
      this.wideTexts[this.wides++] = decodeUtf8(bytes, start, at);
    }
  }

  /** `span`, where the string must be ASCII. */
  asciiSpan(): void {
    this.span();
    if (!this.stringAscii) decline();
  }

  string(): string {
    this.span();
    return this.stringAscii
      ? this.text.slice(this.stringStart + this.shift, this.stringEnd + this.shift)
      : (this.wideTexts[this.wides - 1] ?? outOfRange(this.wideTexts, this.wides - 1));
  }

  /** The index of one of `values` in its list. */
  enumIndex(values: Names): number {
    this.span();
    const index = values.indexOf(this.bytes, this.stringStart, this.stringEnd);
    return index < 0 ? decline() : index;
  }

  /** The index of the next key in `keys`, after its colon; `after` is the key before it, -1 for none. */
  key(keys: Names, after: number): number {
    this.space();
    const guessed = keys.guess(after, this.bytes, this.at, this.end);
    if (guessed >= 0) {
      this.at += keys.guessedLength;
      return guessed;
    }
    this.span();
    const index = keys.indexOf(this.bytes, this.stringStart, this.stringEnd);
    if (index < 0) decline();
    keys.learn(after, index);
    this.expect(COLON);
    return index;
  }

  boolean(): boolean {
    this.space();
    const bytes = this.bytes;
    const at = this.at;
    const left = this.end - at;
    if (left >= 4 && bytes[at] === 0x74 && bytes[at + 1] === 0x72 && bytes[at + 2] === 0x75) {
      if (bytes[at + 3] !== 0x65) decline();
      this.at = at + 4;
      return true;
    }
    if (left >= 5 && bytes[at] === 0x66 && bytes[at + 1] === 0x61 && bytes[at + 2] === 0x6c) {
      if (bytes[at + 3] !== 0x73 || bytes[at + 4] !== 0x65) decline();
      this.at = at + 5;
      return false;
    }
    return decline();
  }

  /** A whole number from 1 written in plain digits, without fraction or exponent. */
  wholeNumber(): number {
    this.space();
    const bytes = this.bytes;
    let at = this.at;
    const first = at < this.end ? (bytes[at] ?? outOfRange(bytes, at)) : -1;
    if (first < 0x31 || first > 0x39) decline();
    let value = 0;
    for (; at < this.end; at++) {
      const c = bytes[at] ?? outOfRange(bytes, at);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
      if (value > MAX_HOUSE_NUMBER) decline();
    }
    const after = at < this.end ? bytes[at] : undefined;
    if (after === 0x2e || after === 0x65 || after === 0x45) decline();
    this.at = at;
    return value;
  }

  /** Opens a list; false when it is empty (and then already closed). */
  openList(): boolean {
    this.expect(OPEN_LIST);
    this.space();
    if (this.at >= this.end || this.bytes[this.at] !== CLOSE_LIST) return true;
    this.at++;
    return false;
  }
}

/**
 * The length of the well-formed UTF-8 sequence (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF) that starts with the byte
 * from 0x80 on at `bytes[at]`, before `end`; 0 when there is none.
 */
function utf8Length(bytes: Uint8Array, at: number, end: number): number {
  const lead = bytes[at] ?? outOfRange(bytes, at);
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    else if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    else if (lead === 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (at + length > end) return 0;
  const second = bytes[at + 1] ?? outOfRange(bytes, at + 1);
  if (second < low || second > high) return 0;
  for (let i = at + 2; i < at + length; i++) {
    const c = bytes[i] ?? outOfRange(bytes, i);
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return length;
}

/**
 * The text of a string of the line `readPlainLine` is reading (during its
 * call to `take`) or of any well-formed UTF-8 `bytes[start, end)`.
 */
export function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  return (
    (bytes === cursor.bytes ? cursor.wideText(start) : undefined) ?? decodeUtf8(bytes, start, end)
  );
}

/** A byte-order mark inside a string is part of it, as JSON.parse keeps it. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Buffer's decoding, where it can: for a short string, at about half the cost of a TextDecoder's. */
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.isBuffer(bytes)
    ? bytes.toString('utf8', start, end)
    : utf8.decode(bytes.subarray(start, end));
}

const cursor = new Cursor();

const KINDS = new Names(SIGNAL_KINDS);
const REGIONS = new Names(REGION_LIST);
const SOURCES = new Names(SOURCE_LIST);
const CATEGORIES = new Names(CATEGORY_LIST);
const VIOLENCE_TYPES = new Names(VIOLENCE_TYPE_LIST);
const SAFETY_LEVELS = new Names(SAFETY_LEVEL_LIST);
const ROLES = new Names(ROLE_LIST);
const RELATION_TYPES = new Names(RELATION_TYPE_LIST);

const INTREKKING = SIGNAL_KINDS.indexOf('INTREKKING');
const POLITIE = SIGNAL_KINDS.indexOf('POLITIE');
const UNKNOWN_SAFETY = SAFETY_LEVEL_LIST.indexOf('ONBEKEND');

/** Set bits of the keys already read in an object: a repeated key steps aside. */
function seenOnce(seen: number, index: number): number {
  const bit = 1 << index;
  if ((seen & bit) !== 0) decline();
  return seen | bit;
}

/**
 * A line the fast path read, as the fields of the `Signal` that
 * `decodeJson` would give: enum values as their index in the contract's
 * list, the strings the radar keeps (ids, refs) and birth dates as strings,
 * and every field's text also as its span of `bytes`, start and end, -1 for
 * absent, for the fingerprint and the keys to read. One instance, filled
 * again for each line: a signal's worth of objects a line was most of what
 * decoding cost.
 */
export class PlainLine {
  bytes: Uint8Array = EMPTY;
  id = '';
  kind = 0;
  /** `occurredAt` in epoch milliseconds. */
  t = 0;
  region = 0;
  source = 0;
  /** -1 for none. */
  category = -1;
  /** The first `violenceCount` entries are the line's; so for every list here and its count. */
  readonly violenceTypes: number[] = [];
  violenceCount = 0;
  safety = UNKNOWN_SAFETY;
  childrenPresent = false;
  substantiated = true;
  /**
   * Start and end of each field's text, laid out as `SIGNAL_SPAN` says, -1
   * for one absent (the defaults of category and safety): the fingerprint
   * hashes the bytes, which is cheaper than the strings' characters.
   */
  readonly spans: number[] = new Array<number>(SIGNAL_SPANS).fill(-1);
  /** The spans of each violence type, two a type. */
  readonly violenceSpans: number[] = [];
  /** Per person: `refs[i]`, its BSN's number, birth date, and `PERSON_SPANS` entries in `personSpans`. */
  readonly refs: string[] = [];
  /** The BSN as a number, -1 for none: read from the digits, cheaper than `Number` of the string. */
  readonly bsnNumbers: number[] = [];
  readonly birthDates: (string | undefined)[] = [];
  /** Per person, the spans laid out as `PERSON_SPAN` says. */
  readonly personSpans: number[] = [];
  persons = 0;
  readonly relationFroms: string[] = [];
  readonly relationTos: string[] = [];
  readonly relationTypes: number[] = [];
  /** Per relation, the spans laid out as `RELATION_SPAN` says. */
  readonly relationSpans: number[] = [];
  relations = 0;
  hasAddress = false;
  /** -1 for none. */
  houseNumber = -1;
  /** Start and end of postcode, house letter, addition and city. */
  readonly addressSpans: number[] = [-1, -1, -1, -1, -1, -1, -1, -1];
  readonly retracts: string[] = [];
  readonly retractSpans: number[] = [];
  retractCount = 0;

  hasPerson(ref: string): boolean {
    for (let i = 0; i < this.persons; i++) if (this.refs[i] === ref) return true;
    return false;
  }

  /**
   * Emptied for the next line. Lists are counted, not cut: setting an array's
   * length is a call into the runtime, and it cost a tenth of decoding.
   */
  clear(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.category = -1;
    this.spans[SIGNAL_SPAN.category] = -1;
    this.violenceCount = 0;
    this.safety = UNKNOWN_SAFETY;
    this.spans[SIGNAL_SPAN.safety] = -1;
    this.childrenPresent = false;
    this.substantiated = true;
    this.persons = 0;
    this.relations = 0;
    this.hasAddress = false;
    this.houseNumber = -1;
    this.retractCount = 0;
  }
}

/** Where each field's span is in `PlainLine.spans`. */
export const SIGNAL_SPAN = {
  id: 0,
  kind: 2,
  occurredAt: 4,
  receivedAt: 6,
  region: 8,
  source: 10,
  category: 12,
  safety: 14,
} as const;
const SIGNAL_SPANS = 16;

/** Where each person field's span is among a person's `PERSON_SPANS` entries of `PlainLine.personSpans`. */
export const PERSON_SPAN = {
  ref: 0,
  bsn: 2,
  familyName: 4,
  initials: 6,
  birthDate: 8,
  role: 10,
} as const;
export const PERSON_SPANS = 12;

/** Where each relation field's span is among a relation's six entries of `PlainLine.relationSpans`. */
export const RELATION_SPAN = { from: 0, to: 2, type: 4 } as const;

const line = new PlainLine();

/**
 * Reads the line `bytes[start, end)` and, when it is the plain shape this
 * path reads, hands it to `take` and returns true; returns false for any
 * other line. `text` must hold the line's bytes as characters, one a byte,
 * from `textStart`: the line decoded as Latin-1 (or, for a line of ASCII,
 * any way), for the ASCII strings to be sliced from; strings with other
 * characters are decoded from the bytes as UTF-8. Outside strings, a byte
 * outside ASCII makes this path step aside. The line given to `take` is
 * only valid during the call.
 */
export function readPlainLine(
  bytes: Uint8Array,
  start: number,
  end: number,
  text: string,
  textStart: number,
  take: (line: PlainLine) => void,
): boolean {
  cursor.bytes = bytes;
  cursor.text = text;
  cursor.shift = textStart - start;
  cursor.at = start;
  cursor.end = end;
  cursor.wides = 0;
  try {
    line.clear(bytes);
    readSignal(cursor, line);
    cursor.space();
    if (cursor.at !== end) return false;
    take(line);
    return true;
  } catch (error) {
    if (error === DECLINED) return false;
    throw error;
  } finally {
    // Not to keep a chunk's bytes and text alive between calls.
    cursor.bytes = EMPTY;
    cursor.text = '';
    cursor.wides = 0;
    line.clear(EMPTY);
  }
}

function readSignal(c: Cursor, s: PlainLine): void {
  let id: string | undefined;
  let kind = -1;
  let occurredAt = false;
  let receivedAt = false;
  let region = -1;
  let source = -1;
  let persons = false;

  c.expect(OPEN_OBJECT);
  let seen = 0;
  let previous = -1;
  do {
    const key = c.key(SIGNAL_KEYS, previous);
    previous = key;
    seen = seenOnce(seen, key);
    switch (key) {
      case SIGNAL.id:
        id = c.string();
        c.mark(s.spans, SIGNAL_SPAN.id);
        if (id.length > MAX_ID_LENGTH) decline();
        break;
      case SIGNAL.kind:
        kind = c.enumIndex(KINDS);
        c.mark(s.spans, SIGNAL_SPAN.kind);
        if (kind === INTREKKING) decline();
        break;
      case SIGNAL.occurredAt:
        c.asciiSpan();
        c.mark(s.spans, SIGNAL_SPAN.occurredAt);
        occurredAt = true;
        break;
      case SIGNAL.receivedAt:
        c.asciiSpan();
        c.mark(s.spans, SIGNAL_SPAN.receivedAt);
        receivedAt = true;
        break;
      case SIGNAL.region:
        region = c.enumIndex(REGIONS);
        c.mark(s.spans, SIGNAL_SPAN.region);
        break;
      case SIGNAL.source:
        source = c.enumIndex(SOURCES);
        c.mark(s.spans, SIGNAL_SPAN.source);
        break;
      case SIGNAL.category:
        s.category = c.enumIndex(CATEGORIES);
        c.mark(s.spans, SIGNAL_SPAN.category);
        break;
      case SIGNAL.violenceTypes:
        readViolenceTypes(c, s);
        break;
      case SIGNAL.safety:
        s.safety = c.enumIndex(SAFETY_LEVELS);
        c.mark(s.spans, SIGNAL_SPAN.safety);
        break;
      case SIGNAL.childrenPresent:
        s.childrenPresent = c.boolean();
        break;
      case SIGNAL.substantiated:
        s.substantiated = c.boolean();
        break;
      case SIGNAL.persons:
        readPersons(c, s);
        persons = true;
        break;
      case SIGNAL.relations:
        readRelations(c, s);
        break;
      case SIGNAL.address:
        readAddress(c, s);
        break;
      case SIGNAL.retracts:
        readRetracts(c, s);
        break;
      default:
        // A field the validator knows and this path does not read.
        decline();
    }
  } while (c.more(CLOSE_OBJECT));

  if (
    id === undefined ||
    kind < 0 ||
    !occurredAt ||
    !receivedAt ||
    region < 0 ||
    source < 0 ||
    !persons ||
    (s.category < 0 && kind !== POLITIE)
  ) {
    return decline();
  }
  const { spans } = s;
  const received = SIGNAL_SPAN.receivedAt;
  const occurred = SIGNAL_SPAN.occurredAt;
  const receivedMs = parseTimestampBytes(
    c.bytes,
    spans[received] ?? outOfRange(spans, received),
    spans[received + 1] ?? outOfRange(spans, received + 1),
  );
  const occurredMs = parseTimestampBytes(
    c.bytes,
    spans[occurred] ?? outOfRange(spans, occurred),
    spans[occurred + 1] ?? outOfRange(spans, occurred + 1),
  );
  if (Number.isNaN(receivedMs) || Number.isNaN(occurredMs)) decline();
  if (occurredMs - receivedMs > MAX_OCCURRED_AFTER_RECEIVED_MS) decline();
  for (let i = 0; i < s.relations; i++) {
    const from = s.relationFroms[i] ?? outOfRange(s.relationFroms, i);
    const to = s.relationTos[i] ?? outOfRange(s.relationTos, i);
    if (!s.hasPerson(from) || !s.hasPerson(to)) decline();
  }
  s.id = id;
  s.kind = kind;
  s.t = occurredMs;
  s.region = region;
  s.source = source;
}

function readViolenceTypes(c: Cursor, s: PlainLine): void {
  if (c.openList()) {
    do {
      s.violenceTypes[s.violenceCount] = c.enumIndex(VIOLENCE_TYPES);
      c.mark(s.violenceSpans, 2 * s.violenceCount++);
    } while (c.more(CLOSE_LIST));
  }
}

function readRetracts(c: Cursor, s: PlainLine): void {
  if (c.openList()) {
    do {
      const target = c.string();
      if (target.length > MAX_ID_LENGTH) decline();
      c.mark(s.retractSpans, 2 * s.retractCount);
      s.retracts[s.retractCount++] = target;
    } while (c.more(CLOSE_LIST));
  }
}

function readPersons(c: Cursor, s: PlainLine): void {
  if (!c.openList()) decline();
  do readPerson(c, s);
  while (c.more(CLOSE_LIST));
}

function readPerson(c: Cursor, s: PlainLine): void {
  let ref: string | undefined;
  let bsnNumber = -1;
  let birthDate: string | undefined;
  const spans = s.personSpans;
  const at = PERSON_SPANS * s.persons;
  for (let k = at; k < at + PERSON_SPANS; k++) spans[k] = -1;
  c.expect(OPEN_OBJECT);
  let seen = 0;
  let previous = -1;
  do {
    const key = c.key(PERSON_KEYS, previous);
    previous = key;
    seen = seenOnce(seen, key);
    switch (key) {
      case PERSON.ref:
        ref = c.string();
        c.mark(spans, at + PERSON_SPAN.ref);
        break;
      case PERSON.bsn:
        // An invalid BSN earns a warning, which only the full path gives.
        if (!isValidBsn(normaliseBsn(c.string()))) decline();
        c.mark(spans, at + PERSON_SPAN.bsn);
        bsnNumber = 0;
        for (let i = c.stringStart; i < c.stringEnd; i++) {
          bsnNumber = bsnNumber * 10 + (c.bytes[i] ?? outOfRange(c.bytes, i)) - 0x30;
        }
        break;
      case PERSON.familyName:
        c.span();
        c.mark(spans, at + PERSON_SPAN.familyName);
        break;
      case PERSON.initials:
        c.span();
        c.mark(spans, at + PERSON_SPAN.initials);
        break;
      case PERSON.birthDate:
        birthDate = c.string();
        if (
          !c.stringAscii ||
          birthDate.length !== 10 ||
          !isCalendarDateBytes(c.bytes, c.stringStart)
        )
          decline();
        c.mark(spans, at + PERSON_SPAN.birthDate);
        break;
      case PERSON.role:
        c.enumIndex(ROLES);
        c.mark(spans, at + PERSON_SPAN.role);
        break;
      default:
        decline();
    }
  } while (c.more(CLOSE_OBJECT));
  if (ref === undefined || s.hasPerson(ref)) return decline();
  const i = s.persons++;
  s.refs[i] = ref;
  s.bsnNumbers[i] = bsnNumber;
  s.birthDates[i] = birthDate;
}

function readRelations(c: Cursor, s: PlainLine): void {
  if (c.openList()) {
    do readRelation(c, s);
    while (c.more(CLOSE_LIST));
  }
}

function readRelation(c: Cursor, s: PlainLine): void {
  let from: string | undefined;
  let to: string | undefined;
  let type = -1;
  c.expect(OPEN_OBJECT);
  let seen = 0;
  let previous = -1;
  do {
    const key = c.key(RELATION_KEYS, previous);
    previous = key;
    seen = seenOnce(seen, key);
    const at = 6 * s.relations;
    if (key === RELATION.from) {
      from = c.string();
      c.mark(s.relationSpans, at + RELATION_SPAN.from);
    } else if (key === RELATION.to) {
      to = c.string();
      c.mark(s.relationSpans, at + RELATION_SPAN.to);
    } else if (key === RELATION.type) {
      type = c.enumIndex(RELATION_TYPES);
      c.mark(s.relationSpans, at + RELATION_SPAN.type);
    } else {
      decline();
    }
  } while (c.more(CLOSE_OBJECT));
  if (from === undefined || to === undefined || type < 0) return decline();
  const i = s.relations++;
  s.relationFroms[i] = from;
  s.relationTos[i] = to;
  s.relationTypes[i] = type;
}

/** Where each of the address's text fields has its span in `PlainLine.addressSpans`. */
export const ADDRESS_SPAN = { postcode: 0, houseLetter: 2, addition: 4, city: 6 } as const;

function readAddress(c: Cursor, s: PlainLine): void {
  const spans = s.addressSpans;
  for (let i = 0; i < spans.length; i++) spans[i] = -1;
  const bytes = c.bytes;
  c.expect(OPEN_OBJECT);
  let seen = 0;
  let previous = -1;
  do {
    const key = c.key(ADDRESS_KEYS, previous);
    previous = key;
    seen = seenOnce(seen, key);
    let at = -1;
    switch (key) {
      case ADDRESS.postcode:
        at = ADDRESS_SPAN.postcode;
        break;
      case ADDRESS.houseNumber:
        s.houseNumber = c.wholeNumber();
        break;
      case ADDRESS.houseLetter:
        at = ADDRESS_SPAN.houseLetter;
        break;
      case ADDRESS.addition:
        at = ADDRESS_SPAN.addition;
        break;
      case ADDRESS.city:
        at = ADDRESS_SPAN.city;
        break;
      default:
        decline();
    }
    if (at >= 0) {
      // The address key reads postcode and addition as ASCII; a city is only hashed.
      if (at === ADDRESS_SPAN.city) c.span();
      else c.asciiSpan();
      c.mark(spans, at);
    }
  } while (c.more(CLOSE_OBJECT));
  const letter = spans[ADDRESS_SPAN.houseLetter] ?? outOfRange(spans, ADDRESS_SPAN.houseLetter);
  if (
    letter >= 0 &&
    ((spans[ADDRESS_SPAN.houseLetter + 1] ?? outOfRange(spans, ADDRESS_SPAN.houseLetter + 1)) -
      letter !==
      1 ||
      !isLetter(bytes[letter] ?? outOfRange(bytes, letter)))
  ) {
    decline();
  }
  const addition = spans[ADDRESS_SPAN.addition] ?? outOfRange(spans, ADDRESS_SPAN.addition);
  if (
    addition >= 0 &&
    !isAddition(
      c.text.slice(
        addition + c.shift,
        (spans[ADDRESS_SPAN.addition + 1] ?? outOfRange(spans, ADDRESS_SPAN.addition + 1)) +
          c.shift,
      ),
    )
  ) {
    decline();
  }
  s.hasAddress = true;
}
