/**
 * Rule evaluation for one household, exactly as CONTRACT §3 "Exact
 * semantics" defines it: `M` in (occurredAt, id) order, the window `W(s)`,
 * firing points, episodes, one indicator per episode. The result depends on
 * the set of signals only, never on the order they are passed in.
 */
import { at } from '../at.js';
import { compileCondition } from './condition.js';
import { isoString } from './dates.js';
import { conditionOf, explainer, type EpisodeFacts } from './explain.js';
import type { RuleInput } from './input.js';
import { parseTimespan } from './timespan.js';
import type { Indicator, Rule, Ruleset } from './types.js';
import { passFactory, type Pass } from './window.js';

export interface CompiledRule {
  readonly rule: Rule;
  /** This rule's indicators for one household; `inputs` may come in any order. */
  evaluate(inputs: readonly RuleInput[], householdId: string): Indicator[];
  /**
   * Finds the episodes of one household whose inputs are `sorted` in the
   * contract's order, each given with the input its first firing point is:
   * `evaluate` without making the indicators, so that they can be made
   * later, one at a time, in the order they are written.
   */
  episodes(sorted: readonly RuleInput[], found: (first: RuleInput, episode: Episode) => void): void;
  /** The indicator of an episode `episodes` found in the same `sorted` inputs. */
  indicator(sorted: readonly RuleInput[], episode: Episode, householdId: string): Indicator;
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
export function compareRuleInputs(a: RuleInput, b: RuleInput): number {
  if (a.t !== b.t) return a.t - b.t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

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

interface SortedEvaluator {
  evaluateSorted: (sorted: readonly RuleInput[], householdId: string) => Indicator[];
  episodes: CompiledRule['episodes'];
  indicator: CompiledRule['indicator'];
}

function compileSorted(rule: Rule): SortedEvaluator {
  const span = parseTimespan(rule.correlation.timespan);
  if (span === undefined) {
    // The loader rejects such rules; this guards rules built in code.
    throw new TypeError(`rule ${rule.id}: invalid timespan ${rule.correlation.timespan}`);
  }
  const fires = compileCondition(conditionOf(rule.correlation));
  const makePass = passFactory(rule);
  const explain = explainer(rule);

  /** The sliding window over the pass's members, each episode handed over once complete. */
  const sweep = (pass: Pass, found: (episode: Episode) => void): void => {
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

  return {
    evaluateSorted: (sorted, householdId) => {
      const pass = makePass(sorted);
      if (pass === undefined) return [];
      const indicators: Indicator[] = [];
      sweep(pass, (episode) =>
        indicators.push(toIndicator(rule, explain, pass, episode, householdId)),
      );
      return indicators;
    },
    episodes: (sorted, found) => {
      const pass = makePass(sorted);
      if (pass !== undefined)
        sweep(pass, (episode) => found(at(pass.members, episode.first), episode));
    },
    indicator: (sorted, episode, householdId) => {
      const pass = makePass(sorted);
      if (pass === undefined) throw new TypeError(`rule ${rule.id}: no episode in these inputs`);
      return toIndicator(rule, explain, pass, episode, householdId);
    },
  };
}

/**
 * Within an episode every firing point lies in the window of the next one,
 * so the union of their windows is the contiguous run `M[from..last]`.
 */
function toIndicator(
  rule: Rule,
  explain: (facts: EpisodeFacts) => string,
  pass: Pass,
  episode: Episode,
  householdId: string,
): Indicator {
  const m = pass.members;
  const signals: EpisodeFacts['signals'][number][] = [];
  for (let j = episode.from; j <= episode.last; j++) {
    if (pass.contributes(j)) signals.push({ input: at(m, j), detail: pass.detail(j) });
  }
  const first = at(m, episode.first);
  const raisedAt = first.t;
  const lastFiredAt = at(m, episode.last).t;
  return {
    indicatorId: `${rule.id}/${first.id}`,
    ruleId: rule.id,
    ruleVersion: rule.version,
    level: rule.level,
    householdId,
    raisedAt: isoString(raisedAt),
    lastFiredAt: isoString(lastFiredAt),
    value: episode.value,
    signalIds: sortedIds(signals),
    explanation: explain({ value: episode.value, raisedAt, lastFiredAt, signals }),
  };
}

/** The ids in code-unit order; they come in (occurredAt, id) order, often already sorted. */
function sortedIds(signals: EpisodeFacts['signals']): string[] {
  const ids = new Array<string>(signals.length);
  let sorted = true;
  for (let j = 0; j < signals.length; j++) {
    const id = at(signals, j).input.id;
    ids[j] = id;
    if (j > 0 && at(ids, j - 1) > id) sorted = false;
  }
  return sorted ? ids : ids.sort();
}

interface CompiledRuleWithSorted extends CompiledRule {
  evaluateSorted: SortedEvaluator['evaluateSorted'];
}

function compileBoth(rule: Rule): CompiledRuleWithSorted {
  const { evaluateSorted, episodes, indicator } = compileSorted(rule);
  return {
    rule,
    evaluateSorted,
    evaluate: (inputs, householdId) => evaluateSorted(sortedInputs(inputs), householdId),
    episodes,
    indicator,
  };
}

export function compileRule(rule: Rule): CompiledRule {
  return compileBoth(rule);
}

/** Compiles every filter once; evaluation then sorts each household's signals once for all rules. */
export function compileRuleset(ruleset: Ruleset | readonly Rule[]): CompiledRuleset {
  const rules = 'rules' in ruleset ? ruleset.rules : ruleset;
  const compiled = rules.map(compileBoth);
  return {
    rules: compiled,
    evaluate: (inputs, householdId) => {
      const sorted = sortedInputs(inputs);
      const indicators: Indicator[] = [];
      for (const rule of compiled) {
        for (const indicator of rule.evaluateSorted(sorted, householdId))
          indicators.push(indicator);
      }
      return indicators;
    },
  };
}
