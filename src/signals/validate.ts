/**
 * The one validator and normaliser every signal passes, whatever its wire
 * format: it takes a contract-shaped plain object (parsed JSON, or a decoded
 * protobuf message turned into bare enum names) and returns the radar's
 * `Signal` with defaults applied, or throws `SignalRejectedError`.
 *
 * Written as straight-line code over the input (no schema interpreter, no
 * per-call closures): the backtest runs it on every line of a signal file.
 */
import { SignalRejectedError } from '../errors.js';
import { isValidBsn } from './bsn.js';
import { isCalendarDate, parseTimestamp } from './dates.js';
import {
  enumList,
  enumValues,
  fieldPath,
  isJsonObject,
  isUnicodeText,
  optionalBoolean,
  optionalEnum,
  optionalList,
  optionalNumber,
  optionalObject,
  optionalString,
  reject,
  requiredEnum,
  requiredString,
  type JsonObject,
  type Scope,
} from './fields.js';
import {
  CATEGORIES,
  REGIONS,
  RELATION_TYPES,
  ROLES,
  SAFETY_LEVELS,
  SIGNAL_KINDS,
  SOURCES,
  VIOLENCE_TYPES,
  type AcceptedSignal,
  type Address,
  type Person,
  type Relation,
  type Signal,
  type SignalKind,
  type SignalWarning,
} from './types.js';

const KIND_VALUES = enumValues(SIGNAL_KINDS);
const REGION_VALUES: ReadonlySet<string> = new Set(REGIONS);
const SOURCE_VALUES = enumValues(SOURCES);
const CATEGORY_VALUES = enumValues(CATEGORIES);
const VIOLENCE_TYPE_VALUES = enumValues(VIOLENCE_TYPES);
const SAFETY_VALUES = enumValues(SAFETY_LEVELS);
const ROLE_VALUES = enumValues(ROLES);
const RELATION_TYPE_VALUES = enumValues(RELATION_TYPES);

/**
 * The contract's fields at each level; anything else is dropped at the door
 * and counted. The lists are shared with the JSON fast path.
 */
export const SIGNAL_FIELD_NAMES = [
  'id',
  'kind',
  'occurredAt',
  'receivedAt',
  'region',
  'source',
  'category',
  'violenceTypes',
  'safety',
  'childrenPresent',
  'substantiated',
  'persons',
  'relations',
  'address',
  'retracts',
] as const;
export const PERSON_FIELD_NAMES = [
  'ref',
  'bsn',
  'familyName',
  'initials',
  'birthDate',
  'role',
] as const;
export const RELATION_FIELD_NAMES = ['from', 'to', 'type'] as const;
export const ADDRESS_FIELD_NAMES = [
  'postcode',
  'houseNumber',
  'houseLetter',
  'addition',
  'city',
] as const;
const SIGNAL_FIELDS: ReadonlySet<string> = new Set(SIGNAL_FIELD_NAMES);
/** A withdrawal names what it withdraws and nothing about anyone. */
const WITHDRAWAL_FIELDS: ReadonlySet<string> = new Set(['id', 'kind', 'receivedAt', 'retracts']);
const PERSON_FIELDS: ReadonlySet<string> = new Set(PERSON_FIELD_NAMES);
const RELATION_FIELDS: ReadonlySet<string> = new Set(RELATION_FIELD_NAMES);
const ADDRESS_FIELDS: ReadonlySet<string> = new Set(ADDRESS_FIELD_NAMES);

// Exported, with the checks below, for the JSON fast path (`json-fast-path.ts`), which must agree with this validator.
export const MAX_ID_LENGTH = 128;
export const MAX_HOUSE_NUMBER = 99_999;
const MAX_ADDITION_LENGTH = 4;
/** `occurredAt` may lie this far after `receivedAt` (clock skew between producers), no further. */
export const MAX_OCCURRED_AFTER_RECEIVED_MS = 86_400_000;
/** How many dropped field names a warning lists; the count is always complete. */
const MAX_NAMES_IN_WARNING = 10;

/**
 * Validates and normalises one contract-shaped signal.
 *
 * @param droppedOnWire paths of fields the wire decoder already dropped
 *   (protobuf fields unknown to `radar.v1`), reported together with the
 *   unknown keys found here.
 */
