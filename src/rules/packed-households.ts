/**
 * Households' rule inputs packed into typed arrays over shared memory, so
 * that every worker of a backtest can evaluate rules on them: no copy per
 * worker, and none of the cost of a JSON round trip of millions of values.
 * Enum values travel as their index in the contract's list; ids as one
 * string with the end of each. A backtest's radar keeps its inputs packed
 * from the start (`RuleInputColumns`), one number of facts a signal rather
 * than an object.
 */
import { outOfRange } from '../at.js';
import { RadarError } from '../errors.js';
import { byContractOrder, sortRange } from '../sort-range.js';
import type { HouseholdInputs } from './evaluate.js';
import type { RuleInput } from './input.js';
import {
  CATEGORIES,
  REGIONS,
  SAFETY_LEVELS,
  SIGNAL_KINDS,
  SOURCES,
  VIOLENCE_TYPES,
  type ViolenceType,
} from '../signals/types.js';

export interface PackedHouseholds {
  /** Empty until named: see `Radar.packedRuleWork`. */
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
    if (index === undefined)
      throw new RadarError('VALUE_OUTSIDE_CONTRACT', `cannot pack ${this.what} ${value}`);
    return index;
  }

  /** The index, -1 for absent. */
  ofOptional(value: string | undefined): number {
    return value === undefined ? -1 : this.of(value);
  }
}

const KIND_INDEXES = new Indexes(SIGNAL_KINDS, 'kind');
const SOURCE_INDEXES = new Indexes(SOURCES, 'source');
const REGION_INDEXES = new Indexes(REGIONS, 'region');
const CATEGORY_INDEXES = new Indexes(CATEGORIES, 'category');
const SAFETY_INDEXES = new Indexes(SAFETY_LEVELS, 'safety');
const VIOLENCE_INDEXES = new Indexes(VIOLENCE_TYPES, 'violence type');

/** A violence type's index in the contract's list. */
export function violenceIndex(type: ViolenceType): number {
  return VIOLENCE_INDEXES.of(type);
}

/** A rule input's enum fields and flags in one number, laid out as the bit offsets above say. */
export function factsOf(input: RuleInput): number {
  return packFacts(
    KIND_INDEXES.of(input.kind),
    SOURCE_INDEXES.ofOptional(input.source),
    REGION_INDEXES.ofOptional(input.region),
    CATEGORY_INDEXES.ofOptional(input.category),
    SAFETY_INDEXES.of(input.safety),
    input.childrenPresent,
    input.substantiated,
    input.minorInvolved,
    input.elderInvolved,
  );
}

/**
 * `factsOf` from the enum values' indexes in the contract's lists, -1 for
 * an absent one: for a signal that was never made a `RuleInput`.
 */
export function packFacts(
  kind: number,
  source: number,
  region: number,
  category: number,
  safety: number,
  childrenPresent: boolean,
  substantiated: boolean,
  minorInvolved: boolean,
  elderInvolved: boolean,
): number {
  return (
    (kind << KIND) |
    ((source + 1) << SOURCE) |
    ((region + 1) << REGION) |
    ((category + 1) << CATEGORY) |
    (safety << SAFETY) |
    (childrenPresent ? CHILDREN_PRESENT : 0) |
    (substantiated ? SUBSTANTIATED : 0) |
    (minorInvolved ? MINOR_INVOLVED : 0) |
    (elderInvolved ? ELDER_INVOLVED : 0)
  );
}

/** Households' inputs packed as they come, each household's already in the contract's order. */
export function packHouseholds(households: readonly HouseholdInputs[]): PackedHouseholds {
  const columns = new RuleInputColumns();
  const ids: string[] = [];
  const starts = new Int32Array(households.length + 1);
  households.forEach((household, h) => {
    starts[h] = ids.length;
    for (const input of household.inputs) {
      columns.add(input);
      ids.push(input.id);
    }
  });
  starts[households.length] = ids.length;
  const rows = Int32Array.from(ids, (_, row) => row);
  return columns.packRows(
    { items: rows, starts },
    households.map((household) => household.id),
    ids,
  );
}

