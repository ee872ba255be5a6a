/**
 * Rule evaluation for one household, exactly as CONTRACT §3 "Exact
 * semantics" defines it: `M` in (occurredAt, id) order, the window `W(s)`,
 * firing points, episodes, one indicator per episode. The result depends on
 * the set of signals only, never on the order they are passed in. A rule on
 * indicators evaluates the rules it counts on the same household's signals
 * first, so one household's signals are all any rule needs.
 */
import { at } from '../at.js';
import { compileCondition } from './condition.js';
import { isoString } from './dates.js';
import { conditionOf, explainer } from './explain.js';
import { indicatorPassFactory, type IndicatorPoint } from './indicator-rules.js';
import type { RuleInput } from './input.js';
import { comparePoints, type Point } from './order.js';
import { onIndicators, type Indicator, type Rule, type Ruleset } from './types.js';
import { passFactory, spanOf, type Pass } from './window.js';

export interface CompiledRule {
  readonly rule: Rule;
  /** Whether the rule counts indicators of other rules: its firing points are indicators, not signals. */
  readonly onIndicators: boolean;
  /** This rule's indicators for one household; `inputs` may come in any order. */
  evaluate(inputs: readonly RuleInput[], householdId: string): Indicator[];
  /**
   * Finds the episodes of one household whose inputs are `sorted` in the
   * contract's order, each given with its first firing point (one of
   * `sorted` for a rule on signals; for a rule on indicators, the indicator
   * at its raisedAt): `evaluate` without making the indicators, so that they
   * can be made later, one at a time, in the order they are written.
   */
  episodes(sorted: readonly RuleInput[], found: (first: Point, episode: Episode) => void): void;
  /** The indicator of an episode `episodes` found in the same `sorted` inputs. */
  indicator(sorted: readonly RuleInput[], episode: Episode, householdId: string): Indicator;
  /** This rule's indicators in `sorted`, each as a point at its raisedAt: what rules on indicators count. */
  points(sorted: readonly RuleInput[]): IndicatorPoint[];
}

/** A household's rule inputs, in the contract's order `<` (`compareRuleInputs`). */
export interface HouseholdInputs {
  readonly id: string;
  readonly inputs: readonly RuleInput[];
}

/** One rule's indicators over many households, household by household. */
export function evaluateAcross(
  rule: CompiledRule,
  households: readonly HouseholdInputs[],
): Indicator[] {
  const indicators: Indicator[] = [];
  for (const { id, inputs } of households) {
    for (const indicator of rule.evaluate(inputs, id)) indicators.push(indicator);
  }
  return indicators;
}

export interface CompiledRuleset {
  readonly rules: readonly CompiledRule[];
  /** All rules' indicators for one household, rule by rule; `inputs` may come in any order. */
  evaluate(inputs: readonly RuleInput[], householdId: string): Indicator[];
}

/** The order `<` of the contract: occurredAt, then id in code-unit order (not localeCompare). */
export const compareRuleInputs: (a: RuleInput, b: RuleInput) => number = comparePoints;

function sortedInputs(inputs: readonly RuleInput[]): readonly RuleInput[] {
  for (let i = 1; i < inputs.length; i++) {
    if (compareRuleInputs(at(inputs, i - 1), at(inputs, i)) > 0)
      return [...inputs].sort(compareRuleInputs);
  }
  return inputs;
}

/** One run of firing points of a rule in a household: one indicator. */
export interface Episode {
  /** Index in `M` of the first firing point. */
  first: number;
  /** Start of the first firing point's window: the episode's signals are `M[from..last]`. */
  from: number;
  last: number;
  value: number;
}

/**
 * What differs between rules on signals and rules on indicators: what `M`
 * is made of, and how a member names its signals.
 */
interface Members<M extends Point> {
  pass(sorted: readonly RuleInput[]): Pass<M> | undefined;
  /** For members that are indicators: the signal ids a member stands for. */
  signalsOf?: (member: M) => readonly string[];
  /**
   * How much later than its firing point's event time an episode is raised:
   * the `within` of an absent step, whose firing point is the end of the absence.
   */
  offset: number;
}