export function validateSignal(input: unknown, droppedOnWire?: readonly string[]): AcceptedSignal {
  if (!isJsonObject(input)) {
    throw new SignalRejectedError('MALFORMED', 'a signal must be an object');
  }
  const dropped = droppedOnWire === undefined ? [] : droppedOnWire.slice();
  const id = requiredString(input.id, 'signal', 0, 'id');
  if (id.length > MAX_ID_LENGTH) {
    reject('BAD_VALUE', 'signal', 0, 'id', 'must be 1 to 128 characters');
  }
  const kind = requiredEnum(input.kind, KIND_VALUES, 'signal', 0, 'kind');
  const receivedAt = requiredString(input.receivedAt, 'signal', 0, 'receivedAt');
  const receivedMs = parseTimestamp(receivedAt);
  if (Number.isNaN(receivedMs)) {
    reject('BAD_TIMESTAMP', 'signal', 0, 'receivedAt', 'must be an RFC 3339 timestamp');
  }
  const retracts = readRetracts(input);

  const warnings: SignalWarning[] = [];
  let signal: Signal;
  if (kind === 'INTREKKING') {
    if (retracts.length === 0) {
      reject('MISSING_FIELD', 'signal', 0, 'retracts', 'must name at least one signal to withdraw');
    }
    dropWithdrawalExtras(input, dropped);
    signal = {
      id,
      kind,
      receivedAt,
      violenceTypes: [],
      safety: 'ONBEKEND',
      childrenPresent: false,
      substantiated: true,
      persons: [],
      relations: [],
      retracts,
    };
  } else {
    collectUnknownFields(input, SIGNAL_FIELDS, 'signal', 0, dropped);
    signal = readReport(input, id, kind, receivedAt, receivedMs, retracts, dropped, warnings);
  }

  if (dropped.length > 0) warnings.push(droppedFieldsWarning(dropped));
  return { signal, warnings, droppedFields: dropped.length };
}

/** Everything but a withdrawal: ADVIESVRAAG, MELDING, POLITIE. */
function readReport(
  input: JsonObject,
  id: string,
  kind: SignalKind,
  receivedAt: string,
  receivedMs: number,
  retracts: string[],
  dropped: string[],
  warnings: SignalWarning[],
): Signal {
  const occurredAt = requiredString(input.occurredAt, 'signal', 0, 'occurredAt');
  const occurredMs = parseTimestamp(occurredAt);
  if (Number.isNaN(occurredMs)) {
    reject('BAD_TIMESTAMP', 'signal', 0, 'occurredAt', 'must be an RFC 3339 timestamp');
  }
  if (occurredMs - receivedMs > MAX_OCCURRED_AFTER_RECEIVED_MS) {
    reject('BAD_TIMESTAMP', 'signal', 0, 'occurredAt', 'lies more than 1 day after receivedAt');
  }
  const region = requiredString(input.region, 'signal', 0, 'region');
  if (!REGION_VALUES.has(region)) {
    reject('BAD_VALUE', 'signal', 0, 'region', 'must be a region VT01 to VT26');
  }
  const source = requiredEnum(input.source, SOURCE_VALUES, 'signal', 0, 'source');
  const category =
    kind === 'POLITIE'
      ? optionalEnum(input.category, CATEGORY_VALUES, 'signal', 0, 'category')
      : requiredEnum(input.category, CATEGORY_VALUES, 'signal', 0, 'category');
  const violenceTypes = enumList(
    input.violenceTypes,
    VIOLENCE_TYPE_VALUES,
    'signal',
    0,
    'violenceTypes',
  );
  const safety = optionalEnum(input.safety, SAFETY_VALUES, 'signal', 0, 'safety') ?? 'ONBEKEND';
  const childrenPresent =
    optionalBoolean(input.childrenPresent, 'signal', 0, 'childrenPresent') ?? false;
  const substantiated = optionalBoolean(input.substantiated, 'signal', 0, 'substantiated') ?? true;
  const persons = readPersons(input, dropped, warnings);
  const relations = readRelations(input, persons, dropped);
  const addressInput = optionalObject(input.address, 'signal', 0, 'address');
  const address = addressInput === undefined ? undefined : readAddress(addressInput, dropped);

  return newReport(
    { id, kind, occurredAt, receivedAt, region, source, category },
    { violenceTypes, safety, childrenPresent, substantiated },
    { persons, relations, address, retracts },
  );
}

/**
 * A report as the radar holds it, its fields set in one order. Taken in
 * three groups only to keep the call readable; optimised code sees through
 * them.
 */
function newReport(
  head: Pick<
    Signal,
    'id' | 'kind' | 'occurredAt' | 'receivedAt' | 'region' | 'source' | 'category'
  >,
  facts: Pick<Signal, 'violenceTypes' | 'safety' | 'childrenPresent' | 'substantiated'>,
  parts: Pick<Signal, 'persons' | 'relations' | 'address' | 'retracts'>,
): Signal {
  const signal: Signal = {
    id: head.id,
    kind: head.kind,
    occurredAt: head.occurredAt,
    receivedAt: head.receivedAt,
    region: head.region,
    source: head.source,
    violenceTypes: facts.violenceTypes,
    safety: facts.safety,
    childrenPresent: facts.childrenPresent,
    substantiated: facts.substantiated,
    persons: parts.persons,
    relations: parts.relations,
    retracts: parts.retracts,
  };
  if (head.category !== undefined) signal.category = head.category;
  if (parts.address !== undefined) signal.address = parts.address;
  return signal;
}

