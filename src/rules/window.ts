/**
 * The per-type part of evaluation (CONTRACT §3, the correlation table): which
 * signals form `M`, and the value at a signal as its window `W(s)` slides
 * over `M`. The evaluator adds a signal when it becomes `s` and removes it
 * when it falls out of the window, so every type except `temporal_ordered`
 * and `first_seen` keeps its value up to date in O(1) per signal instead of
 * recounting. The counting types work on any points in time with an id, so
 * that rules on indicators (`indicator-rules`) count indicators with them.
 */
import { at } from '../at.js';
import { compileFilter, readField, type FieldValue, type Predicate } from './filter.js';
import type { RuleInput } from './input.js';
import { keyLabel, valueLabel } from './labels.js';
import { comparePoints, type Point } from './order.js';
import { parseTimespan } from './timespan.js';
import {
  onIndicators,
  type Correlation,
  type CountedField,
  type FilterKey,
  type Rule,
  type Step,
} from './types.js';

export type { Point };

export interface Pass<M extends Point = RuleInput> {
  /** `M`, in the order of the input (the evaluator passes it sorted). */
  readonly members: readonly M[];
  /** `members[j]` enters the window. */
  add(j: number): void;
  /** `members[j]` leaves the window. */
  remove(j: number): void;
  /** The value at `members[i]`, whose window is `members[lo..i]`. */
  value(lo: number, i: number): number;
  /** Whether `members[j]` belongs in an indicator's `signalIds`. */
  contributes(j: number): boolean;
  /** What `members[j]` added to the value, for the explanation. */
  detail(j: number): string | undefined;
}

/**
 * Builds a pass over one household's signals (or indicators), sorted by
 * (occurredAt, id); `undefined` when `M` is empty, the common case, so that
 * nothing is allocated for it.
 */
export type PassFactory<M extends Point = RuleInput> = (
  sorted: readonly M[],
) => Pass<M> | undefined;

/** A member's values of a counted field, and how to name them in an explanation. */
export interface FieldReader<M> {
  read(member: M): readonly FieldValue[];
  describe(values: readonly FieldValue[]): string;
}

function signalField(field: FilterKey): FieldReader<RuleInput> {
  return {
    read: (input) => readField(input, field),
    describe: (values) =>
      `${keyLabel(field)}: ${values.length === 0 ? 'geen waarde' : values.map((value) => valueLabel(field, value)).join(', ')}`,
  };
}

/** A rule's timespan in milliseconds; the loader rejects rules whose timespan is not one. */
export function spanOf(timespan: string, ruleId: string): number {
  const span = parseTimespan(timespan);
  // This guards rules built in code.
  if (span === undefined) throw new TypeError(`rule ${ruleId}: invalid timespan ${timespan}`);
  return span;
}

/** For a rule on signals. */
export function passFactory(rule: Rule): PassFactory {
  if (onIndicators(rule.filter)) {
    throw new TypeError(`rule ${rule.id} counts indicators, not signals`);
  }
  const filter = compileFilter(rule.filter);
  const correlation: Correlation = rule.correlation;
  switch (correlation.type) {
    case 'event_count':
      return eventCount(filter);
    case 'value_count':
      return valueCount(filter, signalField(signalKey(correlation.field, rule.id)));
    case 'first_seen':
      return firstSeen(
        filter,
        signalField(signalKey(correlation.field, rule.id)),
        spanOf(correlation.timespan, rule.id),
      );
    case 'score':
      return score(
        filter,
        correlation.weights.map((w) => ({ matches: compileFilter(w.filter), score: w.score })),
      );
    case 'temporal':
      return temporal(filter, compileSteps(correlation.steps));
    case 'temporal_ordered':
      return temporalOrdered(filter, correlation.steps, rule.id);
  }
}

function signalKey(field: CountedField, ruleId: string): FilterKey {
  if (field === 'rule' || field === 'level') {
    throw new TypeError(`rule ${ruleId}: ${field} is a field of indicators, not of signals`);
  }
  return field;
}

/** `M` for the counting types: the signals that pass the filter; undefined when none does. */
function filterMembers<M extends Point>(
  filter: (member: M) => boolean,
  sorted: readonly M[],
): M[] | undefined {
  let members: M[] | undefined;
  for (const input of sorted) {
    if (!filter(input)) continue;
    if (members === undefined) members = [input];
    else members.push(input);
  }
  return members;
}

export function eventCount<M extends Point>(filter: (member: M) => boolean): PassFactory<M> {
  return (sorted) => {
    const members = filterMembers(filter, sorted);
    if (members === undefined) return undefined;
    return {
      members,
      add: () => {},
      remove: () => {},
      value: (lo, i) => i - lo + 1,
      contributes: () => true,
      detail: () => undefined,
    };
  };
}

