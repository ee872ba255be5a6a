/**
 * How many distinct persons a household names at each of its addresses.
 * Persons never span households, so the persons at an address are the sum
 * over its households: the fold keeps these counts (`ap!`) to tell whether
 * an address is institutional without reading its whole history.
 */
import type { Household, Person, PersonRecord } from '../graph/nodes.js';

export function personsByAddress(
  household: Household,
  personOf: (record: PersonRecord) => Person,
): Map<string, number> {
  const persons = new Map<string, Set<Person>>();
  for (const signal of household.signals) {
    if (signal.addressKey === undefined) continue;
    let set = persons.get(signal.addressKey);
    if (set === undefined) persons.set(signal.addressKey, (set = new Set()));
    for (const record of signal.records) set.add(personOf(record));
  }
  return new Map([...persons].map(([addressKey, set]) => [addressKey, set.size]));
}
