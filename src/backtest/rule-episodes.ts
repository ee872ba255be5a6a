/**
 * A backtest's indicators in two passes over the packed households. The
 * first finds every rule's episodes, household by household, and keeps them
 * as numbers; the second makes each rule's indicators one at a time, in the
 * order they are written, and turns each into its line at once.
 *
 * Why not evaluate each rule across every household, as the radar does: a
 * rule's indicators then all lived, explanations and all, until the rule was
 * sorted and written, and so did an object for every signal's rule input;
 * every collection on the way copied them. Here a household's inputs live
 * while it is evaluated, an indicator while its line is made, and the first
 * pass shares out households rather than whole rules.
 */
import { at, outOfRange } from '../at.js';
import type { Radar } from '../engine/index.js';
import type { CompiledRule, Episode, Indicator, RuleInput } from '../rules/index.js';
import type { Point } from '../rules/order.js';
import {
  householdCount,
  householdInputs,
  packedId,
  type PackedHouseholds,
} from '../rules/packed-households.js';
import { radixSort } from '../graph/key-groups.js';
import { orderedHouseholdLines, ruleIndicatorLine } from './format.js';
import { ruleIndicatorWriter } from './indicator-bytes.js';
import type { Utf8Writer } from './utf8-writer.js';

/** One thread's episodes of one rule, as columns in shared memory: one entry an episode. */
export interface EpisodeList {
  households: Int32Array;
  /** The packed index of the input of the episode's first firing point: its raisedAt and id. */
  firstInputs: Int32Array;
  first: Int32Array;
  from: Int32Array;
  last: Int32Array;
  values: Float64Array;
  /**
   * For a rule on indicators, whose first firing points are indicators of
   * other rules and no input (`firstInputs` holds -1): each one's raisedAt
   * and indicatorId. Empty for a rule on signals.
   */
  firstTimes: Float64Array;
  firstIds: string[];
}

function sharedCopy<T extends Int32Array | Float64Array>(
  Type: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  values: readonly number[],
): T {
  const array = new Type(new SharedArrayBuffer(values.length * Type.BYTES_PER_ELEMENT));
  array.set(values);
  return array;
}

class EpisodeColumns {
  readonly households: number[] = [];
  readonly firstInputs: number[] = [];
  readonly first: number[] = [];
  readonly from: number[] = [];
  readonly last: number[] = [];
  readonly values: number[] = [];
  readonly firstTimes: number[] = [];
  readonly firstIds: string[] = [];

  add(household: number, firstInput: number, episode: Episode): void {
    this.households.push(household);
    this.firstInputs.push(firstInput);
    this.first.push(episode.first);
    this.from.push(episode.from);
    this.last.push(episode.last);
    this.values.push(episode.value);
  }

  shared(): EpisodeList {
    return {
      households: sharedCopy(Int32Array, this.households),
      firstInputs: sharedCopy(Int32Array, this.firstInputs),
      first: sharedCopy(Int32Array, this.first),
      from: sharedCopy(Int32Array, this.from),
      last: sharedCopy(Int32Array, this.last),
      values: sharedCopy(Float64Array, this.values),
      firstTimes: sharedCopy(Float64Array, this.firstTimes),
      firstIds: this.firstIds,
    };
  }
}

/** The first pass, over whichever households this thread is given. */
export class EpisodeFinder {
  private readonly columns: EpisodeColumns[];
  private household = 0;
  private sorted: readonly RuleInput[] = [];
  /** Each rule with the callback its episodes go to. */
  private readonly work: {
    rule: CompiledRule;
    found: (first: Point, episode: Episode) => void;
  }[];

  constructor(
    rules: readonly CompiledRule[],
    private readonly packed: PackedHouseholds,
  ) {
    this.columns = rules.map(() => new EpisodeColumns());
    // One callback a rule, made once, rather than a closure a household and rule.
    this.work = rules.map((rule, r) => {
      const columns = at(this.columns, r);
      if (rule.onIndicators) {
        return {
          rule,
          found: (first: Point, episode: Episode) => {
            columns.firstTimes.push(first.t);
            columns.firstIds.push(first.id);
            columns.add(this.household, -1, episode);
          },
        };
      }
      return {
        rule,
        found: (first: Point, episode: Episode) => {
          const input =
            (this.packed.starts[this.household] ?? outOfRange(this.packed.starts, this.household)) +
            this.sorted.indexOf(first as RuleInput);
          columns.add(this.household, input, episode);
        },
      };
    });
  }

