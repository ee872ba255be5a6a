/**
 * The JSON fast path: reads the common signal line straight from its bytes
 * into the radar's `Signal`, without `JSON.parse`'s objects in between, and
 * steps aside for everything else.
 *
 * It reads one shape only: a report (ADVIESVRAAG, MELDING or POLITIE) whose
 * keys are all in the contract and each given once, whose strings are
 * printable ASCII without escapes and never empty, with no `null`, a house
 * number written as plain digits, and nothing `validateSignal` would reject
 * or warn about. For such a line it returns exactly what
 * `decodeJson(line).signal` returns (the tests hold it to that on generated
 * and mutated lines); for any other line it returns undefined and the caller
 * takes the full path, which gives the reason codes and warnings. Stepping
 * aside is always safe, so every check here only has to be strict enough.
 *
 * Why: a backtest decodes millions of lines, and `JSON.parse` alone cost more
 * than this whole reading, because it builds an object for every field that
 * the validator then copies out of.
 */
import { isValidBsn } from './bsn.js';
import { isCalendarDate, parseTimestamp } from './dates.js';
import {
  CATEGORIES as CATEGORY_LIST,
  REGIONS as REGION_LIST,
  RELATION_TYPES as RELATION_TYPE_LIST,
  ROLES as ROLE_LIST,
  SAFETY_LEVELS as SAFETY_LEVEL_LIST,
  SIGNAL_KINDS,
  SOURCES as SOURCE_LIST,
  VIOLENCE_TYPES as VIOLENCE_TYPE_LIST,
  type Address,
  type Person,
  type Relation,
  type Signal,
  type ViolenceType,
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
  newAddress,
  newReport,
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

/** Thrown to step aside; caught in `readPlainSignal` and never seen outside it. */
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

  constructor(readonly names: readonly T[]) {
    this.bytes = names.map((name) => Buffer.from(name, 'latin1'));
    this.bytes.forEach((name, index) => {
      const slot = slotOf(name, 0, name.length);
      if (this.slots[slot] !== -1) throw new Error(`names ${names.join(', ')} share a slot`);
      this.slots[slot] = index;
    });
  }

  /** The index of the name in `bytes[start, end)`, or -1. */
  indexOf(bytes: Uint8Array, start: number, end: number): number {
    const index = this.slots[slotOf(bytes, start, end)]!;
    if (index < 0) return -1;
    const name = this.bytes[index]!;
    if (name.length !== end - start) return -1;
    for (let i = 0; i < name.length; i++) if (name[i] !== bytes[start + i]) return -1;
    return index;
  }
}

const SLOTS = 1024;

