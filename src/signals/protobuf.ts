/**
 * The binary protobuf encoding of a signal (`radar.v1.Signal`, Kafka header
 * `content-type: application/x-protobuf`). Decoding turns the generated
 * message into the same contract-shaped object the JSON decoder parses —
 * bare enum names, proto3 zero values as absences — and hands it to the one
 * validator, so both encodings of a signal decode to identical `Signal`s.
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { SignalRejectedError } from '../errors.js';
import * as pb from '../gen/radar/v1/signal.js';
import type { JsonObject } from './fields.js';
import {
  CATEGORIES,
  RELATION_TYPES,
  ROLES,
  SAFETY_LEVELS,
  SIGNAL_KINDS,
  SOURCES,
  VIOLENCE_TYPES,
  type AcceptedSignal,
  type Signal,
} from './types.js';
import { validateSignal } from './validate.js';

/*
 * Enum numbers: the `.proto` lists each enum's values in the order of the
 * matching list in types.ts, after `*_UNSPECIFIED = 0`, so value n is
 * `LIST[n - 1]` (test/signals/protobuf.test.ts holds the two in step).
 */

/** Highest field number of each message; a lower number on an unexpected wire type is malformed, not unknown. */
const SIGNAL_FIELD_COUNT = 15;
const PERSON_FIELD_COUNT = 6;
const RELATION_FIELD_COUNT = 3;
const ADDRESS_FIELD_COUNT = 5;

/** Proto3 requires valid UTF-8 in strings; the default reader would silently substitute U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const decodeUtf8Strictly = (bytes: Uint8Array): string => strictUtf8.decode(bytes);

export function decodeProtobuf(bytes: Uint8Array): AcceptedSignal {
  let message: pb.Signal;
  try {
    const reader = new BinaryReader(bytes, decodeUtf8Strictly);
    message = pb.Signal.decode(reader);
    // The generated decoder stops quietly at a zero or end-group tag; what follows would be lost.
    if (reader.pos !== reader.len) throw new Error('decoding stopped before the end');
  } catch {
    // The decoder's own message is not kept: it may quote the bytes it choked on.
    throw new SignalRejectedError('MALFORMED', 'not a decodable radar.v1.Signal');
  }
  const dropped: string[] = [];
  return validateSignal(contractObject(message, dropped), dropped);
}

export function encodeProtobuf(signal: Signal): Uint8Array {
  const address = signal.address;
  return pb.Signal.encode({
    id: signal.id,
    kind: enumNumber(SIGNAL_KINDS, signal.kind),
    occurredAt: signal.occurredAt ?? '',
    receivedAt: signal.receivedAt,
    region: signal.region ?? '',
    source: enumNumber(SOURCES, signal.source),
    category: enumNumber(CATEGORIES, signal.category),
    violenceTypes: signal.violenceTypes.map((v) => enumNumber(VIOLENCE_TYPES, v)),
    safety: enumNumber(SAFETY_LEVELS, signal.safety),
    childrenPresent: signal.childrenPresent,
    substantiated: signal.substantiated,
    persons: signal.persons.map((p) => ({
      ref: p.ref,
      bsn: p.bsn ?? '',
      familyName: p.familyName ?? '',
      initials: p.initials ?? '',
      birthDate: p.birthDate ?? '',
      role: enumNumber(ROLES, p.role),
    })),
    relations: signal.relations.map((r) => ({
      from: r.from,
      to: r.to,
      type: enumNumber(RELATION_TYPES, r.type),
    })),
    address:
      address === undefined
        ? undefined
        : {
            postcode: address.postcode ?? '',
            houseNumber: address.houseNumber,
            houseLetter: address.houseLetter ?? '',
            addition: address.addition ?? '',
            city: address.city ?? '',
          },
    retracts: signal.retracts,
  }).finish();
}

/** The message as the contract's JSON would carry it; unknown wire fields go to `dropped`. */
function contractObject(m: pb.Signal, dropped: string[]): JsonObject {
  collectUnknownFields(m._unknownFields, SIGNAL_FIELD_COUNT, '', dropped);
  // A withdrawal drops its persons, relations and address whole, as the JSON
  // decoder does, so what they carry inside is not counted separately.
  const countNested = m.kind !== pb.SignalKind.SIGNAL_KIND_INTREKKING;
  return {
    id: m.id,
    kind: enumName(SIGNAL_KINDS, m.kind),
    occurredAt: m.occurredAt,
    receivedAt: m.receivedAt,
    region: m.region,
    source: enumName(SOURCES, m.source),
    category: enumName(CATEGORIES, m.category),
    violenceTypes: m.violenceTypes.map((n) => enumListItem(VIOLENCE_TYPES, n)),
    safety: enumName(SAFETY_LEVELS, m.safety),
    childrenPresent: m.childrenPresent,
    substantiated: m.substantiated,
    persons: m.persons.map((p, i) => {
      if (countNested)
        collectUnknownFields(p._unknownFields, PERSON_FIELD_COUNT, `persons[${i}].`, dropped);
      return {
        ref: p.ref,
        bsn: p.bsn,
        familyName: p.familyName,
        initials: p.initials,
        birthDate: p.birthDate,
        role: enumName(ROLES, p.role),
      };
    }),
    relations: m.relations.map((r, i) => {
      if (countNested)
        collectUnknownFields(r._unknownFields, RELATION_FIELD_COUNT, `relations[${i}].`, dropped);
      return { from: r.from, to: r.to, type: enumName(RELATION_TYPES, r.type) };
    }),
    address: m.address && addressObject(m.address, countNested, dropped),
    retracts: m.retracts,
  };
}

function addressObject(a: pb.Address, countNested: boolean, dropped: string[]): JsonObject {
  if (countNested) collectUnknownFields(a._unknownFields, ADDRESS_FIELD_COUNT, 'address.', dropped);
  return {
    postcode: a.postcode,
    houseNumber: a.houseNumber,
    houseLetter: a.houseLetter,
    addition: a.addition,
    city: a.city,
  };
}

/**
 * Records fields this schema does not know as `#<number>` (protobuf carries
 * no names). A known field number arriving with the wrong wire type lands
 * here too; that is a type error, MALFORMED, like a string where JSON wants
 * a number.
 */
function collectUnknownFields(
  unknown: Record<number, Uint8Array[]> | undefined,
  knownFieldCount: number,
  prefix: string,
  dropped: string[],
): void {
  if (unknown === undefined) return;
  for (const [key, values] of Object.entries(unknown)) {
    const fieldNumber = Number(key) >>> 3;
    const path = `${prefix}#${fieldNumber}`;
    if (fieldNumber <= knownFieldCount) {
      throw new SignalRejectedError('MALFORMED', `${path} has the wrong wire type`, path);
    }
    for (let i = 0; i < values.length; i++) dropped.push(path);
  }
}

/** The bare name of enum number `n`; 0 (`*_UNSPECIFIED`) is absent. */
function enumName(values: readonly string[], n: number): string | undefined {
  return n === 0 ? undefined : enumListItem(values, n);
}

/**
 * The bare name of enum number `n`. A number this schema does not know, or
 * an UNSPECIFIED inside a list, becomes its decimal string, which no enum
 * contains, so the validator rejects it as UNKNOWN_ENUM like any unknown
 * JSON value.
 */
function enumListItem(values: readonly string[], n: number): string {
  return values[n - 1] ?? String(n);
}

function enumNumber<T extends string>(values: readonly T[], value: T | undefined): number {
  return value === undefined ? 0 : values.indexOf(value) + 1;
}
