/**
 * Prepared signals as one flat JSON-able array, to hand a batch of them from
 * a decode worker to the engine's thread. Structured clone of the objects
 * costs more than decoding the signals did, and one `JSON.parse` of a flat
 * array costs a third less than of an array per signal. Enum values travel
 * as their index in the contract's list, so the engine's thread shares one
 * copy of each name; absent values travel as `null`.
 *
 * Per signal: id, fingerprint, retraction count, the retracted ids, then 0
 * for a withdrawal, or 1 followed by the rule facts, the address key,
 * relation count and relations (from, to, type), and person count and
 * identity keys (ref, BSN, name key, initial).
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

export type WireValue = string | number | null;

/**
 * Shared by every signal without retractions, relations or violence types,
 * most of them: an empty list per signal is one more object to collect.
 */
const NONE: readonly never[] = Object.freeze([]);

function indexIn(list: readonly string[], value: string | undefined): number | null {
  return value === undefined ? null : list.indexOf(value);
}

/** Appends the wire form of `prepared` to `out`. */
export function writeWire(prepared: PreparedSignal, out: WireValue[]): void {
  const { id, fingerprint, retracts, rule, graph } = prepared;
  out.push(id, fingerprint, retracts.length, ...retracts);
  if (rule === undefined || graph === undefined) {
    out.push(0);
    return;
  }
  out.push(
    1,
    rule.t,
    SIGNAL_KINDS.indexOf(rule.kind),
    indexIn(SOURCES, rule.source),
    indexIn(REGIONS, rule.region),
    indexIn(CATEGORIES, rule.category),
    SAFETY_LEVELS.indexOf(rule.safety),
    rule.childrenPresent ? 1 : 0,
    rule.substantiated ? 1 : 0,
    rule.minorInvolved ? 1 : 0,
    rule.elderInvolved ? 1 : 0,
    rule.violenceTypes.length,
  );
  for (const v of rule.violenceTypes) out.push(VIOLENCE_TYPES.indexOf(v));
  out.push(graph.addressKey ?? null, graph.relations.length);
  for (const r of graph.relations) out.push(r.from, r.to, RELATION_TYPES.indexOf(r.type));
  out.push(graph.records.length);
  for (const record of graph.records) {
    out.push(record.ref, record.bsn ?? null, record.nameKey ?? null, record.initial ?? null);
  }
}

/** Reads prepared signals back, in the order they were written, from one wire array. */
export class WireReader {
  private at = 0;

  constructor(private readonly wire: readonly WireValue[]) {}

  get done(): boolean {
    return this.at >= this.wire.length;
  }

  read(): PreparedSignal {
    const id = this.string();
    const fingerprint = this.number();
    const retracts = this.list(() => this.string());
    if (this.number() === 0)
      return { id, fingerprint, retracts, rule: undefined, graph: undefined };
    const t = this.number();
    const kind = SIGNAL_KINDS[this.number()]!;
    const source = this.oneOf(SOURCES);
    const region = this.oneOf(REGIONS);
    const category = this.oneOf(CATEGORIES);
    const safety = SAFETY_LEVELS[this.number()]!;
    const childrenPresent = this.number() === 1;
    const substantiated = this.number() === 1;
    const minorInvolved = this.number() === 1;
    const elderInvolved = this.number() === 1;
    const violenceTypes = this.list(() => VIOLENCE_TYPES[this.number()]!);
    const addressKey = this.optionalString();
    const relations = this.list<Relation>(() => ({
      from: this.string(),
      to: this.string(),
      type: RELATION_TYPES[this.number()]!,
    }));
    const keys = new Array<string | undefined>(this.number() * 4);
    for (let i = 0; i < keys.length; i++) keys[i] = this.optionalString();
    return {
      id,
      fingerprint,
      retracts,
      rule: {
        id,
        t,
        kind,
        source,
        region,
        category,
        safety,
        childrenPresent,
        substantiated,
        violenceTypes,
        minorInvolved,
        elderInvolved,
      },
      graph: newGraphSignal(id, t, relations, addressKey, keys as IdentityKeys),
    };
  }

  /** A count, then that many items. */
  private list<T>(item: () => T): readonly T[] {
    const count = this.number();
    if (count === 0) return NONE;
    const list = new Array<T>(count);
    for (let i = 0; i < count; i++) list[i] = item();
    return list;
  }

  private number(): number {
    return this.wire[this.at++] as number;
  }

  private string(): string {
    return this.wire[this.at++] as string;
  }

  private optionalString(): string | undefined {
    return (this.wire[this.at++] as string | null) ?? undefined;
  }

  private oneOf<T extends string>(list: readonly T[]): T | undefined {
    const index = this.wire[this.at++] as number | null;
    return index === null ? undefined : list[index];
  }
}