  /** Every rule's episodes in households `from` up to `to`. */
  find(from: number, to: number): void {
    for (let h = from; h < to; h++) {
      this.household = h;
      this.sorted = householdInputs(this.packed, h);
      for (const { rule, found } of this.work) rule.episodes(this.sorted, found);
    }
    this.sorted = [];
  }

  /** What was found, a list a rule, in shared memory. */
  finish(): EpisodeList[] {
    return this.columns.map((columns) => columns.shared());
  }
}

/** Households handed out in blocks, so that threads finding episodes side by side end together. */
const HOUSEHOLD_BLOCK = 1024;

/** Finds episodes in blocks claimed from `next` (shared by every thread) until none is left. */
export function findClaimedEpisodes(finder: EpisodeFinder, next: Int32Array, count: number): void {
  for (;;) {
    const from = Atomics.add(next, 0, HOUSEHOLD_BLOCK);
    if (from >= count) return;
    finder.find(from, Math.min(count, from + HOUSEHOLD_BLOCK));
  }
}

/** Lines are made in parts of at most this many indicators, so that threads making them side by side end together. */
export const PART_INDICATORS = 4096;

/** Indicators `from` up to `to`, in write order, of rule `rule`: a piece of the second pass one thread makes. */
export interface LinePart {
  readonly rule: number;
  readonly from: number;
  readonly to: number;
}

/** Every rule's lines cut into parts, in the order written; `lists[n][r]` is thread n's episodes of rule r. */
export function lineParts(
  lists: readonly (readonly EpisodeList[])[],
  rules: number,
  size = PART_INDICATORS,
): LinePart[] {
  const parts: LinePart[] = [];
  for (let rule = 0; rule < rules; rule++) {
    let count = 0;
    for (const list of lists) count += at(list, rule).households.length;
    for (let from = 0; from < count; from += size) {
      parts.push({ rule, from, to: Math.min(count, from + size) });
    }
  }
  return parts;
}

/**
 * The second pass for one rule: the episodes every thread found, in the
 * order `indicatorLines` writes their indicators: by raisedAt, then by id,
 * which within one rule is the id of the first firing signal (no signal
 * starts two episodes of one rule).
 */
export class RuleEpisodes {
  /** Entries in write order; entry e is episode `ks[e]` of list `listOf[e]`. */
  private readonly order: Int32Array;
  private readonly listOf: Int32Array;
  private readonly ks: Int32Array;
  private readonly line: (indicator: Indicator) => string;
  private readonly writeLine: (writer: Utf8Writer, indicator: Indicator) => void;

  constructor(
    private readonly rule: CompiledRule,
    private readonly packed: PackedHouseholds,
    private readonly lists: readonly EpisodeList[],
  ) {
    let count = 0;
    for (const list of lists) count += list.households.length;
    this.listOf = new Int32Array(count);
    this.ks = new Int32Array(count);
    const inputs = new Int32Array(count);
    let e = 0;
    lists.forEach((list, l) => {
      for (let k = 0; k < list.households.length; k++, e++) {
        this.listOf[e] = l;
        this.ks[e] = k;
        inputs[e] = list.firstInputs[k] ?? outOfRange(list.firstInputs, k);
      }
    });
    this.order = rule.onIndicators ? this.byFirstIndicator() : inWriteOrder(packed, inputs);
    this.line = ruleIndicatorLine(rule.rule);
    this.writeLine = ruleIndicatorWriter(rule.rule);
  }

  get count(): number {
    return this.order.length;
  }