type MemberFacts<M extends Point> = { input: M; detail: string | undefined }[];

function signalMembers(rule: Rule): Members<RuleInput> {
  const makePass = passFactory(rule);
  const correlation = rule.correlation;
  const absent = correlation.type === 'temporal_ordered' ? correlation.steps.at(-1) : undefined;
  return {
    pass: makePass,
    offset: absent?.absent === true ? spanOf(absent.within ?? '', rule.id) : 0,
  };
}

function indicatorMembers(
  rule: Rule,
  dependencies: readonly CompiledRule[],
): Members<IndicatorPoint> {
  const makePass = indicatorPassFactory(rule);
  return {
    pass: (sorted) => {
      const points: IndicatorPoint[] = [];
      for (const dependency of dependencies) points.push(...dependency.points(sorted));
      return makePass(points.sort(comparePoints));
    },
    signalsOf: (point) => point.signalIds(),
    offset: 0,
  };
}

function compileWith<M extends Point>(
  rule: Rule,
  members: Members<M>,
  isOnIndicators: boolean,
): CompiledRule {
  const span = spanOf(rule.correlation.timespan, rule.id);
  const fires = compileCondition(conditionOf(rule.correlation));
  const explain = explainer(rule);
  const { offset } = members;

  /** The sliding window over the pass's members, each episode handed over once complete. */
  const sweep = (pass: Pass<M>, found: (episode: Episode) => void): void => {
    const m = pass.members;
    let episode: Episode | undefined;
    let lo = 0;
    for (let i = 0; i < m.length; i++) {
      pass.add(i);
      const from = at(m, i).t - span;
      while (at(m, lo).t < from) pass.remove(lo++);
      const value = pass.value(lo, i);
      if (!fires(value)) continue;
      // A firing point whose window no longer reaches the previous one starts a new episode.
      // (With an absent step every firing point is `offset` later than its member: the same test.)
      if (episode !== undefined && at(m, episode.last).t < from) {
        found(episode);
        episode = undefined;
      }
      if (episode === undefined) episode = { first: i, from: lo, last: i, value };
      else {
        episode.last = i;
        episode.value = value;
      }
    }
    if (episode !== undefined) found(episode);
  };

  /**
   * Within an episode every firing point lies in the window of the next one,
   * so the union of their windows is the contiguous run `M[from..last]`.
   */
  const contributing = (pass: Pass<M>, episode: Episode): MemberFacts<M> => {
    const facts: MemberFacts<M> = [];
    for (let j = episode.from; j <= episode.last; j++) {
      if (pass.contributes(j)) facts.push({ input: at(pass.members, j), detail: pass.detail(j) });
    }
    return facts;
  };

  const { signalsOf } = members;
  const signalIdsOf = (facts: MemberFacts<M>): string[] => {
    if (signalsOf === undefined) return sortedIds(facts);
    // A signal can stand behind several indicators: each once.
    return [...new Set(facts.flatMap((f) => signalsOf(f.input)))].sort();
  };

  const toIndicator = (pass: Pass<M>, episode: Episode, householdId: string): Indicator => {
    const m = pass.members;
    const signals = contributing(pass, episode);
    const first = at(m, episode.first);
    const raisedAt = first.t + offset;
    const lastFiredAt = at(m, episode.last).t + offset;
    return {
      indicatorId: `${rule.id}/${first.id}`,
      ruleId: rule.id,
      ruleVersion: rule.version,
      level: rule.level,
      householdId,
      raisedAt: isoString(raisedAt),
      lastFiredAt: isoString(lastFiredAt),
      value: episode.value,
      signalIds: signalIdsOf(signals),
      explanation: explain({ value: episode.value, raisedAt, lastFiredAt, signals }),
    };
  };

  const passOf = (sorted: readonly RuleInput[]): Pass<M> => {
    const pass = members.pass(sorted);
    if (pass === undefined) throw new TypeError(`rule ${rule.id}: no episode in these inputs`);
    return pass;
  };

  const evaluateSorted = (sorted: readonly RuleInput[], householdId: string): Indicator[] => {
    const pass = members.pass(sorted);
    if (pass === undefined) return [];
    const indicators: Indicator[] = [];
    sweep(pass, (episode) => indicators.push(toIndicator(pass, episode, householdId)));
    return indicators;
  };

  return {
    rule,
    onIndicators: isOnIndicators,
    evaluate: (inputs, householdId) => evaluateSorted(sortedInputs(inputs), householdId),
    episodes: (sorted, found) => {
      const pass = members.pass(sorted);
      if (pass !== undefined)
        sweep(pass, (episode) => found(at(pass.members, episode.first), episode));
    },
    indicator: (sorted, episode, householdId) => toIndicator(passOf(sorted), episode, householdId),
    points: (sorted) => {
      const pass = members.pass(sorted);
      const points: IndicatorPoint[] = [];
      if (pass === undefined) return points;
      sweep(pass, (episode) => {
        const first = at(pass.members, episode.first);
        points.push({
          id: `${rule.id}/${first.id}`,
          t: first.t + offset,
          ruleId: rule.id,
          level: rule.level,
          signalIds: () => signalIdsOf(contributing(pass, episode)),
        });
      });
      return points;
    },
  };
}

