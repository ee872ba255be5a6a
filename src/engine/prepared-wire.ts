/**
 * Prepared signals packed for the trip from a decode worker to the engine's
 * thread: every number in one `Float64Array`, every name and address key as
 * UTF-16 code units in one `KeyStore` array (both transferred, not copied),
 * every other string in one text with the lengths beside the numbers.
 * Structured clone of the objects costs more than decoding the signals did;
 * this reads back at the cost of one slice per string, and a radar that
 * forms its households once reads a signal straight into its columns
 * (`bodyInto`), its keys copied in bulk with the hashes taken here.
 *
 * Per signal, numbers: fingerprint, retraction count, then 0 for a
 * withdrawal, or 1 followed by the time, the packed rule facts, the
 * violence types, the address key (its length in units, or -1, then its
 * hash), relation count and relation types, and per person record its
 * valid BSN as a number or -1, its name key as the address key, and its
 * first initial as 0 to 25 or -1. Strings: id, the retracted ids, then for
 * a report the relations (from, to) and each record's ref. Each string's
 * length goes with the numbers, just before the number that follows the
 * string in this order.
 */
import { at, outOfRange } from '../at.js';
import { NumberBuffer } from '../number-buffer.js';
import { letterIndex, type HouseholdColumns } from '../graph/household-columns.js';
import { KeyStore, type KeyUnits } from '../graph/key-store.js';
import type { GraphInput } from '../graph/model.js';
import { firstInitialIndex, pushAddressKey, pushNameKey } from '../graph/normalize.js';
import { ELDER_INVOLVED, MINOR_INVOLVED, involvement } from '../rules/input.js';
import {
  factsOf,
  inputOf,
  packFacts,
  violenceIndex,
  violenceTypesOf,
  type RuleInputColumns,
} from '../rules/packed-households.js';
import { plainFingerprint } from '../signals/fingerprint.js';
import { PERSON_SPAN, PERSON_SPANS, type PlainLine } from '../signals/json-fast-path.js';
import { RELATION_TYPES, type Relation } from '../signals/types.js';
import type { PreparedSignal } from './prepare.js';

/** What crosses the thread: `numbers` and `units` can be transferred. */
export interface WireSignals {
  readonly numbers: Float64Array<ArrayBuffer>;
  readonly units: KeyUnits<ArrayBuffer>;
  readonly text: string;
}

/**
 * Shared by every signal without retractions or relations, most of them:
 * an empty list per signal is one more object to collect.
 */
const NONE: readonly never[] = Object.freeze([]);

const ABSENT = -1;
const LETTER_A = 0x61;

