/**
 * Typed reads of one field of a decoded JSON object, throwing the contract's
 * reason codes. Shared by every level of the signal (signal, person,
 * relation, address), so each rule about types and absence lives in one place:
 *
 * - absent, `null` and `""` all mean "no value" — proto3 cannot tell them
 *   apart on the wire, and JSON must decode exactly like protobuf;
 * - a value of the wrong JSON type is MALFORMED, and so is a string with a
 *   lone surrogate (`"\ud800"` is valid JSON but no Unicode text: protobuf
 *   could not carry it, and UTF-8 would turn it into U+FFFD);
 * - messages name the field's path and never echo its value, because they
 *   end up in logs and DLQ headers and the value may be personal data.
 *
 * A field is addressed by (scope, index, key) rather than by a ready-made path
 * so that the hot path builds no strings; the path is spelled out only when
 * something is wrong.
 */
import { SignalRejectedError, type RejectionCode } from '../errors.js';

export type JsonObject = Record<string, unknown>;

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/** `String.prototype.isWellFormed`: native since Node 20, typed only from ES2024, past this project's `lib`. */
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean })
  .isWellFormed;

/** Whether `s` is Unicode text, that is, holds no lone surrogate. */
export function isUnicodeText(s: string): boolean {
  return isWellFormed.call(s);
}

/** Where an object sits in the signal: the signal itself, `persons[i]`, `relations[i]` or `address`. */
export type Scope = 'signal' | 'persons' | 'relations' | 'address';

export function fieldPath(scope: Scope, index: number, key: string): string {
  switch (scope) {
    case 'signal':
      return key;
    case 'address':
      return `address.${key}`;
    default:
      return `${scope}[${index}].${key}`;
  }
}

export function reject(
  code: RejectionCode,
  scope: Scope,
  index: number,
  key: string,
  problem: string,
): never {
  const path = fieldPath(scope, index, key);
  throw new SignalRejectedError(code, `${path} ${problem}`, path);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(
  o: JsonObject,
  key: string,
  scope: Scope,
  index: number,
): string | undefined {
  const value = o[key];
  if (typeof value === 'string') {
    if (value === '') return undefined;
    if (!isUnicodeText(value)) reject('MALFORMED', scope, index, key, 'is not valid Unicode text');
    return value;
  }
  if (value === undefined || value === null) return undefined;
  return reject('MALFORMED', scope, index, key, 'must be a string');
}

export function requiredString(o: JsonObject, key: string, scope: Scope, index: number): string {
  return (
    optionalString(o, key, scope, index) ??
    reject('MISSING_FIELD', scope, index, key, 'is required')
  );
}

export function optionalEnum<T extends string>(
  o: JsonObject,
  key: string,
  values: ReadonlySet<T>,
  scope: Scope,
  index: number,
): T | undefined {
  const value = optionalString(o, key, scope, index);
  if (value === undefined) return undefined;
  return (
    canonical(values).get(value) ??
    reject('UNKNOWN_ENUM', scope, index, key, `must be one of ${[...values].join(', ')}`)
  );
}

const canonicals = new WeakMap<ReadonlySet<string>, ReadonlyMap<string, string>>();

/**
 * The enum's own string for a parsed value: the radar then holds one shared
 * copy of each value instead of the fresh copy JSON.parse makes per signal.
 */
function canonical<T extends string>(values: ReadonlySet<T>): ReadonlyMap<string, T> {
  let map = canonicals.get(values);
  if (map === undefined) canonicals.set(values, (map = new Map([...values].map((v) => [v, v]))));
  return map as ReadonlyMap<string, T>;
}

export function requiredEnum<T extends string>(
  o: JsonObject,
  key: string,
  values: ReadonlySet<T>,
  scope: Scope,
  index: number,
): T {
  return (
    optionalEnum(o, key, values, scope, index) ??
    reject('MISSING_FIELD', scope, index, key, 'is required')
  );
}

export function optionalBoolean(
  o: JsonObject,
  key: string,
  scope: Scope,
  index: number,
): boolean | undefined {
  const value = o[key];
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return undefined;
  return reject('MALFORMED', scope, index, key, 'must be true or false');
}

export function optionalNumber(
  o: JsonObject,
  key: string,
  scope: Scope,
  index: number,
): number | undefined {
  const value = o[key];
  if (typeof value === 'number') return value;
  if (value === undefined || value === null) return undefined;
  return reject('MALFORMED', scope, index, key, 'must be a number');
}

/** The list under `key`; absent and `null` read as the empty list. */
export function optionalList(
  o: JsonObject,
  key: string,
  scope: Scope,
  index: number,
): readonly unknown[] {
  const value = o[key];
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return NO_ITEMS;
  return reject('MALFORMED', scope, index, key, 'must be a list');
}

export function optionalObject(
  o: JsonObject,
  key: string,
  scope: Scope,
  index: number,
): JsonObject | undefined {
  const value = o[key];
  if (isJsonObject(value)) return value;
  if (value === undefined || value === null) return undefined;
  return reject('MALFORMED', scope, index, key, 'must be an object');
}

/**
 * Each element of a list of enum values, checked. Elements are addressed as
 * `key[i]`; an empty string in a list is a value, not an absence, and so unknown.
 */
export function enumList<T extends string>(
  o: JsonObject,
  key: string,
  values: ReadonlySet<T>,
  scope: Scope,
  index: number,
): T[] {
  const items = optionalList(o, key, scope, index);
  // Sized up front, not grown by push: see readPersons.
  const result = new Array<T>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== 'string')
      reject('MALFORMED', scope, index, `${key}[${i}]`, 'must be a string');
    const value = canonical(values).get(item);
    if (value === undefined) {
      reject(
        'UNKNOWN_ENUM',
        scope,
        index,
        `${key}[${i}]`,
        `must be one of ${[...values].join(', ')}`,
      );
    }
    result[i] = value;
  }
  return result;
}