function readPersons(input: JsonObject, dropped: string[], warnings: SignalWarning[]): Person[] {
  const items = optionalList(input.persons, 'signal', 0, 'persons');
  if (items.length === 0) {
    reject('MISSING_FIELD', 'signal', 0, 'persons', 'must name at least one person');
  }
  // Sized up front: an array grown by push keeps room for 17 elements, and
  // the radar holds millions of these lists.
  const persons = new Array<Person>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isJsonObject(item)) reject('MALFORMED', 'signal', 0, `persons[${i}]`, 'must be an object');
    collectUnknownFields(item, PERSON_FIELDS, 'persons', i, dropped);
    const person = readPerson(item, i);
    // Linear scans: a signal names a handful of persons, and a Set per signal costs more.
    for (let j = 0; j < i; j++) {
      if (persons[j]?.ref === person.ref) {
        reject('DUPLICATE_PERSON_REF', 'persons', i, 'ref', `repeats persons[${j}].ref`);
      }
    }
    if (person.bsn !== undefined && !isValidBsn(person.bsn)) {
      warnings.push({
        code: 'INVALID_BSN',
        message: `${fieldPath('persons', i, 'bsn')} of person ref ${JSON.stringify(person.ref)} is not a valid BSN (nine digits passing the elfproef); it is not used to identify the person`,
      });
    }
    persons[i] = person;
  }
  return persons;
}

function readPerson(o: JsonObject, i: number): Person {
  const person: Person = {
    ref: requiredString(o.ref, 'persons', i, 'ref'),
    role: optionalEnum(o.role, ROLE_VALUES, 'persons', i, 'role') ?? 'ONBEKEND',
  };
  const bsn = optionalString(o.bsn, 'persons', i, 'bsn');
  if (bsn !== undefined) person.bsn = normaliseBsn(bsn);
  const familyName = optionalString(o.familyName, 'persons', i, 'familyName');
  if (familyName !== undefined) person.familyName = familyName;
  const initials = optionalString(o.initials, 'persons', i, 'initials');
  if (initials !== undefined) person.initials = initials;
  const birthDate = optionalString(o.birthDate, 'persons', i, 'birthDate');
  if (birthDate !== undefined) {
    if (!isCalendarDate(birthDate)) {
      reject('BAD_VALUE', 'persons', i, 'birthDate', 'must be a real date written YYYY-MM-DD');
    }
    person.birthDate = birthDate;
  }
  return person;
}

/**
 * Eight digits get the leading zero a spreadsheet or integer column took off.
 * Anything else is kept as given: the contract rejects no signal for its BSN,
 * it ignores an invalid one for identity (the INVALID_BSN warning says so).
 */
export function normaliseBsn(bsn: string): string {
  return bsn.length === 8 && isDigits(bsn) ? `0${bsn}` : bsn;
}

function readRelations(input: JsonObject, persons: Person[], dropped: string[]): Relation[] {
  const items = optionalList(input.relations, 'signal', 0, 'relations');
  const relations = new Array<Relation>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isJsonObject(item)) {
      reject('MALFORMED', 'signal', 0, `relations[${i}]`, 'must be an object');
    }
    collectUnknownFields(item, RELATION_FIELDS, 'relations', i, dropped);
    const from = requiredString(item.from, 'relations', i, 'from');
    const to = requiredString(item.to, 'relations', i, 'to');
    const type = requiredEnum(item.type, RELATION_TYPE_VALUES, 'relations', i, 'type');
    if (!hasPerson(persons, from)) {
      reject('UNKNOWN_PERSON_REF', 'relations', i, 'from', 'names no person of this signal');
    }
    if (!hasPerson(persons, to)) {
      reject('UNKNOWN_PERSON_REF', 'relations', i, 'to', 'names no person of this signal');
    }
    relations[i] = { from, to, type };
  }
  return relations;
}

function hasPerson(persons: Person[], ref: string): boolean {
  for (const person of persons) if (person.ref === ref) return true;
  return false;
}

