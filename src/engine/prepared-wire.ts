/**
 * Prepared signals packed for the trip from a decode worker to the engine's
 * thread: every number in one `Float64Array` (transferred, not copied),
 * every string in one text with the lengths beside the numbers. Structured
 * clone of the objects costs more than decoding the signals did, and even
 * a flat JSON array took as long to parse again as half a signal's
 * decoding; this reads back at the cost of one slice per string. Enum
 * values travel as their index in the contract's list, so the engine's
 * thread shares one copy of each name; absent values travel as -1.
 *
 * Per signal, numbers: fingerprint, retraction count, then 0 for a
 * withdrawal, or 1 followed by the rule facts, relation count and relation
 * types, and person count. Strings: id, the retracted ids, then for a
 * report the address key, relations (from, to) and identity keys (ref,
 * BSN, name key, initial). Each string's length goes with the numbers,
 * just before the number that follows the string in this order.
 */
import type { IdentityKeys } from '../graph/model.js';
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

/** What crosses the thread: `numbers` can be transferred. */
export interface WireSignals {
  readonly numbers: Float64Array<ArrayBuffer>;
  readonly text: string;
}

/**
 * Shared by every signal without retractions, relations or violence types,
 * most of them: an empty list per signal is one more object to collect.
 */
const NONE: readonly never[] = Object.freeze([]);

const ABSENT = -1;

function indexIn(list: readonly string[], value: string | undefined): number {
  return value === undefined ? ABSENT : list.indexOf(value);
}

/** Numbers appended to a typed array that doubles as it fills: no array of boxed numbers to copy at the end. */
class NumberBuffer {
  private array = new Float64Array(1024);
  private length = 0;

  push(value: number): void {
    if (this.length === this.array.length) {
      const grown = new Float64Array(2 * this.length);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = value;
  }

  /** The numbers pushed, in an array of their own. */
  finish(): Float64Array<ArrayBuffer> {
    return this.array.slice(0, this.length);
  }
}

/** Packs prepared signals, in order, for `WireReader`. */
export class WireWriter {
  private readonly numbers = new NumberBuffer();
  private readonly strings: string[] = [];

  write(prepared: PreparedSignal): void {
    const { id, fingerprint, retracts, rule, graph } = prepared;
    const numbers = this.numbers;
    this.string(id);
    numbers.push(fingerprint);
    numbers.push(retracts.length);
    for (const target of retracts) this.string(target);
    if (rule === undefined || graph === undefined) {
      numbers.push(0);
      return;
    }
    numbers.push(1);
    numbers.push(rule.t);
    numbers.push(SIGNAL_KINDS.indexOf(rule.kind));
    numbers.push(indexIn(SOURCES, rule.source));
    numbers.push(indexIn(REGIONS, rule.region));
    numbers.push(indexIn(CATEGORIES, rule.category));
    numbers.push(SAFETY_LEVELS.indexOf(rule.safety));
    numbers.push(rule.childrenPresent ? 1 : 0);
    numbers.push(rule.substantiated ? 1 : 0);
    numbers.push(rule.minorInvolved ? 1 : 0);
    numbers.push(rule.elderInvolved ? 1 : 0);
    numbers.push(rule.violenceTypes.length);
    for (const v of rule.violenceTypes) numbers.push(VIOLENCE_TYPES.indexOf(v));
    this.string(graph.addressKey);
    numbers.push(graph.relations.length);
    for (const r of graph.relations) {
      this.string(r.from);
      this.string(r.to);
      numbers.push(RELATION_TYPES.indexOf(r.type));
    }
    const { keys } = graph;
    numbers.push(keys.length / 4);
    for (let i = 0; i < keys.length; i++) this.string(keys[i]);
  }

  /** Everything written so far; the writer is spent. */
  finish(): WireSignals {
    return { numbers: this.numbers.finish(), text: this.strings.join('') };
  }

  private string(value: string | undefined): void {
    if (value === undefined) {
      this.numbers.push(ABSENT);
    } else {
      this.numbers.push(value.length);
      this.strings.push(value);
    }
  }
}

/** Reads prepared signals back, in the order they were written. */
export class WireReader {
  private at = 0;
  private textAt = 0;
  private readonly numbers: Float64Array;
  private readonly text: string;

  constructor({ numbers, text }: WireSignals) {
    this.numbers = numbers;
    this.text = text;
  }

  get done(): boolean {
    return this.at >= this.numbers.length;
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
      graph: { t, relations, addressKey, keys: keys as IdentityKeys },
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
    return this.numbers[this.at++]!;
  }

  private string(): string {
    const value = this.optionalString();
    if (value === undefined) throw new Error('a string is missing from the wire');
    return value;
  }

  private optionalString(): string | undefined {
    const length = this.number();
    if (length === ABSENT) return undefined;
    const from = this.textAt;
    this.textAt += length;
    return this.text.slice(from, this.textAt);
  }

  private oneOf<T extends string>(list: readonly T[]): T | undefined {
    const index = this.number();
    return index === ABSENT ? undefined : list[index];
  }
}
