/**
 * Rule evaluation for one household, exactly as CONTRACT §3 "Exact
 * semantics" defines it: `M` in (occurredAt, id) order, the window `W(s)`,
 * firing points, episodes, one indicator per episode. The result depends on
 * the set of signals only, never on the order they are passed in.
 */
import { compileCondition } from './condition.js';
import { conditionOf, explainer, type EpisodeFacts } from './explain.js';
import type { RuleInput } from './input.js';
import { parseTimespan } from './timespan.js';
import type { Indicator, Rule, Ruleset } from './types.js';
import { passFactory, type Pass } from './window.js';

export interface CompiledRule {
  readonly rule: Rule;
  /** This rule's indicators for one household; `inputs` may come in any order. */
  evaluate(inputs: readonly RuleInput[], householdId: string): Indicator[];
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
    if (compareRuleInputs(inputs[i - 1], inputs[i]) > 0) return [...inputs].sort(compareRuleInputs);
  }
  return inputs;
}

interface Episode {
  /** Index in `M` of the first firing point. */
  first: number;
  /** Start of the first firing point's window: the episode's signals are `M[from..last]`. */
  from: number;
  last: number;
  value: number;
}

type SortedEvaluator = (sorted: readonly RuleInput[], householdId: string) => Indicator[];

function compileSorted(rule: Rule): SortedEvaluator {
  const span = parseTimespan(rule.correlation.timespan);
  if (span === undefined) {
    // The loader rejects such rules; this guards rules built in code.
    throw new TypeError(`rule ${rule.id}: invalid timespan ${rule.correlation.timespan}`);
  }
  const fires = compileCondition(conditionOf(rule.correlation));
  const makePass = passFactory(rule);
  const explain = explainer(rule);

  return (sorted, householdId) => {
    const pass = makePass(sorted);
    if (pass === undefined) return [];
    const m = pass.members;
    const indicators: Indicator[] = [];
    let episode: Episode | undefined;
    let lo = 0;
    for (let i = 0; i < m.length; i++) {
      pass.add(i);
      const from = m[i].t - span;
      while (m[lo].t < from) pass.remove(lo++);
      const value = pass.value(lo, i);
      if (!fires(value)) continue;
      // A firing point whose window no longer reaches the previous one starts a new episode.
      if (episode !== undefined && m[episode.last].t < from) {
        indicators.push(toIndicator(rule, explain, pass, episode, householdId));
        episode = undefined;
      }
      if (episode === undefined) episode = { first: i, from: lo, last: i, value };
      else {
        episode.last = i;
        episode.value = value;
      }
    }
    if (episode !== undefined)
      indicators.push(toIndicator(rule, explain, pass, episode, householdId));
    return indicators;
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
    if (pass.contributes(j)) signals.push({ input: m[j], detail: pass.detail(j) });
  }
  const raisedAt = m[episode.first].t;
  const lastFiredAt = m[episode.last].t;
  return {
    indicatorId: `${rule.id}/${m[episode.first].id}`,
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
    ids[j] = signals[j].input.id;
    if (j > 0 && ids[j - 1] > ids[j]) sorted = false;
  }
  return sorted ? ids : ids.sort();
}

const DAY_MS = 86_400_000;

/** The char code of the decimal digit at `place` (1, 10, 100, …) of `n`. */
function digit(n: number, place: number): number {
  return 48 + (Math.floor(n / place) % 10);
}

/**
 * `new Date(ms).toISOString()` without the Date: it costs four times as
 * much, and every indicator needs two. Built from char codes, so the string
 * is flat and the indicator keeps no tree of pieces. Years outside
 * 0000–9999, which toISOString writes with a sign, are left to it.
 */
function isoString(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const { year, month, day } = civilDate(days);
  if (year < 0 || year > 9999) return new Date(ms).toISOString();
  const time = ms - days * DAY_MS;
  const hour = Math.floor(time / 3_600_000);
  const minute = Math.floor(time / 60_000) % 60;
  const second = Math.floor(time / 1000) % 60;
  const milli = time % 1000;
  // 45 '-', 84 'T', 58 ':', 46 '.', 90 'Z'
  // prettier-ignore
  return String.fromCharCode(
    digit(year, 1000), digit(year, 100), digit(year, 10), digit(year, 1), 45,
    digit(month, 10), digit(month, 1), 45, digit(day, 10), digit(day, 1), 84,
    digit(hour, 10), digit(hour, 1), 58, digit(minute, 10), digit(minute, 1), 58,
    digit(second, 10), digit(second, 1), 46,
    digit(milli, 100), digit(milli, 10), digit(milli, 1), 90,
  );
}

/** The proleptic Gregorian date of a day number since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilDate(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  // Months counted from March, so that the leap day ends the year.
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

interface CompiledRuleWithSorted extends CompiledRule {
  evaluateSorted: SortedEvaluator;
}

function compileBoth(rule: Rule): CompiledRuleWithSorted {
  const evaluateSorted = compileSorted(rule);
  return {
    rule,
    evaluateSorted,
    evaluate: (inputs, householdId) => evaluateSorted(sortedInputs(inputs), householdId),
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
