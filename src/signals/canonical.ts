/**
 * A content digest of a decoded signal, so the radar can tell an exact
 * redelivery (same id, same digest: a no-op) from a conflicting one (same id,
 * other digest: DUPLICATE_ID_CONFLICT).
 *
 * The digest is the SHA-256 (hex) of the signal's canonical JSON: keys sorted
 * by code unit, absent optional fields left out, no whitespace. Because it is
 * taken over the decoded and normalised `Signal`, key order in the input, the
 * wire format (JSON or protobuf), spelled-out defaults and an 8-digit BSN's
 * missing zero all give the same digest.
 *
 * The sorted form is written out per type rather than sorting keys at run
 * time, and left to one `JSON.stringify` (which skips `undefined` values):
 * the engine digests every signal, so this is on the backtest's hot path.
 */
import { hash } from 'node:crypto';
import type { Address, Person, Relation, Signal } from './types.js';

export function canonicalSignalKey(signal: Signal): string {
  return hash('sha256', JSON.stringify(sortedSignal(signal)), 'hex');
}

/** Keys in sorted order; keep them so when the contract gains a field. */
function sortedSignal(s: Signal) {
  return {
    address: s.address === undefined ? undefined : sortedAddress(s.address),
    category: s.category,
    childrenPresent: s.childrenPresent,
    id: s.id,
    kind: s.kind,
    occurredAt: s.occurredAt,
    persons: s.persons.map(sortedPerson),
    receivedAt: s.receivedAt,
    region: s.region,
    relations: s.relations.map(sortedRelation),
    retracts: s.retracts,
    safety: s.safety,
    source: s.source,
    substantiated: s.substantiated,
    violenceTypes: s.violenceTypes,
  };
}

function sortedPerson(p: Person) {
  return {
    birthDate: p.birthDate,
    bsn: p.bsn,
    familyName: p.familyName,
    initials: p.initials,
    ref: p.ref,
    role: p.role,
  };
}

function sortedRelation(r: Relation) {
  return { from: r.from, to: r.to, type: r.type };
}

function sortedAddress(a: Address) {
  return {
    addition: a.addition,
    city: a.city,
    houseLetter: a.houseLetter,
    houseNumber: a.houseNumber,
    postcode: a.postcode,
  };
}