export function valueCount<M extends Point>(
  filter: (member: M) => boolean,
  field: FieldReader<M>,
): PassFactory<M> {
  return (sorted) => {
    const members = filterMembers(filter, sorted);
    if (members === undefined) return undefined;
    const valuesOf = members.map((member) => field.read(member));
    const counts = new Map<FieldValue, number>();
    return {
      members,
      add: (j) => {
        for (const value of at(valuesOf, j)) counts.set(value, (counts.get(value) ?? 0) + 1);
      },
      remove: (j) => {
        for (const value of at(valuesOf, j)) {
          // A member is removed only after it was added, so its values are counted.
          const left = (counts.get(value) ?? 1) - 1;
          if (left === 0) counts.delete(value);
          else counts.set(value, left);
        }
      },
      value: () => counts.size,
      contributes: () => true,
      detail: (j) => field.describe(at(valuesOf, j)),
    };
  };
}

/**
 * The value at `members[i]` is how many of its distinct values no earlier
 * member of its window has. That depends on `i` alone, so it is worked out
 * for every member up front, with a window of its own: an indicator is made
 * from a pass that never slid (`CompiledRule.indicator`), and `contributes`
 * names only the members that brought a new value.
 */
export function firstSeen<M extends Point>(
  filter: (member: M) => boolean,
  field: FieldReader<M>,
  span: number,
): PassFactory<M> {
  return (sorted) => {
    const members = filterMembers(filter, sorted);
    if (members === undefined) return undefined;
    const valuesOf = members.map((member) => [...new Set(field.read(member))]);
    const fresh = members.map(() => NO_VALUES);
    const counts = new Map<FieldValue, number>();
    let lo = 0;
    for (let i = 0; i < members.length; i++) {
      const from = at(members, i).t - span;
      for (; at(members, lo).t < from; lo++) {
        for (const value of at(valuesOf, lo)) {
          const left = (counts.get(value) ?? 1) - 1;
          if (left === 0) counts.delete(value);
          else counts.set(value, left);
        }
      }
      const values = at(valuesOf, i);
      const unseen = values.filter((value) => !counts.has(value));
      if (unseen.length > 0) fresh[i] = unseen;
      for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return {
      members,
      add: () => {},
      remove: () => {},
      value: (_, i) => at(fresh, i).length,
      contributes: (j) => at(fresh, j).length > 0,
      detail: (j) => `nieuw: ${field.describe(at(fresh, j))}`,
    };
  };
}

const NO_VALUES: readonly FieldValue[] = Object.freeze([]);

function score(
  filter: Predicate,
  weights: readonly { matches: Predicate; score: number }[],
): PassFactory {
  return (sorted) => {
    const members = filterMembers(filter, sorted);
    if (members === undefined) return undefined;
    const weightOf = members.map((input) => highestWeight(weights, input));
    let sum = 0;
    return {
      members,
      add: (j) => {
        sum += at(weightOf, j);
      },
      remove: (j) => {
        sum -= at(weightOf, j);
      },
      value: () => sum,
      contributes: (j) => at(weightOf, j) > 0,
      detail: (j) => `gewicht ${at(weightOf, j)}`,
    };
  };
}

/** A signal's highest matching weight, 0 when none matches. */
function highestWeight(
  weights: readonly { matches: Predicate; score: number }[],
  input: RuleInput,
): number {
  let best: number | undefined;
  for (const weight of weights) {
    if ((best === undefined || weight.score > best) && weight.matches(input)) best = weight.score;
  }
  return best ?? 0;
}

interface CompiledStep {
  name: string;
  matches: Predicate;
}

function compileSteps(steps: readonly Step[]): CompiledStep[] {
  return steps.map((step) => ({ name: step.name, matches: compileFilter(step.filter) }));
}

/** `M` for the temporal types: signals matching the filter and at least one step, with those steps. */
function stepMembers(
  filter: Predicate,
  steps: readonly CompiledStep[],
  sorted: readonly RuleInput[],
): { members: RuleInput[]; stepsOf: number[][] } {
  const members: RuleInput[] = [];
  const stepsOf: number[][] = [];
  for (const input of sorted) {
    if (!filter(input)) continue;
    let matched: number[] | undefined;
    for (const [index, step] of steps.entries()) {
      if (!step.matches(input)) continue;
      if (matched === undefined) matched = [index];
      else matched.push(index);
    }
    if (matched === undefined) continue;
    members.push(input);
    stepsOf.push(matched);
  }
  return { members, stepsOf };
}

function stepDetail(steps: readonly CompiledStep[], matched: readonly number[]): string {
  return `${matched.length === 1 ? 'stap' : 'stappen'} ${matched.map((s) => at(steps, s).name).join(', ')}`;
}

function temporal(filter: Predicate, steps: readonly CompiledStep[]): PassFactory {
  return (sorted) => {
    const { members, stepsOf } = stepMembers(filter, steps, sorted);
    if (members.length === 0) return undefined;
    const inWindow = new Int32Array(steps.length);
    let covered = 0;
    return {
      members,
      add: (j) => {
        for (const s of at(stepsOf, j)) {
          const held = at(inWindow, s);
          inWindow[s] = held + 1;
          if (held === 0) covered++;
        }
      },
      remove: (j) => {
        for (const s of at(stepsOf, j)) {
          const held = at(inWindow, s) - 1;
          inWindow[s] = held;
          if (held === 0) covered--;
        }
      },
      value: () => covered,
      contributes: () => true,
      detail: (j) => stepDetail(steps, at(stepsOf, j)),
    };
  };
}

/**
 * `W(s) = members[lo..i]` holds the steps in order exactly when the greedy
 * match that takes, from `lo` on, the earliest signal for step 1, then the
 * earliest later one for step 2, and so on, ends at or before `i` (taking
 * the earliest candidate never rules out a later step). `next[p][x]`, the
 * first member at or after `x` matching step `p`, makes each greedy match
 * O(steps); it is recomputed only when `lo` moves.
 *
 * With an absent last step, `M` holds the signals of the other steps, and
 * `s` fires when it matches the last of those, the ones before it are in
 * order in `W(s)` before it, and no signal of the household that matches the
 * filter and the absent step follows `s` within `within` (see `absence`).
 */
function temporalOrdered(
  filter: Predicate,
  allSteps: readonly Step[],
  ruleId: string,
): PassFactory {
  const absent = allSteps.at(-1)?.absent === true ? allSteps.at(-1) : undefined;
  const steps = compileSteps(absent === undefined ? allSteps : allSteps.slice(0, -1));
  const k = steps.length;
  /** Steps the greedy match must take: all of them, or, with an absent step, all before `s`'s. */
  const before = absent === undefined ? k : k - 1;
  const value = allSteps.length;
  const followed =
    absent === undefined
      ? undefined
      : absence(filter, compileFilter(absent.filter), spanOf(absent.within ?? '', ruleId));
  return (sorted) => {
    const { members, stepsOf } = stepMembers(filter, steps, sorted);
    const n = members.length;
    if (n === 0) return undefined;
    const next = steps.map(() => new Int32Array(n + 1).fill(n));
    for (let x = n - 1; x >= 0; x--) {
      for (const firstAt of next) firstAt[x] = at(firstAt, x + 1);
      for (const p of at(stepsOf, x)) at(next, p)[x] = x;
    }
    const filled = followed?.(sorted, members);
    let greedyFrom = -1;
    let greedyEnd = n;
    return {
      members,
      add: () => {},
      remove: () => {},
      value: (lo, i) => {
        if (lo !== greedyFrom) {
          greedyFrom = lo;
          let end = lo - 1;
          for (let p = 0; p < before && end < n; p++) end = at(at(next, p), end + 1);
          greedyEnd = end;
        }
        if (filled === undefined) return greedyEnd <= i ? value : 0;
        const fires = greedyEnd < i && at(at(next, k - 1), i) === i && at(filled, i) === 0;
        return fires ? value : 0;
      },
      contributes: () => true,
      detail: (j) => stepDetail(steps, at(stepsOf, j)),
    };
  };
}

/**
 * For each member, 1 when a signal of the household that matches the filter
 * and the absent step comes after it (in the order `<`) and at most `within`
 * later: the absence is broken. Both lists are in the order `<`, so one
 * pointer walks the fillers once.
 */
function absence(
  filter: Predicate,
  absentStep: Predicate,
  within: number,
): (sorted: readonly RuleInput[], members: readonly RuleInput[]) => Uint8Array {
  return (sorted, members) => {
    const fillers = sorted.filter((input) => filter(input) && absentStep(input));
    const filled = new Uint8Array(members.length);
    let f = 0;
    members.forEach((member, i) => {
      while (f < fillers.length && comparePoints(at(fillers, f), member) <= 0) f++;
      if (f < fillers.length && at(fillers, f).t <= member.t + within) filled[i] = 1;
    });
    return filled;
  };
}
