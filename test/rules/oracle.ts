/**
 * CONTRACT §3 "Exact semantics" transcribed as literally as possible, with
 * no windows slid, nothing compiled and nothing shared with `src/rules`:
 * slow, obviously right, and the reference the evaluator is checked against.
 */
import type { Filter, FilterKey, Indicator, Match, Rule } from '../../src/rules/index.js';
import type { Signal } from '../../src/signals/types.js';
import { at } from '../../src/at.js';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 };

function timespanMs(timespan: string): number {
  const unit = UNIT_MS[timespan.slice(-1)];
  if (unit === undefined) throw new Error(`not a timespan: ${timespan}`);
  return Number(timespan.slice(0, -1)) * unit;
}

function ageOn(birthDate: string, on: Date): number {
  const [year = NaN, month = NaN, day = NaN] = birthDate.split('-').map(Number);
  let age = on.getUTCFullYear() - year;
  const m = on.getUTCMonth() + 1;
  if (m < month || (m === month && on.getUTCDate() < day)) age--;
  return age;
}

function valuesOf(signal: Signal, key: FilterKey): unknown[] {
  const on = new Date(signal.occurredAt!);
  const ages = signal.persons.flatMap((p) => (p.birthDate ? [ageOn(p.birthDate, on)] : []));
  switch (key) {
    case 'violenceTypes':
      return signal.violenceTypes;
    case 'minorInvolved':
      return [ages.some((age) => age < 18)];
    case 'elderInvolved':
      return [ages.some((age) => age >= 65)];
    default:
      return signal[key] === undefined ? [] : [signal[key]];
  }
}

function matches(filter: Rule['filter'], signal: Signal): boolean {
  if (filter !== undefined && 'indicator' in filter) return false;
  return Object.entries(filter ?? {}).every(([key, match]) => {
    const m = match as Match<unknown>;
    const negated = typeof m === 'object' && m !== null && !Array.isArray(m);
    const named = negated ? (m as { not: unknown }).not : m;
    const list = Array.isArray(named) ? named : [named];
    const hit = valuesOf(signal, key as FilterKey).some((v) => list.includes(v));
    return negated ? !hit : hit;
  });
}

function weightOf(rule: Rule, signal: Signal): number {
  if (rule.correlation.type !== 'score') return 0;
  const scores = rule.correlation.weights
    .filter((w) => matches(w.filter, signal))
    .map((w) => w.score);
  return scores.length === 0 ? 0 : Math.max(...scores);
}

function holdsInOrder(steps: { filter: Filter }[], window: Signal[]): boolean {
  const from = (step: number, start: number): boolean =>
    step === steps.length ||
    window.some(
      (m, j) => j >= start && matches(at(steps, step).filter, m) && from(step + 1, j + 1),
    );
  return from(0, 0);
}

/** What a window of a rule holds: signals, or for a rule on indicators, indicators at their raisedAt. */
interface Item {
  id: string;
  t: number;
  signal?: Signal;
  indicator?: OracleIndicator;
}

function itemValues(item: Item, field: string): unknown[] {
  if (item.indicator !== undefined) {
    return [field === 'rule' ? item.indicator.ruleId : item.indicator.level];
  }
  return valuesOf(item.signal!, field as FilterKey);
}

