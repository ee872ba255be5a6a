/**
 * A content digest of a decoded signal, so the radar can tell an exact
 * redelivery (same id, same digest: a no-op) from a conflicting one (same id,
 * other digest: DUPLICATE_ID_CONFLICT).
 *
 * The digest is the SHA-256 of the signal's canonical JSON: keys sorted by
 * code unit, absent optional fields left out, no whitespace. Because it is
 * taken over the decoded and normalised `Signal`, key order in the input, the
 * wire format (JSON or protobuf), spelled-out defaults and an 8-digit BSN's
 * missing zero all give the same digest. The serialiser is written out per
 * type rather than sorting keys at run time: the engine digests every signal.
 */
import { hash } from 'node:crypto';
import type { Address, Person, Relation, Signal } from './types.js';

export function canonicalSignalKey(signal: Signal): string {
  return hash('sha256', canonicalSignalJson(signal), 'hex');
}

/** Fields in sorted key order; every field is written with a leading comma, the first one's dropped. */
function canonicalSignalJson(s: Signal): string {
  let out = '';
  if (s.address !== undefined) out += `,"address":${addressJson(s.address)}`;
  if (s.category !== undefined) out += `,"category":${JSON.stringify(s.category)}`;
  out += `,"childrenPresent":${s.childrenPresent}`;
  out += `,"id":${JSON.stringify(s.id)}`;
  out += `,"kind":${JSON.stringify(s.kind)}`;
  if (s.occurredAt !== undefined) out += `,"occurredAt":${JSON.stringify(s.occurredAt)}`;
  out += `,"persons":[${s.persons.map(personJson).join(',')}]`;
  out += `,"receivedAt":${JSON.stringify(s.receivedAt)}`;
  if (s.region !== undefined) out += `,"region":${JSON.stringify(s.region)}`;
  out += `,"relations":[${s.relations.map(relationJson).join(',')}]`;
  out += `,"retracts":${JSON.stringify(s.retracts)}`;
  out += `,"safety":${JSON.stringify(s.safety)}`;
  if (s.source !== undefined) out += `,"source":${JSON.stringify(s.source)}`;
  out += `,"substantiated":${s.substantiated}`;
  out += `,"violenceTypes":${JSON.stringify(s.violenceTypes)}`;
  return `{${out.slice(1)}}`;
}

function personJson(p: Person): string {
  let out = '';
  if (p.birthDate !== undefined) out += `,"birthDate":${JSON.stringify(p.birthDate)}`;
  if (p.bsn !== undefined) out += `,"bsn":${JSON.stringify(p.bsn)}`;
  if (p.familyName !== undefined) out += `,"familyName":${JSON.stringify(p.familyName)}`;
  if (p.initials !== undefined) out += `,"initials":${JSON.stringify(p.initials)}`;
  out += `,"ref":${JSON.stringify(p.ref)}`;
  out += `,"role":${JSON.stringify(p.role)}`;
  return `{${out.slice(1)}}`;
}

function relationJson(r: Relation): string {
  return `{"from":${JSON.stringify(r.from)},"to":${JSON.stringify(r.to)},"type":${JSON.stringify(r.type)}}`;
}

function addressJson(a: Address): string {
  let out = '';
  if (a.addition !== undefined) out += `,"addition":${JSON.stringify(a.addition)}`;
  if (a.city !== undefined) out += `,"city":${JSON.stringify(a.city)}`;
  if (a.houseLetter !== undefined) out += `,"houseLetter":${JSON.stringify(a.houseLetter)}`;
  if (a.houseNumber !== undefined) out += `,"houseNumber":${a.houseNumber}`;
  if (a.postcode !== undefined) out += `,"postcode":${JSON.stringify(a.postcode)}`;
  return `{${out.slice(1)}}`;
}