/** The ids in code-unit order; they come in (occurredAt, id) order, often already sorted. */
function sortedIds(signals: readonly { input: Point }[]): string[] {
  const ids = new Array<string>(signals.length);
  let sorted = true;
  for (let j = 0; j < signals.length; j++) {
    const id = at(signals, j).input.id;
    ids[j] = id;
    if (j > 0 && at(ids, j - 1) > id) sorted = false;
  }
  return sorted ? ids : ids.sort();
}

/** For a rule on signals; a rule on indicators needs its ruleset (`compileRuleset`). */
export function compileRule(rule: Rule): CompiledRule {
  if (onIndicators(rule.filter)) {
    throw new TypeError(`rule ${rule.id} counts indicators of other rules: compile its ruleset`);
  }
  return compileWith(rule, signalMembers(rule), false);
}

/**
 * The rules a rule on indicators counts: those it names, or, when it names
 * none, every rule on signals.
 */
function dependencyIds(rule: Rule, rules: readonly Rule[]): string[] {
  if (!onIndicators(rule.filter)) return [];
  const named = rule.filter.indicator.rule;
  if (named === undefined) return rules.filter((r) => !onIndicators(r.filter)).map((r) => r.id);
  return Array.isArray(named) ? named : [named];
}

/** Compiles every filter once; evaluation then sorts each household's signals once for all rules. */
export function compileRuleset(ruleset: Ruleset | readonly Rule[]): CompiledRuleset {
  const rules = 'rules' in ruleset ? ruleset.rules : ruleset;
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const done = new Map<string, CompiledRule>();
  const compiling = new Set<string>();
  const compile = (rule: Rule): CompiledRule => {
    const ready = done.get(rule.id);
    if (ready !== undefined) return ready;
    // The loader refuses both; this guards rulesets built in code.
    if (compiling.has(rule.id)) throw new TypeError(`rule ${rule.id} depends on itself`);
    compiling.add(rule.id);
    const dependencies = dependencyIds(rule, rules).map((id) => {
      const dependency = byId.get(id);
      if (dependency === undefined) throw new TypeError(`rule ${rule.id}: no rule ${id}`);
      return compile(dependency);
    });
    const compiled = onIndicators(rule.filter)
      ? compileWith(rule, indicatorMembers(rule, dependencies), true)
      : compileRule(rule);
    done.set(rule.id, compiled);
    return compiled;
  };
  const compiled = rules.map(compile);
  return {
    rules: compiled,
    evaluate: (inputs, householdId) => {
      const sorted = sortedInputs(inputs);
      const indicators: Indicator[] = [];
      for (const rule of compiled) {
        for (const indicator of rule.evaluate(sorted, householdId)) indicators.push(indicator);
      }
      return indicators;
    },
  };
}