  /** For a rule on indicators, by the raisedAt and then the indicatorId of each episode's first: few, compared directly. */
  private byFirstIndicator(): Int32Array {
    const first = (e: number) => {
      const list = at(this.lists, at(this.listOf, e));
      const k = at(this.ks, e);
      return { time: at(list.firstTimes, k), id: at(list.firstIds, k) };
    };
    const time = (e: number): number => first(e).time;
    const id = (e: number): string => first(e).id;
    return Int32Array.from(this.listOf, (_, e) => e).sort(
      (a, b) => time(a) - time(b) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0),
    );
  }

  /** The lines of indicators `from` up to `to`, each indicator made as its line is. */
  *lines(from = 0, to = this.count): Generator<string> {
    for (let i = from; i < to; i++) yield this.line(this.indicator(i));
  }

  /** `lines` written straight into `writer`, newlines and all. */
  write(writer: Utf8Writer, from = 0, to = this.count): void {
    for (let i = from; i < to; i++) this.writeLine(writer, this.indicator(i));
  }

  /** The indicator `i`-th in write order. */
  private indicator(i: number): Indicator {
    const { packed } = this;
    const e = this.order[i] ?? outOfRange(this.order, i);
    const list = at(this.lists, this.listOf[e] ?? outOfRange(this.listOf, e));
    const k = this.ks[e] ?? outOfRange(this.ks, e);
    const h = list.households[k] ?? outOfRange(list.households, k);
    const episode: Episode = {
      first: list.first[k] ?? outOfRange(list.first, k),
      from: list.from[k] ?? outOfRange(list.from, k),
      last: list.last[k] ?? outOfRange(list.last, k),
      value: list.values[k] ?? outOfRange(list.values, k),
    };
    return this.rule.indicator(
      householdInputs(packed, h),
      episode,
      packed.householdIds[h] ?? outOfRange(packed.householdIds, h),
    );
  }
}

/**
 * The entries, each the packed input `inputs[e]` of an episode's first
 * firing point, by that input's time and then id. By time with a radix
 * sort of the times' two halves, which is stable and calls no comparator
 * (a comparator sort took a tenth of the second pass); only runs of equal
 * times, which are rare, are then sorted by id.
 */
export function inWriteOrder(packed: PackedHouseholds, inputs: Int32Array): Int32Array {
  const n = inputs.length;
  const order = new Int32Array(n);
  // Each entry's time gathered once: the packed times are megabytes, read here at random.
  const times = new Float64Array(n);
  let earliest = Infinity;
  for (let e = 0; e < n; e++) {
    order[e] = e;
    const input = inputs[e] ?? outOfRange(inputs, e);
    const time = packed.t[input] ?? outOfRange(packed.t, input);
    times[e] = time;
    earliest = Math.min(earliest, time);
  }
  // Whole milliseconds from the earliest, below 2^53: a low and a high 32-bit half.
  const low = new Uint32Array(n);
  for (let e = 0; e < n; e++) low[e] = ((times[e] ?? outOfRange(times, e)) - earliest) % HALF;
  radixSort(low, order);
  const high = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const e = order[i] ?? outOfRange(order, i);
    high[i] = Math.floor(((times[e] ?? outOfRange(times, e)) - earliest) / HALF);
  }
  radixSort(high, order);
  const byId = (a: number, b: number): number => {
    const idA = packedId(packed, inputs[a] ?? outOfRange(inputs, a));
    const idB = packedId(packed, inputs[b] ?? outOfRange(inputs, b));
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  };
  for (let from = 0; from < n;) {
    const time = times[order[from] ?? outOfRange(order, from)];
    let to = from + 1;
    while (to < n && times[order[to] ?? outOfRange(order, to)] === time) to++;
    if (to - from > 1) order.subarray(from, to).sort(byId);
    from = to;
  }
  return order;
}

const HALF = 2 ** 32;

/** One thread's second pass, part by part: a rule's episodes are sorted once for all the parts of it the thread makes. */
export class PartLines {
  private current: { rule: number; episodes: RuleEpisodes } | undefined;

  constructor(
    private readonly rules: readonly CompiledRule[],
    private readonly packed: PackedHouseholds,
    private readonly lists: readonly (readonly EpisodeList[])[],
  ) {}

  /** Writes the part's lines into `writer`. */
  write({ rule, from, to }: LinePart, writer: Utf8Writer): void {
    if (this.current?.rule !== rule) {
      const lists = this.lists.map((list) => at(list, rule));
      this.current = { rule, episodes: new RuleEpisodes(at(this.rules, rule), this.packed, lists) };
    }
    this.current.episodes.write(writer, from, to);
  }
}

/**
 * `radarOutputLines` of a radar's current state, both passes in this
 * thread: each indicator is made as its line is written, so a backtest of
 * millions of signals never holds a rule's indicators all at once.
 */
export function* radarStateLines(radar: Radar): Generator<string> {
  yield* orderedHouseholdLines(radar.householdSummariesInOrder());
  const { rules, households } = radar.packedRuleWork();
  const finder = new EpisodeFinder(rules, households);
  finder.find(0, householdCount(households));
  const lists = finder.finish();
  for (const [r, rule] of rules.entries()) {
    yield* new RuleEpisodes(rule, households, [at(lists, r)]).lines();
  }
}
