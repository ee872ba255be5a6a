/**
 * Households' rule inputs packed into typed arrays over shared memory, so
 * that every worker of a backtest can evaluate rules on them: no copy per
 * worker, and none of the cost of a JSON round trip of millions of values.
 * Enum values travel as their index in the contract's list; ids as one
 * string with the end of each.
 */
import type { HouseholdInputs, RuleInput } from '../rules/index.js';
import {
  CATEGORIES,
  REGIONS,
  SAFETY_LEVELS,
  SIGNAL_KINDS,
  SOURCES,
  VIOLENCE_TYPES,
} from '../signals/types.js';

export interface PackedHouseholds {
  householdIds: string[];
  /** Where each household's inputs start, and one more entry where the last ends. */
  starts: Int32Array;
  /** Every input's id, one after the other. */
  ids: string;
  /** Where each input's id ends in `ids`. */
  idEnds: Int32Array;
  t: Float64Array;
  /** Enum indexes and flags, laid out as `FIELDS` says. */
  facts: Int32Array;
  /** Where each input's violence types end in `violence`. */
  violenceEnds: Int32Array;
  violence: Uint8Array;
}

/**
 * Bit offsets in `facts`. An optional enum is stored as its index plus one,
 * so 0 means absent.
 */
const KIND = 0;
const SOURCE = 2;
const REGION = 6;
const CATEGORY = 11;
const SAFETY = 14;
const CHILDREN_PRESENT = 1 << 16;
const SUBSTANTIATED = 1 << 17;
const MINOR_INVOLVED = 1 << 18;
const ELDER_INVOLVED = 1 << 19;

/** Shared by every input without violence types, as a decoded signal shares none. */
const NONE: readonly never[] = Object.freeze([]);

function shared<T>(
  Type: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new Type(new SharedArrayBuffer(Math.max(1, length) * Type.BYTES_PER_ELEMENT));
}

/** A list's indexes by value: a lookup instead of a scan of up to 26 strings per field per input. */
class Indexes {
  private readonly byValue: ReadonlyMap<string, number>;

  constructor(
    list: readonly string[],
    private readonly what: string,
  ) {
    this.byValue = new Map(list.map((value, index) => [value, index]));
  }

  of(value: string): number {
    const index = this.byValue.get(value);
    if (index === undefined) throw new TypeError(`cannot pack ${this.what} ${value}`);
    return index;
  }

  /** The index plus one, 0 for absent. */
  ofOptional(value: string | undefined): number {
    return value === undefined ? 0 : this.of(value) + 1;
  }
}

const KIND_INDEXES = new Indexes(SIGNAL_KINDS, 'kind');
const SOURCE_INDEXES = new Indexes(SOURCES, 'source');
const REGION_INDEXES = new Indexes(REGIONS, 'region');
const CATEGORY_INDEXES = new Indexes(CATEGORIES, 'category');
const SAFETY_INDEXES = new Indexes(SAFETY_LEVELS, 'safety');
const VIOLENCE_INDEXES = new Indexes(VIOLENCE_TYPES, 'violence type');

function factsOf(input: RuleInput): number {
  return (
    (KIND_INDEXES.of(input.kind) << KIND) |
    (SOURCE_INDEXES.ofOptional(input.source) << SOURCE) |
    (REGION_INDEXES.ofOptional(input.region) << REGION) |
    (CATEGORY_INDEXES.ofOptional(input.category) << CATEGORY) |
    (SAFETY_INDEXES.of(input.safety) << SAFETY) |
    (input.childrenPresent ? CHILDREN_PRESENT : 0) |
    (input.substantiated ? SUBSTANTIATED : 0) |
    (input.minorInvolved ? MINOR_INVOLVED : 0) |
    (input.elderInvolved ? ELDER_INVOLVED : 0)
  );
}

export function packHouseholds(households: readonly HouseholdInputs[]): PackedHouseholds {
  let inputs = 0;
  let violenceTypes = 0;
  for (const household of households) {
    inputs += household.inputs.length;
    for (const input of household.inputs) violenceTypes += input.violenceTypes.length;
  }
  const packed: PackedHouseholds = {
    householdIds: new Array<string>(households.length),
    starts: shared(Int32Array, households.length + 1),
    ids: '',
    idEnds: shared(Int32Array, inputs),
    t: shared(Float64Array, inputs),
    facts: shared(Int32Array, inputs),
    violenceEnds: shared(Int32Array, inputs),
    violence: shared(Uint8Array, violenceTypes),
  };
  const ids = new Array<string>(inputs);
  let i = 0;
  let idEnd = 0;
  let v = 0;
  households.forEach((household, h) => {
    packed.householdIds[h] = household.id;
    packed.starts[h] = i;
    for (const input of household.inputs) {
      ids[i] = input.id;
      idEnd += input.id.length;
      packed.idEnds[i] = idEnd;
      packed.t[i] = input.t;
      packed.facts[i] = factsOf(input);
      for (const type of input.violenceTypes) {
        packed.violence[v++] = VIOLENCE_INDEXES.of(type);
      }
      packed.violenceEnds[i] = v;
      i++;
    }
  });
  packed.starts[households.length] = i;
  packed.ids = ids.join('');
  return packed;
}

function optional<T>(list: readonly T[], index: number): T | undefined {
  return index === 0 ? undefined : list[index - 1];
}

export function unpackHouseholds(packed: PackedHouseholds): HouseholdInputs[] {
  const { starts, idEnds, t, facts, violenceEnds, violence } = packed;
  return packed.householdIds.map((id, h) => {
    const inputs = new Array<RuleInput>(starts[h + 1]! - starts[h]!);
    for (let j = 0; j < inputs.length; j++) {
      const i = starts[h]! + j;
      const f = facts[i]!;
      const violenceStart = i === 0 ? 0 : violenceEnds[i - 1]!;
      const count = violenceEnds[i]! - violenceStart;
      let violenceTypes: readonly (typeof VIOLENCE_TYPES)[number][] = NONE;
      if (count > 0) {
        const list = new Array<(typeof VIOLENCE_TYPES)[number]>(count);
        for (let k = 0; k < count; k++) list[k] = VIOLENCE_TYPES[violence[violenceStart + k]!]!;
        violenceTypes = list;
      }
      // The same fields in the same order as a decoded signal's input: one shape for the evaluator.
      inputs[j] = {
        id: packed.ids.slice(i === 0 ? 0 : idEnds[i - 1]!, idEnds[i]!),
        t: t[i]!,
        kind: SIGNAL_KINDS[(f >> KIND) & 0b11]!,
        source: optional(SOURCES, (f >> SOURCE) & 0b1111),
        region: optional(REGIONS, (f >> REGION) & 0b11111),
        category: optional(CATEGORIES, (f >> CATEGORY) & 0b111),
        safety: SAFETY_LEVELS[(f >> SAFETY) & 0b11]!,
        childrenPresent: (f & CHILDREN_PRESENT) !== 0,
        substantiated: (f & SUBSTANTIATED) !== 0,
        violenceTypes,
        minorInvolved: (f & MINOR_INVOLVED) !== 0,
        elderInvolved: (f & ELDER_INVOLVED) !== 0,
      };
    }
    return { id, inputs };
  });
}