function optional<T>(list: readonly T[], index: number): T | undefined {
  return index === 0 ? undefined : list[index - 1];
}

/** The rule input a signal's packed facts stand for. */
export function inputOf(
  id: string,
  t: number,
  facts: number,
  violenceTypes: readonly ViolenceType[],
): RuleInput {
  // The same fields in the same order as a decoded signal's input: one shape for the evaluator.
  return {
    id,
    t,
    kind: SIGNAL_KINDS[twoBits(facts, KIND)],
    source: optional(SOURCES, (facts >> SOURCE) & 0b1111),
    region: optional(REGIONS, (facts >> REGION) & 0b11111),
    category: optional(CATEGORIES, (facts >> CATEGORY) & 0b111),
    safety: SAFETY_LEVELS[twoBits(facts, SAFETY)],
    childrenPresent: (facts & CHILDREN_PRESENT) !== 0,
    substantiated: (facts & SUBSTANTIATED) !== 0,
    violenceTypes,
    minorInvolved: (facts & MINOR_INVOLVED) !== 0,
    elderInvolved: (facts & ELDER_INVOLVED) !== 0,
  };
}

/** The two bits of `facts` from `shift` on: an index into a list of four, as kinds and safety levels are. */
function twoBits(facts: number, shift: number): 0 | 1 | 2 | 3 {
  return ((facts >> shift) & 0b11) as 0 | 1 | 2 | 3;
}

/** The violence type at `index` in the contract's list. */
function violenceType(index: number | undefined): ViolenceType {
  const type = index === undefined ? undefined : VIOLENCE_TYPES[index];
  if (type === undefined) {
    throw new RadarError('VALUE_OUTSIDE_CONTRACT', `no violence type has index ${index}`);
  }
  return type;
}

/** Violence types by index, `NONE` for none: a decoded signal shares no empty list either. */
export function violenceTypesOf(
  indexes: ArrayLike<number>,
  from: number,
  to: number,
): readonly ViolenceType[] {
  if (to === from) return NONE;
  const list = new Array<ViolenceType>(to - from);
  for (let k = from; k < to; k++) list[k - from] = violenceType(indexes[k]);
  return list;
}

export function unpackHouseholds(packed: PackedHouseholds): HouseholdInputs[] {
  return packed.householdIds.map((id, h) => ({ id, inputs: householdInputs(packed, h) }));
}

/** How many households are packed, named or not yet. */
export function householdCount(packed: PackedHouseholds): number {
  return packed.starts.length - 1;
}

/** Household h's rule inputs, in the contract's order. */
export function householdInputs(packed: PackedHouseholds, h: number): RuleInput[] {
  const { starts, t, facts, violenceEnds, violence } = packed;
  const start = starts[h] ?? outOfRange(starts, h);
  const inputs = new Array<RuleInput>((starts[h + 1] ?? outOfRange(starts, h + 1)) - start);
  for (let j = 0; j < inputs.length; j++) {
    const i = start + j;
    inputs[j] = inputOf(
      packedId(packed, i),
      t[i] ?? outOfRange(t, i),
      facts[i] ?? outOfRange(facts, i),
      violenceTypesOf(
        violence,
        i === 0 ? 0 : (violenceEnds[i - 1] ?? outOfRange(violenceEnds, i - 1)),
        violenceEnds[i] ?? outOfRange(violenceEnds, i),
      ),
    );
  }
  return inputs;
}

/** The id of input i. */
export function packedId({ ids, idEnds }: PackedHouseholds, i: number): string {
  return ids.slice(
    i === 0 ? 0 : (idEnds[i - 1] ?? outOfRange(idEnds, i - 1)),
    idEnds[i] ?? outOfRange(idEnds, i),
  );
}

