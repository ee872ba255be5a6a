/**
 * What the household graph needs of a signal: its event time, its person
 * records reduced to their identity keys, and its address key. Everything
 * else about a signal stays with the signal.
 */
import { at } from '../at.js';
import { isValidBsn } from '../signals/bsn.js';
import type { Person, Relation, Signal } from '../signals/types.js';
import type { GraphSignal, PersonRecord } from './nodes.js';
import { addressKey, firstInitial, normalizeFamilyName } from './normalize.js';

export type { GraphSignal, PersonRecord } from './nodes.js';

export const ADDRESS_LINK_WINDOW_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * A person record's identity keys, four to a record: ref, valid BSN,
 * name key and first initial. Flat, so the keys can cross a thread in one
 * array and become records without an object in between.
 */
export type IdentityKeys = readonly (string | undefined)[];

export function identityKeys(persons: readonly Person[]): IdentityKeys {
  const keys = new Array<string | undefined>(persons.length * 4);
  for (let i = 0; i < persons.length; i++) {
    const person = at(persons, i);
    const name = person.familyName === undefined ? '' : normalizeFamilyName(person.familyName);
    keys[i * 4] = person.ref;
    keys[i * 4 + 1] = person.bsn !== undefined && isValidBsn(person.bsn) ? person.bsn : undefined;
    keys[i * 4 + 2] =
      name !== '' && person.birthDate !== undefined ? `${name}|${person.birthDate}` : undefined;
    keys[i * 4 + 3] = firstInitial(person.initials);
  }
  return keys;
}

export function newGraphSignal(
  id: string,
  t: number,
  relations: readonly Relation[],
  addressKey: string | undefined,
  keys: IdentityKeys,
): GraphSignal {
  // Sized up front: an array grown by push keeps room for 17 records.
  const records = new Array<PersonRecord>(keys.length / 4);
  const graphSignal: GraphSignal = {
    id,
    t,
    records,
    relations,
    addressKey,
    household: undefined,
    slot: 0,
  };
  for (let i = 0; i < records.length; i++) {
    records[i] = {
      signal: graphSignal,
      ref: at(keys, i * 4),
      bsn: keys[i * 4 + 1],
      nameKey: keys[i * 4 + 2],
      initial: keys[i * 4 + 3],
      person: undefined,
      bsnList: undefined,
      nameList: undefined,
      slot: 0,
    };
  }
  return graphSignal;
}

/**
 * What the households need of a signal, as flat data: made where a signal
 * is decoded, and made a `GraphSignal` with its person records only where
 * households are kept up to date signal by signal. A backtest forms them
 * once from columns, and records made for each signal, crossing threads and
 * then dropped, were most of what preparing a signal cost.
 */
export interface GraphInput {
  /** `occurredAt` in epoch milliseconds. */
  readonly t: number;
  readonly relations: readonly Relation[];
  readonly addressKey: string | undefined;
  readonly keys: IdentityKeys;
}

/** `t` is `occurredAt` in epoch milliseconds, as the signal's rule input reads it: one instant, parsed once. */
export function toGraphInput(signal: Signal, t: number): GraphInput {
  return {
    t,
    relations: signal.relations,
    addressKey: addressKey(signal.address),
    keys: identityKeys(signal.persons),
  };
}

export function graphSignal(
  id: string,
  { t, relations, addressKey, keys }: GraphInput,
): GraphSignal {
  return newGraphSignal(id, t, relations, addressKey, keys);
}