function beforeItem(a: Item, b: Item): number {
  if (a.t !== b.t) return a.t - b.t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** first_seen: the values of `item` that no earlier item of `window` has. */
function newValues(field: string, window: Item[], item: Item): unknown[] {
  const earlier = window
    .filter((m) => beforeItem(m, item) < 0)
    .flatMap((m) => itemValues(m, field));
  return [...new Set(itemValues(item, field))].filter((v) => !earlier.includes(v));
}

function valueAt(rule: Rule, window: Item[], s: Item): number {
  const c = rule.correlation;
  const signals = () => window.map((m) => m.signal!);
  switch (c.type) {
    case 'event_count':
      return window.length;
    case 'value_count':
      return new Set(window.flatMap((m) => itemValues(m, c.field))).size;
    case 'first_seen':
      return newValues(c.field, window, s).length;
    case 'score':
      return signals().reduce((sum, m) => sum + weightOf(rule, m), 0);
    case 'temporal':
      return c.steps.filter((step) => signals().some((m) => matches(step.filter, m))).length;
    case 'temporal_ordered':
      return holdsInOrder(c.steps, signals()) ? c.steps.length : 0;
  }
}
function satisfies(value: number, condition: Record<string, number>): boolean {
  return Object.entries(condition).every(([op, bound]) => {
    switch (op) {
      case 'gt':
        return value > bound;
      case 'gte':
        return value >= bound;
      case 'lt':
        return value < bound;
      case 'lte':
        return value <= bound;
      case 'eq':
        return value === bound;
      default:
        return value !== bound;
    }
  });
}

export type OracleIndicator = Omit<Indicator, 'explanation'>;

/** A rule on signals alone, as before rules on indicators existed. */
export function oracle(rule: Rule, signals: Signal[], householdId: string): OracleIndicator[] {
  return oracleRuleset([rule], signals, householdId).filter((i) => i.ruleId === rule.id);
}

/**
 * Every rule's indicators in one household. A rule on indicators takes the
 * indicators of the rules it names (all rules on signals when it names none)
 * as its items, each at its raisedAt with its indicatorId as id.
 */
export function oracleRuleset(
  rules: Rule[],
  signals: Signal[],
  householdId: string,
): OracleIndicator[] {
  const done = new Map<string, OracleIndicator[]>();
  const of = (rule: Rule): OracleIndicator[] => {
    let result = done.get(rule.id);
    if (result === undefined) {
      result = oracleRule(rule, rules, signals, householdId, of);
      done.set(rule.id, result);
    }
    return result;
  };
  return rules.flatMap(of);
}

function oracleRule(
  rule: Rule,
  rules: Rule[],
  signals: Signal[],
  householdId: string,
  indicatorsOf: (rule: Rule) => OracleIndicator[],
): OracleIndicator[] {
  const c = rule.correlation;
  const span = timespanMs(c.timespan);
  const temporal = c.type === 'temporal' || c.type === 'temporal_ordered';
  const steps = temporal ? c.steps : [];
  const absent = steps.at(-1)?.absent === true ? steps.at(-1) : undefined;
  const present = absent === undefined ? steps : steps.slice(0, -1);
  const stepMatch = (s: Signal) => present.some((step) => matches(step.filter, s));
  const t = (s: Signal) => Date.parse(s.occurredAt!);

  let items: Item[];
  const filter = rule.filter;
  if (filter !== undefined && 'indicator' in filter) {
    const named = filter.indicator.rule;
    const ids =
      named === undefined
        ? rules.filter((r) => !(r.filter !== undefined && 'indicator' in r.filter)).map((r) => r.id)
        : [named].flat();
    const level = filter.indicator.level;
    items = rules
      .filter((r) => ids.includes(r.id))
      .flatMap(indicatorsOf)
      .filter((i) => level === undefined || matchesOne(level, i.level))
      .map((i) => ({ id: i.indicatorId, t: Date.parse(i.raisedAt), indicator: i }));
  } else {
    items = signals
      .filter((s) => matches(filter, s) && (!temporal || stepMatch(s)))
      .map((s) => ({ id: s.id, t: t(s), signal: s }));
  }
  const M = items.sort(beforeItem);
  const W = (s: Item) => M.filter((m) => beforeItem(m, s) <= 0 && m.t >= s.t - span);
  const condition =
    c.type === 'temporal_ordered'
      ? (c.condition ?? { eq: c.steps.length })
      : c.type === 'first_seen'
        ? (c.condition ?? { gte: 1 })
        : c.condition;

  /** With an absent step: `s` is the last present step, after the others in order, and nothing fills the gap. */
  const absentHolds = (s: Item): boolean => {
    const within = timespanMs(absent!.within!);
    const lastStep = present.at(-1)!;
    const earlier = W(s)
      .filter((m) => beforeItem(m, s) < 0)
      .map((m) => m.signal!);
    const filled = signals.some(
      (f) =>
        matches(filter, f) &&
        matches(absent!.filter, f) &&
        beforeItem({ id: f.id, t: t(f) }, s) > 0 &&
        t(f) <= s.t + within,
    );
    return (
      matches(lastStep.filter, s.signal!) && holdsInOrder(present.slice(0, -1), earlier) && !filled
    );
  };
  const valueOf = (s: Item): number =>
    absent === undefined ? valueAt(rule, W(s), s) : absentHolds(s) ? steps.length : 0;
  const offset = absent === undefined ? 0 : timespanMs(absent.within!);

  const firing = M.filter((s) => satisfies(valueOf(s), condition as Record<string, number>));
  const episodes: Item[][] = [];
  firing.forEach((f, i) => {
    const previous = firing[i - 1];
    const open = episodes.at(-1);
    // Firing moments are the members' times plus the offset: the offset cancels out here.
    if (previous === undefined || open === undefined || f.t + offset - span > previous.t + offset)
      episodes.push([f]);
    else open.push(f);
  });
  return episodes.map((episode) => {
    const first = at(episode, 0);
    const last = at(episode, episode.length - 1);
    const union = new Set(episode.flatMap(W));
    const kept = [...union].filter(
      (m) =>
        (c.type !== 'score' || weightOf(rule, m.signal!) > 0) &&
        (c.type !== 'first_seen' || newValues(c.field, W(m), m).length > 0),
    );
    const signalIds = kept.flatMap((m) => (m.indicator ? m.indicator.signalIds : [m.id]));
    return {
      indicatorId: `${rule.id}/${first.id}`,
      ruleId: rule.id,
      ruleVersion: rule.version,
      level: rule.level,
      householdId,
      raisedAt: new Date(first.t + offset).toISOString(),
      lastFiredAt: new Date(last.t + offset).toISOString(),
      value: valueOf(last),
      signalIds: [...new Set(signalIds)].sort(),
    };
  });
}

function matchesOne(match: Match<unknown>, value: unknown): boolean {
  const negated = typeof match === 'object' && match !== null && !Array.isArray(match);
  const named = negated ? (match as { not: unknown }).not : match;
  const hit = (Array.isArray(named) ? named : [named]).includes(value);
  return negated ? !hit : hit;
}
