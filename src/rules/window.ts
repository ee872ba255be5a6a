/**
 * The per-type part of evaluation (CONTRACT §3, the correlation table): which
 * signals form `M`, and the value at a signal as its window `W(s)` slides
 * over `M`. The evaluator adds a signal when it becomes `s` and removes it
 * when it falls out of the window, so every type except `temporal_ordered`
 * keeps its value up to date in O(1) per signal instead of recounting.
 */
import { at } from '../at.js';
import { compileFilter, readField, type FieldValue, type Predicate } from './filter.js';
import type { RuleInput } from './input.js';
import { keyLabel, valueLabel } from './labels.js';
import type { Correlation, FilterKey, Rule, Step } from './types.js';

export interface Pass {
  /** `M`, in the order of the input (the evaluator passes it sorted). */
  readonly members: readonly RuleInput[];
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
 * Builds a pass over one household's signals, sorted by (occurredAt, id);
 * `undefined` when `M` is empty, the common case, so that nothing is allocated for it.
 */
export type PassFactory = (sorted: readonly RuleInput[]) => Pass | undefined;

export function passFactory(rule: Rule): PassFactory {
  const filter = compileFilter(rule.filter);
  const correlation: Correlation = rule.correlation;
  switch (correlation.type) {
    case 'event_count':
      return eventCount(filter);
    case 'value_count':
      return valueCount(filter, correlation.field);
    case 'score':
      return score(
        filter,
        correlation.weights.map((w) => ({ matches: compileFilter(w.filter), score: w.score })),
      );
    case 'temporal':
      return temporal(filter, compileSteps(correlation.steps));
    case 'temporal_ordered':
      return temporalOrdered(filter, compileSteps(correlation.steps));
  }
}

/** `M` for the counting types: the signals that pass the filter; undefined when none does. */
function filterMembers(filter: Predicate, sorted: readonly RuleInput[]): RuleInput[] | undefined {
  let members: RuleInput[] | undefined;
  for (const input of sorted) {
    if (!filter(input)) continue;
    if (members === undefined) members = [input];
    else members.push(input);
  }
  return members;
}

function eventCount(filter: Predicate): PassFactory {
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

function valueCount(filter: Predicate, field: FilterKey): PassFactory {
  return (sorted) => {
    const members = filterMembers(filter, sorted);
    if (members === undefined) return undefined;
    const valuesOf = members.map((input) => readField(input, field));
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
      detail: (j) => {
        const values = at(valuesOf, j);
        const shown =
          values.length === 0
            ? 'geen waarde'
            : values.map((value) => valueLabel(field, value)).join(', ');
        return `${keyLabel(field)}: ${shown}`;
      },
    };
  };
}

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
 */
function temporalOrdered(filter: Predicate, steps: readonly CompiledStep[]): PassFactory {
  const k = steps.length;
  return (sorted) => {
    const { members, stepsOf } = stepMembers(filter, steps, sorted);
    const n = members.length;
    if (n === 0) return undefined;
    const next = steps.map(() => new Int32Array(n + 1).fill(n));
    for (let x = n - 1; x >= 0; x--) {
      for (const firstAt of next) firstAt[x] = at(firstAt, x + 1);
      for (const p of at(stepsOf, x)) at(next, p)[x] = x;
    }
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
          for (let p = 0; p < k && end < n; p++) end = at(at(next, p), end + 1);
          greedyEnd = end;
        }
        return greedyEnd <= i ? k : 0;
      },
      contributes: () => true,
      detail: (j) => stepDetail(steps, at(stepsOf, j)),
    };
  };
}
