/**
 * A prepared signal as plain JSON-able arrays, to hand it from a decode
 * worker to the engine's thread. Structured clone of the objects costs more
 * than decoding the signal did; one `JSON.parse` of a batch of these costs a
 * fraction. Enum values travel as their index in the contract's list, so
 * the engine's thread shares one copy of each name.
 */
import { newGraphSignal, type IdentityKeys } from '../graph/model.js';
import {
  CATEGORIES,
  REGIONS,
  RELATION_TYPES,
  SAFETY_LEVELS,
  SIGNAL_KINDS,
  SOURCES,
  VIOLENCE_TYPES,
  type Relation,
} from '../signals/types.js';
import type { PreparedSignal } from './prepare.js';

type Wire = (string | number | null | readonly (string | number | null)[])[];

function indexIn(list: readonly string[], value: string | undefined): number | null {
  return value === undefined ? null : list.indexOf(value);
}

function at<T extends string>(list: readonly T[], index: number | null): T | undefined {
  return index === null ? undefined : list[index];
}

export function toWire(prepared: PreparedSignal): Wire {
  const { id, fingerprint, retracts, rule, graph } = prepared;
  if (rule === undefined || graph === undefined) return [id, fingerprint, retracts];
  const relations: (string | number)[] = [];
  for (const r of graph.relations) relations.push(r.from, r.to, RELATION_TYPES.indexOf(r.type));
  const keys: (string | null)[] = [];
  for (const record of graph.records) {
    keys.push(record.ref, record.bsn ?? null, record.nameKey ?? null, record.initial ?? null);
  }
  return [
    id,
    fingerprint,
    retracts,
    rule.t,
    SIGNAL_KINDS.indexOf(rule.kind),
    indexIn(SOURCES, rule.source),
    indexIn(REGIONS, rule.region),
    indexIn(CATEGORIES, rule.category),
    SAFETY_LEVELS.indexOf(rule.safety),
    rule.childrenPresent ? 1 : 0,
    rule.substantiated ? 1 : 0,
    rule.violenceTypes.map((v) => VIOLENCE_TYPES.indexOf(v)),
    rule.minorInvolved ? 1 : 0,
    rule.elderInvolved ? 1 : 0,
    graph.addressKey ?? null,
    relations,
    keys,
  ];
}

export function fromWire(wire: unknown[]): PreparedSignal {
  const id = wire[0] as string;
  const fingerprint = wire[1] as number;
  const retracts = wire[2] as string[];
  if (wire.length === 3) return { id, fingerprint, retracts, rule: undefined, graph: undefined };
  const t = wire[3] as number;
  const flatRelations = wire[15] as (string | number)[];
  const relations: Relation[] = new Array<Relation>(flatRelations.length / 3);
  for (let i = 0; i < relations.length; i++) {
    relations[i] = {
      from: flatRelations[i * 3] as string,
      to: flatRelations[i * 3 + 1] as string,
      type: RELATION_TYPES[flatRelations[i * 3 + 2] as number]!,
    };
  }
  const keys = (wire[16] as (string | null)[]).map((k) => k ?? undefined) as IdentityKeys;
  return {
    id,
    fingerprint,
    retracts,
    rule: {
      id,
      t,
      kind: SIGNAL_KINDS[wire[4] as number]!,
      source: at(SOURCES, wire[5] as number | null),
      region: at(REGIONS, wire[6] as number | null),
      category: at(CATEGORIES, wire[7] as number | null),
      safety: SAFETY_LEVELS[wire[8] as number]!,
      childrenPresent: wire[9] === 1,
      substantiated: wire[10] === 1,
      violenceTypes: (wire[11] as number[]).map((v) => VIOLENCE_TYPES[v]!),
      minorInvolved: wire[12] === 1,
      elderInvolved: wire[13] === 1,
    },
    graph: newGraphSignal(id, t, relations, (wire[14] as string | null) ?? undefined, keys),
  };
}
