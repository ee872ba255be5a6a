/**
 * One NEN 7513 audit record and the hash chain that links it to the one
 * before. The hash covers every field in a fixed order, so changing,
 * removing, inserting or reordering any record breaks the chain at that line.
 */
import { createHash } from 'node:crypto';

/** What a caller says about one access; the log adds `seq`, `prevHash` and `hash`. */
export interface AuditEntry {
  /** RFC 3339 UTC, when the access was answered. */
  time: string;
  /** The client system: the subject CN of its certificate (`insecure` in development mode). */
  client: string;
  /** The user the client acts for (`x-radar-user`); empty when the call was refused for lacking it. */
  user: string;
  /** Why (`x-radar-purpose`); empty when the call was refused for lacking it. */
  purpose: string;
  /** gRPC method, e.g. `radar.v1.RadarService/GetHousehold`. */
  method: string;
  /** Household ids returned to the client. */
  households: string[];
  /** Indicator ids returned to the client. */
  indicators: string[];
  /** gRPC status name of the answer: `OK`, `NOT_FOUND`, `UNAUTHENTICATED`, … */
  outcome: string;
  /** Only on the record of a retention pass (method `radar/Retention`), which answers no call. */
  retention?: RetentionFacts;
}

/**
 * What a retention pass removed, in counts: no id, since a removed signal's
 * id is all that would be left of it.
 */
export interface RetentionFacts {
  /** RFC 3339 UTC: signals that occurred before it were removed. */
  cutoff: string;
  signalsRemoved: number;
  /** Households split, shrunk or gone. */
  householdsChanged: number;
  /** Indicator events the pass stored, by type: removing a signal may also split an episode. */
  indicatorsWithdrawn: number;
  indicatorsUpdated: number;
  indicatorsRaised: number;
}

const RETENTION_FIELDS = [
  'cutoff',
  'signalsRemoved',
  'householdsChanged',
  'indicatorsWithdrawn',
  'indicatorsUpdated',
  'indicatorsRaised',
] as const;

export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3, … without gaps. */
  seq: number;
  /** `hash` of the previous record; GENESIS_HASH for the first. */
  prevHash: string;
  /** sha256 hex of `prevHash` followed by the canonical record. */
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The fields in the order the hash covers them; `hash` itself comes last on the line. */
const FIELDS = [
  'seq',
  'time',
  'client',
  'user',
  'purpose',
  'method',
  'households',
  'indicators',
  'outcome',
  'prevHash',
] as const;

/**
 * JSON of the record without `hash`, keys in the fixed order; `retention`,
 * when there, just before `prevHash`, so the records of calls hash as they
 * always did.
 */
export function canonicalRecord(record: Omit<AuditRecord, 'hash'>): string {
  const ordered: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (field === 'prevHash' && record.retention !== undefined) {
      const facts: Record<string, unknown> = {};
      for (const name of RETENTION_FIELDS) facts[name] = record.retention[name];
      ordered.retention = facts;
    }
    ordered[field] = record[field];
  }
  return JSON.stringify(ordered);
}

export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(record.prevHash).update(canonicalRecord(record)).digest('hex');
}

export function chain(entry: AuditEntry, seq: number, prevHash: string): AuditRecord {
  const unhashed = {
    seq,
    time: entry.time,
    client: entry.client,
    user: entry.user,
    purpose: entry.purpose,
    method: entry.method,
    households: [...entry.households],
    indicators: [...entry.indicators],
    outcome: entry.outcome,
    ...(entry.retention !== undefined && { retention: { ...entry.retention } }),
    prevHash,
  };
  return { ...unhashed, hash: recordHash(unhashed) };
}

/** One line of the log file, without the newline. */
export function recordLine(record: AuditRecord): string {
  return `${canonicalRecord(record).slice(0, -1)},"hash":${JSON.stringify(record.hash)}}`;
}

const HEX64 = /^[0-9a-f]{64}$/;

function retentionProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'retention is not an object';
  const facts = value as Record<string, unknown>;
  const names: readonly string[] = RETENTION_FIELDS;
  const extra = Object.keys(facts).find((k) => !names.includes(k));
  if (extra !== undefined) return `unexpected field retention.${extra}`;
  if (typeof facts.cutoff !== 'string') return 'retention.cutoff is not a string';
  for (const name of RETENTION_FIELDS.slice(1)) {
    const count = facts[name];
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)
      return `retention.${name} is not a count`;
  }
  return undefined;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Reads one line back into a record, or says what is wrong with its shape.
 * Whether it belongs in the chain is the verifier's question.
 */
export function parseRecordLine(line: string): AuditRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'not a JSON object';
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  const expected = [...FIELDS, 'hash'];
  const extra = keys.filter((k) => !expected.includes(k) && k !== 'retention');
  if (extra.length > 0) return `unexpected field ${extra[0]}`;
  if ('retention' in o) {
    const problem = retentionProblem(o.retention);
    if (problem !== undefined) return problem;
  }
  const missing = expected.filter((k) => !(k in o));
  if (missing.length > 0) return `missing field ${missing[0]}`;
  if (typeof o.seq !== 'number' || !Number.isSafeInteger(o.seq) || o.seq < 1)
    return 'seq is not a positive integer';
  for (const k of ['time', 'client', 'user', 'purpose', 'method', 'outcome'] as const) {
    if (typeof o[k] !== 'string') return `${k} is not a string`;
  }
  if (!isStringArray(o.households)) return 'households is not a list of strings';
  if (!isStringArray(o.indicators)) return 'indicators is not a list of strings';
  if (typeof o.prevHash !== 'string' || !HEX64.test(o.prevHash))
    return 'prevHash is not a sha256 hex digest';
  if (typeof o.hash !== 'string' || !HEX64.test(o.hash)) return 'hash is not a sha256 hex digest';
  return o as unknown as AuditRecord;
}
