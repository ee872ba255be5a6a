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
 * Each reader takes the field's value, read by the caller with a property
 * name of its own (`o.ref`), not `o[key]` here: one shared keyed read saw
 * every key of every object shape and was the slowest read there is. The
 * field is addressed by (scope, index, key) rather than by a ready-made path
 * so that the hot path builds no strings; the path is spelled out only when
 * something is wrong.
 */
import { SignalRejectedError, type RejectionCode } from '../errors.js';

export type JsonObject = Record<string, unknown>;

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/** `String.prototype.isWellFormed`: native since Node 20, typed only from ES2024, past this project's `lib`. */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean })
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
  value: unknown,
  scope: Scope,
  index: number,
  key: string,
): string | undefined {
  if (typeof value === 'string') {
    if (value === '') return undefined;
    if (!isUnicodeText(value)) reject('MALFORMED', scope, index, key, 'is not valid Unicode text');
    return value;
  }
  if (value === undefined || value === null) return undefined;
  return reject('MALFORMED', scope, index, key, 'must be a string');
}

export function requiredString(value: unknown, scope: Scope, index: number, key: string): string {
  return (
    optionalString(value, scope, index, key) ??
    reject('MISSING_FIELD', scope, index, key, 'is required')
  );
}

/** An enum's values, ready for lookup; built once per enum with `enumValues`. */
export interface EnumValues<T extends string> {
  /**
   * Each value under its own name: a lookup returns the enum's own string,
   * so the radar holds one shared copy of each value instead of the fresh
   * copy JSON.parse makes per signal.
   */
  readonly byName: ReadonlyMap<string, T>;
  /** The rejection's problem text, listing the values in the contract's order. */
  readonly problem: string;
}

export function enumValues<T extends string>(values: readonly T[]): EnumValues<T> {
  return {
    byName: new Map(values.map((v) => [v, v])),
    problem: `must be one of ${values.join(', ')}`,
  };
}

export function optionalEnum<T extends string>(
  value: unknown,
  values: EnumValues<T>,
  scope: Scope,
  index: number,
  key: string,
): T | undefined {
  // A known value is a well-formed string, so the common case needs no other check.
  const known = values.byName.get(value as string);
  if (known !== undefined) return known;
  if (optionalString(value, scope, index, key) === undefined) return undefined;
  return reject('UNKNOWN_ENUM', scope, index, key, values.problem);
}

export function requiredEnum<T extends string>(
  value: unknown,
  values: EnumValues<T>,
  scope: Scope,
  index: number,
  key: string,
): T {
  return (
    optionalEnum(value, values, scope, index, key) ??
    reject('MISSING_FIELD', scope, index, key, 'is required')
  );
}

export function optionalBoolean(
  value: unknown,
  scope: Scope,
  index: number,
  key: string,
): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return undefined;
  return reject('MALFORMED', scope, index, key, 'must be true or false');
}

export function optionalNumber(
  value: unknown,
  scope: Scope,
  index: number,
  key: string,
): number | undefined {
  if (typeof value === 'number') return value;
  if (value === undefined || value === null) return undefined;
  return reject('MALFORMED', scope, index, key, 'must be a number');
}

/** The list in `value`; absent and `null` read as the empty list. */
export function optionalList(
  value: unknown,
  scope: Scope,
  index: number,
  key: string,
): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return NO_ITEMS;
  return reject('MALFORMED', scope, index, key, 'must be a list');
}

export function optionalObject(
  value: unknown,
  scope: Scope,
  index: number,
  key: string,
): JsonObject | undefined {
  if (isJsonObject(value)) return value;
  if (value === undefined || value === null) return undefined;
  return reject('MALFORMED', scope, index, key, 'must be an object');
}

/**
 * Each element of a list of enum values, checked. Elements are addressed as
 * `key[i]`; an empty string in a list is a value, not an absence, and so unknown.
 */
export function enumList<T extends string>(
  value: unknown,
  values: EnumValues<T>,
  scope: Scope,
  index: number,
  key: string,
): T[] {
  const items = optionalList(value, scope, index, key);
  // Sized up front, not grown by push: see readPersons.
  const result = new Array<T>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const known = values.byName.get(item as string);
    if (known === undefined) {
      if (typeof item !== 'string') {
        reject('MALFORMED', scope, index, `${key}[${i}]`, 'must be a string');
      }
      reject('UNKNOWN_ENUM', scope, index, `${key}[${i}]`, values.problem);
    }
    result[i] = known;
  }
  return result;
}