/** Packs prepared signals, in order, for `WireReader`. */
export class WireWriter {
  private readonly numbers = new NumberBuffer();
  private readonly keys = new KeyStore();
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
    numbers.push(factsOf(rule));
    numbers.push(rule.violenceTypes.length);
    for (const type of rule.violenceTypes) numbers.push(violenceIndex(type));
    this.key(graph.addressKey);
    numbers.push(graph.relations.length);
    for (const r of graph.relations) {
      this.string(r.from);
      this.string(r.to);
      numbers.push(RELATION_TYPES.indexOf(r.type));
    }
    const { keys } = graph;
    numbers.push(keys.length / 4);
    for (let i = 0; i < keys.length; i += 4) {
      const bsn = keys[i + 1];
      const initial = keys[i + 3];
      this.string(keys[i]);
      numbers.push(bsn === undefined ? ABSENT : Number(bsn));
      this.key(keys[i + 2]);
      numbers.push(initial === undefined ? ABSENT : letterIndex(initial));
    }
  }

  /**
   * A line the JSON fast path read, packed as `write` packs the prepared
   * signal of the line's signal, without making the signal, the prepared
   * signal or their keys as objects: name and address keys go from the
   * line's bytes into the key store.
   */
  writePlain(line: PlainLine): void {
    const numbers = this.numbers;
    const { bytes, personSpans: spans } = line;
    this.string(line.id);
    numbers.push(plainFingerprint(line));
    numbers.push(line.retractCount);
    for (let i = 0; i < line.retractCount; i++) this.string(line.retracts[i]);
    numbers.push(1);
    numbers.push(line.t);
    const ages = involvement(line.t, line.birthDates, line.persons);
    numbers.push(
      packFacts(
        line.kind,
        line.source,
        line.region,
        line.category,
        line.safety,
        line.childrenPresent,
        line.substantiated,
        (ages & MINOR_INVOLVED) !== 0,
        (ages & ELDER_INVOLVED) !== 0,
      ),
    );
    numbers.push(line.violenceCount);
    for (let i = 0; i < line.violenceCount; i++) {
      numbers.push(line.violenceTypes[i] ?? outOfRange(line.violenceTypes, i));
    }
    const address = this.keys.end;
    this.pushedKey(address, pushAddressKey(this.keys, bytes, line.addressSpans, line.houseNumber));
    numbers.push(line.relations);
    for (let i = 0; i < line.relations; i++) {
      this.string(line.relationFroms[i]);
      this.string(line.relationTos[i]);
      numbers.push(line.relationTypes[i] ?? outOfRange(line.relationTypes, i));
    }
    numbers.push(line.persons);
    for (let i = 0; i < line.persons; i++) {
      this.string(line.refs[i]);
      numbers.push(line.bsnNumbers[i] ?? outOfRange(line.bsnNumbers, i));
      const at = PERSON_SPANS * i;
      const family = at + PERSON_SPAN.familyName;
      const initials = at + PERSON_SPAN.initials;
      const name = this.keys.end;
      this.pushedKey(
        name,
        pushNameKey(
          this.keys,
          bytes,
          spans[family] ?? outOfRange(spans, family),
          spans[family + 1] ?? outOfRange(spans, family + 1),
          line.birthDates[i],
        ),
      );
      numbers.push(
        firstInitialIndex(
          bytes,
          spans[initials] ?? outOfRange(spans, initials),
          spans[initials + 1] ?? outOfRange(spans, initials + 1),
        ),
      );
    }
  }

  /** Everything written so far; the writer is spent. */
  finish(): WireSignals {
    return {
      numbers: this.numbers.finish(),
      units: this.keys.copy(),
      text: this.strings.join(''),
    };
  }

  private string(value: string | undefined): void {
    if (value === undefined) throw new Error('a string is missing from a prepared signal');
    this.numbers.push(value.length);
    this.strings.push(value);
  }

  /** `key` of a key pushed into the store from `from` on, or of none. */
  private pushedKey(from: number, pushed: boolean): void {
    if (!pushed) {
      this.numbers.push(ABSENT);
      return;
    }
    this.numbers.push(this.keys.end - from);
    this.numbers.push(this.keys.hashSince(from));
  }

  private key(value: string | undefined): void {
    if (value === undefined) {
      this.numbers.push(ABSENT);
      return;
    }
    this.numbers.push(value.length);
    this.numbers.push(this.keys.add(value));
  }
}

/** A signal's id, fingerprint and retractions: what `WireReader.head` reads first. */
export interface WireHead {
  readonly id: string;
  readonly fingerprint: number;
  readonly retracts: readonly string[];
}

/**
 * Reads prepared signals back, in the order they were written: whole with
 * `read`, or in two steps, `head` and then `body` or `bodyInto`.
 */
export class WireReader {
  private at = 0;
  private textAt = 0;
  private unitsAt = 0;
  /** The hash of the key `keyLength` read last. */
  private hash = 0;
  /** Where `bodyInto` had the columns take this wire's keys, -1 before. */
  private keysAt = -1;
  private readonly numbers: Float64Array;
  private readonly units: KeyUnits;
  private readonly text: string;

  constructor({ numbers, units, text }: WireSignals) {
    this.numbers = numbers;
    this.units = units;
    this.text = text;
  }

  get done(): boolean {
    return this.at >= this.numbers.length;
  }

  read(): PreparedSignal {
    const { id, fingerprint, retracts } = this.head();
    return { id, fingerprint, retracts, ...this.body(id) };
  }

