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

function matches(filter: Filter | undefined, signal: Signal): boolean {
  return Object.entries(filter ?? {}).every(([key, match]) => {
    const m = match as Match<unknown>;
    const negated = typeof m === 'object' && m !== null && !Array.isArray(m);
    const named = negated ? (m as { not: unknown }).not : m;
    const list = Array.isArray(named) ? named : [named];
    const hit = valuesOf(signal, key as FilterKey).some((v) => list.includes(v));
    return negated ? !hit : hit;
  });
}

function before(a: Signal, b: Signal): number {
  const d = Date.parse(a.occurredAt!) - Date.parse(b.occurredAt!);
  if (d !== 0) return d;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
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

function valueAt(rule: Rule, window: Signal[]): number {
  const c = rule.correlation;
  switch (c.type) {
    case 'event_count':
      return window.length;
    case 'value_count':
      return new Set(window.flatMap((m) => valuesOf(m, c.field))).size;
    case 'score':
      return window.reduce((sum, m) => sum + weightOf(rule, m), 0);
    case 'temporal':
      return c.steps.filter((step) => window.some((m) => matches(step.filter, m))).length;
    case 'temporal_ordered':
      return holdsInOrder(c.steps, window) ? c.steps.length : 0;
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

export function oracle(rule: Rule, signals: Signal[], householdId: string): OracleIndicator[] {
  const c = rule.correlation;
  const temporal = c.type === 'temporal' || c.type === 'temporal_ordered';
  const stepMatch = (s: Signal) => temporal && c.steps.some((step) => matches(step.filter, s));
  const M = signals
    .filter((s) => matches(rule.filter, s) && (!temporal || stepMatch(s)))
    .sort(before);
  const span = timespanMs(c.timespan);
  const t = (s: Signal) => Date.parse(s.occurredAt!);
  const W = (s: Signal) => M.filter((m) => before(m, s) <= 0 && t(m) >= t(s) - span);
  const condition =
    c.type === 'temporal_ordered' ? (c.condition ?? { eq: c.steps.length }) : c.condition;

  const firing = M.filter((s) =>
    satisfies(valueAt(rule, W(s)), condition as Record<string, number>),
  );
  const episodes: Signal[][] = [];
  firing.forEach((f, i) => {
    const previous = firing[i - 1];
    const open = episodes.at(-1);
    if (previous === undefined || open === undefined || t(f) - span > t(previous))
      episodes.push([f]);
    else open.push(f);
  });
  return episodes.map((episode) => {
    const first = at(episode, 0);
    const last = at(episode, episode.length - 1);
    const union = new Set(episode.flatMap(W));
    const kept = [...union].filter(
      (m) => (c.type !== 'score' || weightOf(rule, m) > 0) && (!temporal || stepMatch(m)),
    );
    return {
      indicatorId: `${rule.id}/${first.id}`,
      ruleId: rule.id,
      ruleVersion: rule.version,
      level: rule.level,
      householdId,
      raisedAt: new Date(t(first)).toISOString(),
      lastFiredAt: new Date(t(last)).toISOString(),
      value: valueAt(rule, W(last)),
      signalIds: kept.map((m) => m.id).sort(),
    };
  });
}