/** The address, or undefined when it carries no field at all (`{}` means "no address"). */
function readAddress(o: JsonObject, dropped: string[]): Address | undefined {
  collectUnknownFields(o, ADDRESS_FIELDS, 'address', 0, dropped);
  const postcode = optionalString(o.postcode, 'address', 0, 'postcode');
  const houseNumber = optionalNumber(o.houseNumber, 'address', 0, 'houseNumber');
  if (
    houseNumber !== undefined &&
    (!Number.isInteger(houseNumber) || houseNumber < 1 || houseNumber > MAX_HOUSE_NUMBER)
  ) {
    reject('BAD_VALUE', 'address', 0, 'houseNumber', 'must be a whole number from 1 to 99999');
  }
  const houseLetter = optionalString(o.houseLetter, 'address', 0, 'houseLetter');
  if (
    houseLetter !== undefined &&
    (houseLetter.length !== 1 || !isLetter(houseLetter.charCodeAt(0)))
  ) {
    reject('BAD_VALUE', 'address', 0, 'houseLetter', 'must be one letter');
  }
  const addition = optionalString(o.addition, 'address', 0, 'addition');
  if (addition !== undefined && !isAddition(addition)) {
    reject('BAD_VALUE', 'address', 0, 'addition', 'must be at most 4 letters or digits');
  }
  const city = optionalString(o.city, 'address', 0, 'city');
  return newAddress(postcode, houseNumber, houseLetter, addition, city);
}

/** An address of the fields given, or undefined when none is. */
function newAddress(
  postcode: string | undefined,
  houseNumber: number | undefined,
  houseLetter: string | undefined,
  addition: string | undefined,
  city: string | undefined,
): Address | undefined {
  if (
    postcode === undefined &&
    houseNumber === undefined &&
    houseLetter === undefined &&
    addition === undefined &&
    city === undefined
  ) {
    return undefined;
  }
  const address: Address = {};
  if (postcode !== undefined) address.postcode = postcode;
  if (houseNumber !== undefined) address.houseNumber = houseNumber;
  if (houseLetter !== undefined) address.houseLetter = houseLetter;
  if (addition !== undefined) address.addition = addition;
  if (city !== undefined) address.city = city;
  return address;
}

/** Up to four letters or digits; `-`, `/` and spaces are display only and not counted. */
export function isAddition(s: string): boolean {
  let significant = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2d || c === 0x2f || c === 0x20) continue;
    if (!isLetter(c) && !(c >= 48 && c <= 57)) return false;
    if (++significant > MAX_ADDITION_LENGTH) return false;
  }
  return true;
}

function readRetracts(input: JsonObject): string[] {
  const items = optionalList(input.retracts, 'signal', 0, 'retracts');
  const retracts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const key = `retracts[${i}]`;
    if (typeof item !== 'string') reject('MALFORMED', 'signal', 0, key, 'must be a string');
    if (!isUnicodeText(item)) reject('MALFORMED', 'signal', 0, key, 'is not valid Unicode text');
    if (item.length === 0 || item.length > MAX_ID_LENGTH) {
      reject('BAD_VALUE', 'signal', 0, key, 'must be a signal id of 1 to 128 characters');
    }
    retracts[i] = item;
  }
  return retracts;
}

function collectUnknownFields(
  o: JsonObject,
  known: ReadonlySet<string>,
  scope: Scope,
  index: number,
  dropped: string[],
): void {
  for (const key in o) {
    if (!known.has(key)) dropped.push(fieldPath(scope, index, key));
  }
}

/**
 * A withdrawal uses only id, kind, receivedAt and retracts. Other contract
 * fields that carry a value are dropped unvalidated and counted like unknown
 * fields: a withdrawal must not fail on data it does not need, and must not
 * bring persons into the radar. Fields that say nothing (`null`, `""`, `[]`,
 * or their default) are not counted, so a producer that writes every field,
 * or a decoded withdrawal written out again, raises no warning.
 */
function dropWithdrawalExtras(input: JsonObject, dropped: string[]): void {
  for (const key in input) {
    if (WITHDRAWAL_FIELDS.has(key)) continue;
    if (SIGNAL_FIELDS.has(key) && saysNothing(key, input[key])) continue;
    dropped.push(key);
  }
}

const DEFAULTS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['safety', 'ONBEKEND'],
  ['childrenPresent', false],
  ['substantiated', true],
]);

function saysNothing(key: string, value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    value === DEFAULTS.get(key)
  );
}

/** Names fields, never values; long producer-chosen keys are cut so a warning stays a line. */
function droppedFieldsWarning(dropped: string[]): SignalWarning {
  const shown = dropped.slice(0, MAX_NAMES_IN_WARNING).map(shortName);
  const more = dropped.length - shown.length;
  return {
    code: 'UNKNOWN_FIELDS_DROPPED',
    message:
      `dropped ${dropped.length} field${dropped.length === 1 ? '' : 's'} outside the contract: ` +
      shown.join(', ') +
      (more > 0 ? ` and ${more} more` : ''),
  };
}

function shortName(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 63)}…`;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function isLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}