/** Rows grouped into households, as `formHouseholds` gives them: group h holds `items[starts[h]..starts[h + 1])`. */
export interface RowGroups {
  readonly items: Int32Array;
  readonly starts: Int32Array;
}

/**
 * Signals' rule inputs kept as columns by row, packed facts and all, for a
 * radar that forms its households once: no object a signal while millions
 * arrive, and households packed for the workers straight from the columns.
 */
export class RuleInputColumns {
  private readonly times: number[] = [];
  private readonly facts: number[] = [];
  /** Where each row's violence types end in `violence`. */
  private readonly violenceEnds: number[] = [];
  private readonly violence: number[] = [];

  add(input: RuleInput): void {
    for (const type of input.violenceTypes) this.violence.push(VIOLENCE_INDEXES.of(type));
    this.addFacts(input.t, factsOf(input));
  }

  /** A row from facts already packed; its violence types, by index, pushed with `addViolence` before. */
  addFacts(t: number, facts: number): void {
    this.times.push(t);
    this.facts.push(facts);
    this.violenceEnds.push(this.violence.length);
  }

  addViolence(index: number): void {
    this.violence.push(index);
  }

  /**
   * The households' inputs packed, each household's in the contract's order
   * `<` (occurredAt, then id in code-unit order); `ids` gives each row's
   * signal id.
   */
  pack(households: RowGroups, householdIds: string[], ids: readonly string[]): PackedHouseholds {
    const { items, starts } = households;
    const { times } = this;
    const rows = items.slice();
    const inOrder = byContractOrder(times, ids);
    for (let h = 0; h + 1 < starts.length; h++) {
      const from = starts[h] ?? outOfRange(starts, h);
      sortRange(rows, from, starts[h + 1] ?? outOfRange(starts, h + 1), inOrder);
    }
    return this.packRows({ items: rows, starts }, householdIds, ids);
  }

  /** `pack` with each household's rows already in the order to pack them in. */
  packRows(
    households: RowGroups,
    householdIds: string[],
    ids: readonly string[],
  ): PackedHouseholds {
    const { items: rows, starts } = households;
    let violenceTypes = 0;
    for (const row of rows) violenceTypes += this.violenceCount(row);
    const packed: PackedHouseholds = {
      householdIds,
      starts: shared(Int32Array, starts.length),
      ids: '',
      idEnds: shared(Int32Array, rows.length),
      t: shared(Float64Array, rows.length),
      facts: shared(Int32Array, rows.length),
      violenceEnds: shared(Int32Array, rows.length),
      violence: shared(Uint8Array, violenceTypes),
    };
    packed.starts.set(starts);
    const idsInOrder = new Array<string>(rows.length);
    let idEnd = 0;
    let v = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] ?? outOfRange(rows, i);
      const id = ids[row] ?? outOfRange(ids, row);
      idsInOrder[i] = id;
      idEnd += id.length;
      packed.idEnds[i] = idEnd;
      packed.t[i] = this.times[row] ?? outOfRange(this.times, row);
      packed.facts[i] = this.facts[row] ?? outOfRange(this.facts, row);
      const violenceEnd = this.violenceEnds[row] ?? outOfRange(this.violenceEnds, row);
      for (let k = this.violenceStart(row); k < violenceEnd; k++) {
        packed.violence[v++] = this.violence[k] ?? outOfRange(this.violence, k);
      }
      packed.violenceEnds[i] = v;
    }
    packed.ids = idsInOrder.join('');
    return packed;
  }

  private violenceStart(row: number): number {
    return row === 0 ? 0 : (this.violenceEnds[row - 1] ?? outOfRange(this.violenceEnds, row - 1));
  }

  private violenceCount(row: number): number {
    return (this.violenceEnds[row] ?? outOfRange(this.violenceEnds, row)) - this.violenceStart(row);
  }
}
