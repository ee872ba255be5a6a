/**
 * What the household graph needs of a signal: its event time, its person
 * records reduced to their identity keys, and its address key. Everything
 * else about a signal stays with the signal.
 */
import { isValidBsn } from '../signals/bsn.js';
import type { Relation, Signal } from '../signals/types.js';
import type { Household, Person } from './household-index.js';
import { addressKey, firstInitial, normalizeFamilyName } from './normalize.js';

export const ADDRESS_LINK_WINDOW_MS = 365 * 24 * 60 * 60 * 1000;

export interface PersonRecord {
  readonly signal: GraphSignal;
  readonly ref: string;
  /** Only a BSN that passes the elfproef; an invalid one is ignored for identity. */
  readonly bsn: string | undefined;
  /** Normalised family name and birth date, when both are known. */
  readonly nameKey: string | undefined;
  readonly initial: string | undefined;
  /**
   * The person this record resolves to. Written by HouseholdIndex alone: a
   * slot on the record is much cheaper than a Map over millions of records.
   */
  person: Person | undefined;
}

export interface GraphSignal {
  readonly id: string;
  /** `occurredAt` in epoch milliseconds. */
  readonly t: number;
  readonly records: readonly PersonRecord[];
  /** The signal's relations between its own person refs. */
  readonly relations: readonly Relation[];
  readonly addressKey: string | undefined;
  /** The household this signal is in; written by HouseholdIndex alone. */
  household: Household | undefined;
}

export function toGraphSignal(signal: Signal): GraphSignal {
  if (signal.occurredAt === undefined) {
    throw new TypeError(`signal ${signal.id} of kind ${signal.kind} has no place in a household`);
  }
  // Sized up front: an array grown by push keeps room for 17 records.
  const records = new Array<PersonRecord>(signal.persons.length);
  const graphSignal: GraphSignal = {
    id: signal.id,
    t: Date.parse(signal.occurredAt),
    records,
    relations: signal.relations,
    addressKey: addressKey(signal.address),
    household: undefined,
  };
  signal.persons.forEach((person, i) => {
    const name = person.familyName === undefined ? '' : normalizeFamilyName(person.familyName);
    records[i] = {
      signal: graphSignal,
      ref: person.ref,
      bsn: person.bsn !== undefined && isValidBsn(person.bsn) ? person.bsn : undefined,
      nameKey:
        name !== '' && person.birthDate !== undefined
          ? [name, person.birthDate].join('|')
          : undefined,
      initial: firstInitial(person.initials),
      person: undefined,
    };
  });
  return graphSignal;
}