  head(): WireHead {
    // A string of its own, not a slice of the wire's text: V8 makes a slice of 13 characters or
    // more a view that keeps the whole text alive, and a radar keeps every id it accepts, so it
    // would keep every batch's text with them (at 18-character ids, two thirds more than the ids).
    const id = ownString(this.string());
    const fingerprint = this.number();
    const retracts = this.list(() => this.string());
    return { id, fingerprint, retracts };
  }

  /** The rest of the signal whose `head` was just read: undefined parts for a withdrawal. */
  body(id: string): Pick<PreparedSignal, 'rule' | 'graph'> {
    if (this.number() === 0) return { rule: undefined, graph: undefined };
    const t = this.number();
    const facts = this.number();
    const violence = this.number();
    const violenceTypes = violenceTypesOf(this.numbers, this.at, this.at + violence);
    this.at += violence;
    const addressKey = this.keyText();
    const relations = this.list<Relation>(() => ({
      from: this.string(),
      to: this.string(),
      type: at(RELATION_TYPES, this.number()),
    }));
    const keys = new Array<string | undefined>(this.number() * 4);
    for (let i = 0; i < keys.length; i += 4) {
      keys[i] = this.string();
      const bsn = this.number();
      keys[i + 1] = bsn === ABSENT ? undefined : String(bsn).padStart(9, '0');
      keys[i + 2] = this.keyText();
      const initial = this.number();
      keys[i + 3] = initial === ABSENT ? undefined : String.fromCharCode(LETTER_A + initial);
    }
    const graph: GraphInput = { t, relations, addressKey, keys };
    return { rule: inputOf(id, t, facts, violenceTypes), graph };
  }

  /**
   * The rest of the signal whose `head` was just read, as the next row of
   * both column sets (the households' only when the rule inputs are not
   * kept); false, and nothing added, for a withdrawal.
   */
  bodyInto(id: string, columns: HouseholdColumns, inputs: RuleInputColumns | undefined): boolean {
    if (this.number() === 0) return false;
    const t = this.number();
    const facts = this.number();
    const violence = this.number();
    if (inputs === undefined) this.at += violence;
    else {
      for (let i = 0; i < violence; i++) inputs.addViolence(this.number());
      inputs.addFacts(t, facts);
    }
    const address = this.keyLength();
    if (this.keysAt === -1) this.keysAt = columns.takeKeys(this.units);
    columns.startRow(id, t, this.keysAt + this.unitsAt, address, this.hash);
    this.skipUnits(address);
    for (let count = this.number(); count > 0; count--) {
      this.skipString();
      this.skipString();
      this.at++;
    }
    for (let count = this.number(); count > 0; count--) {
      this.skipString();
      const bsn = this.number();
      const name = this.keyLength();
      const nameAt = this.unitsAt;
      this.skipUnits(name);
      columns.addRecord(bsn, this.keysAt + nameAt, name, this.hash, this.number());
    }
    columns.endRow();
    return true;
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
    const at = this.at++;
    return this.numbers[at] ?? outOfRange(this.numbers, at);
  }

  private string(): string {
    const length = this.number();
    const from = this.textAt;
    this.textAt += length;
    return this.text.slice(from, this.textAt);
  }

  private skipString(): void {
    this.textAt += this.number();
  }

  /** A key's length in units, or -1 for none; its hash, if any, goes to `hash`. */
  private keyLength(): number {
    const length = this.number();
    this.hash = length === ABSENT ? 0 : this.number();
    return length;
  }

  private skipUnits(length: number): void {
    if (length !== ABSENT) this.unitsAt += length;
  }

  private keyText(): string | undefined {
    const length = this.keyLength();
    if (length === ABSENT) return undefined;
    const from = this.unitsAt;
    this.unitsAt += length;
    return KeyStore.textOf(this.units, from, this.unitsAt);
  }
}

/** A copy of `s` that shares nothing with the string it was sliced from: UTF-16 code units round-trip exactly. */
function ownString(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}