function slotOf(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0) return 0;
  const hash =
    ((length * 31 + bytes[start]!) * 31 + bytes[start + (length >> 1)]!) * 31 + bytes[end - 1]!;
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
 * A cursor over one line. Structure is read from the bytes; a string is
 * sliced from the line's text, which for an ASCII line holds the same
 * characters at the same distance from the line's start.
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
    return this.at < this.end ? this.bytes[this.at++]! : -1;
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

  /** Reads a non-empty string of printable ASCII without escapes, setting `stringStart` and `stringEnd`. */
  span(): void {
    this.expect(QUOTE);
    const bytes = this.bytes;
    const start = this.at;
    let at = start;
    for (;;) {
      if (at >= this.end) decline();
      const c = bytes[at]!;
      if (c === QUOTE) break;
      if (c < 0x20 || c > 0x7e || c === BACKSLASH) decline();
      at++;
    }
    if (at === start) decline();
    this.stringStart = start;
    this.stringEnd = at;
    this.at = at + 1;
  }

  string(): string {
    this.span();
    return this.text.slice(this.stringStart + this.shift, this.stringEnd + this.shift);
  }

  /** One of `values`, as the shared string of its list. */
  enumValue<T extends string>(values: Names<T>): T {
    this.span();
    const index = values.indexOf(this.bytes, this.stringStart, this.stringEnd);
    return index < 0 ? decline() : values.names[index]!;
  }

  /** The index of the next key in `keys`, after its colon. */
  key(keys: Names): number {
    this.span();
    const index = keys.indexOf(this.bytes, this.stringStart, this.stringEnd);
    if (index < 0) decline();
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
    if (at >= this.end || bytes[at]! < 0x31 || bytes[at]! > 0x39) decline();
    let value = 0;
    for (; at < this.end && bytes[at]! >= 0x30 && bytes[at]! <= 0x39; at++) {
      value = value * 10 + (bytes[at]! - 0x30);
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

const cursor = new Cursor();

const KINDS = new Names(SIGNAL_KINDS);
const REGIONS = new Names(REGION_LIST);
const SOURCES = new Names(SOURCE_LIST);
const CATEGORIES = new Names(CATEGORY_LIST);
const VIOLENCE_TYPES = new Names(VIOLENCE_TYPE_LIST);
const SAFETY_LEVELS = new Names(SAFETY_LEVEL_LIST);
const ROLES = new Names(ROLE_LIST);
const RELATION_TYPES = new Names(RELATION_TYPE_LIST);

/** Set bits of the keys already read in an object: a repeated key steps aside. */
function seenOnce(seen: number, index: number): number {
  const bit = 1 << index;
  if ((seen & bit) !== 0) decline();
  return seen | bit;
}

/**
 * The signal on the line `bytes[start, end)`, or undefined when the line is
 * not the plain shape this path reads. `text` must hold the line's bytes
 * as characters, one a byte, from `textStart`: a line of ASCII decoded any
 * way, or any line decoded as Latin-1. A byte outside printable ASCII makes
 * this path step aside wherever it stands, so the text of a line it reads
 * is the same whichever way it was decoded.
 */
export function readPlainSignal(
  bytes: Uint8Array,
  start: number,
  end: number,
  text: string,
  textStart: number,
): Signal | undefined {
  cursor.bytes = bytes;
  cursor.text = text;
  cursor.shift = textStart - start;
  cursor.at = start;
  cursor.end = end;
  try {
    const signal = readSignal(cursor);
    cursor.space();
    return cursor.at === end ? signal : undefined;
  } catch (error) {
    if (error === DECLINED) return undefined;
    throw error;
  } finally {
    // Not to keep a chunk's bytes and text, or a declined line's items, alive between calls.
    cursor.bytes = EMPTY;
    cursor.text = '';
    scratch.length = 0;
  }
}

function readSignal(c: Cursor): Signal {
  let id: string | undefined;
  let kind: Signal['kind'] | undefined;
  let occurredAt: string | undefined;
  let receivedAt: string | undefined;
  let region: string | undefined;
  let source: Signal['source'];
  let category: Signal['category'];
  let violenceTypes: ViolenceType[] = [];
  let safety: Signal['safety'] = 'ONBEKEND';
  let childrenPresent = false;
  let substantiated = true;
  let persons: Person[] | undefined;
  let relations: Relation[] = [];
  let address: Address | undefined;
  let retracts: string[] = [];

  c.expect(OPEN_OBJECT);
  let seen = 0;
  do {
    const key = c.key(SIGNAL_KEYS);
    seen = seenOnce(seen, key);
    switch (key) {
      case SIGNAL.id:
        id = c.string();
        if (id.length > MAX_ID_LENGTH) decline();
        break;
      case SIGNAL.kind:
        kind = c.enumValue(KINDS);
        if (kind === 'INTREKKING') decline();
        break;
      case SIGNAL.occurredAt:
        occurredAt = c.string();
        break;
      case SIGNAL.receivedAt:
        receivedAt = c.string();
        break;
      case SIGNAL.region:
        region = c.enumValue(REGIONS);
        break;
      case SIGNAL.source:
        source = c.enumValue(SOURCES);
        break;
      case SIGNAL.category:
        category = c.enumValue(CATEGORIES);
        break;
      case SIGNAL.violenceTypes:
        violenceTypes = enumList(c, VIOLENCE_TYPES);
        break;
      case SIGNAL.safety:
        safety = c.enumValue(SAFETY_LEVELS);
        break;
      case SIGNAL.childrenPresent:
        childrenPresent = c.boolean();
        break;
      case SIGNAL.substantiated:
        substantiated = c.boolean();
        break;
      case SIGNAL.persons:
        persons = readPersons(c);
        break;
      case SIGNAL.relations:
        relations = readRelations(c);
        break;
      case SIGNAL.address:
        address = readAddress(c);
        break;
      case SIGNAL.retracts:
        retracts = readRetracts(c);
        break;
      default:
        // A field the validator knows and this path does not read.
        decline();
    }
  } while (c.more(CLOSE_OBJECT));

  if (
    id === undefined ||
    kind === undefined ||
    occurredAt === undefined ||
    receivedAt === undefined ||
    region === undefined ||
    source === undefined ||
    persons === undefined ||
    (category === undefined && kind !== 'POLITIE')
  ) {
    return decline();
  }
  const receivedMs = parseTimestamp(receivedAt);
  const occurredMs = parseTimestamp(occurredAt);
  if (Number.isNaN(receivedMs) || Number.isNaN(occurredMs)) decline();
  if (occurredMs - receivedMs > MAX_OCCURRED_AFTER_RECEIVED_MS) decline();
  for (const relation of relations) {
    if (!hasPerson(persons, relation.from) || !hasPerson(persons, relation.to)) decline();
  }

  return newReport(
    { id, kind, occurredAt, receivedAt, region, source, category },
    { violenceTypes, safety, childrenPresent, substantiated },
    { persons, relations, address, retracts },
  );
}

/**
 * Every list's items are gathered here and copied out at their count: a
 * list grown by push keeps room for 17. Lists do not nest in what this path
 * reads, so one scratch list serves them all.
 */
const scratch: unknown[] = [];

function exactCopy<T>(): T[] {
  const items = scratch.slice() as T[];
  scratch.length = 0;
  return items;
}

function enumList<T extends string>(c: Cursor, values: Names<T>): T[] {
  scratch.length = 0;
  if (c.openList()) {
    do scratch.push(c.enumValue(values));
    while (c.more(CLOSE_LIST));
  }
  return exactCopy();
}

function readRetracts(c: Cursor): string[] {
  scratch.length = 0;
  if (c.openList()) {
    do {
      const target = c.string();
      if (target.length > MAX_ID_LENGTH) decline();
      scratch.push(target);
    } while (c.more(CLOSE_LIST));
  }
  return exactCopy();
}

function readPersons(c: Cursor): Person[] {
  scratch.length = 0;
  if (!c.openList()) decline();
  do {
    const person = readPerson(c);
    if (hasPerson(scratch as Person[], person.ref)) decline();
    scratch.push(person);
  } while (c.more(CLOSE_LIST));
  return exactCopy();
}

function readPerson(c: Cursor): Person {
  let ref: string | undefined;
  let bsn: string | undefined;
  let familyName: string | undefined;
  let initials: string | undefined;
  let birthDate: string | undefined;
  let role: Person['role'] = 'ONBEKEND';
  c.expect(OPEN_OBJECT);
  let seen = 0;
  do {
    const key = c.key(PERSON_KEYS);
    seen = seenOnce(seen, key);
    switch (key) {
      case PERSON.ref:
        ref = c.string();
        break;
      case PERSON.bsn:
        bsn = normaliseBsn(c.string());
        // An invalid BSN earns a warning, which only the full path gives.
        if (!isValidBsn(bsn)) decline();
        break;
      case PERSON.familyName:
        familyName = c.string();
        break;
      case PERSON.initials:
        initials = c.string();
        break;
      case PERSON.birthDate:
        birthDate = c.string();
        if (!isCalendarDate(birthDate)) decline();
        break;
      case PERSON.role:
        role = c.enumValue(ROLES);
        break;
      default:
        decline();
    }
  } while (c.more(CLOSE_OBJECT));
  if (ref === undefined) return decline();
  const person: Person = { ref, role };
  if (bsn !== undefined) person.bsn = bsn;
  if (familyName !== undefined) person.familyName = familyName;
  if (initials !== undefined) person.initials = initials;
  if (birthDate !== undefined) person.birthDate = birthDate;
  return person;
}

function hasPerson(persons: readonly Person[], ref: string): boolean {
  for (let i = 0; i < persons.length; i++) if (persons[i]!.ref === ref) return true;
  return false;
}

function readRelations(c: Cursor): Relation[] {
  scratch.length = 0;
  if (c.openList()) {
    do scratch.push(readRelation(c));
    while (c.more(CLOSE_LIST));
  }
  return exactCopy();
}

function readRelation(c: Cursor): Relation {
  let from: string | undefined;
  let to: string | undefined;
  let type: Relation['type'] | undefined;
  c.expect(OPEN_OBJECT);
  let seen = 0;
  do {
    const key = c.key(RELATION_KEYS);
    seen = seenOnce(seen, key);
    if (key === RELATION.from) from = c.string();
    else if (key === RELATION.to) to = c.string();
    else if (key === RELATION.type) type = c.enumValue(RELATION_TYPES);
    else decline();
  } while (c.more(CLOSE_OBJECT));
  if (from === undefined || to === undefined || type === undefined) return decline();
  return { from, to, type };
}

function readAddress(c: Cursor): Address {
  let postcode: string | undefined;
  let houseNumber: number | undefined;
  let houseLetter: string | undefined;
  let addition: string | undefined;
  let city: string | undefined;
  c.expect(OPEN_OBJECT);
  let seen = 0;
  do {
    const key = c.key(ADDRESS_KEYS);
    seen = seenOnce(seen, key);
    switch (key) {
      case ADDRESS.postcode:
        postcode = c.string();
        break;
      case ADDRESS.houseNumber:
        houseNumber = c.wholeNumber();
        break;
      case ADDRESS.houseLetter:
        houseLetter = c.string();
        if (houseLetter.length !== 1 || !isLetter(houseLetter.charCodeAt(0))) decline();
        break;
      case ADDRESS.addition:
        addition = c.string();
        if (!isAddition(addition)) decline();
        break;
      case ADDRESS.city:
        city = c.string();
        break;
      default:
        decline();
    }
  } while (c.more(CLOSE_OBJECT));
  return newAddress(postcode, houseNumber, houseLetter, addition, city) ?? decline();
}
