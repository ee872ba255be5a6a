/**
 * What changes between two rulesets' indicators on the same households,
 * rule by rule. Pure: fed one household at a time, with both rulesets'
 * indicators for it, so a history of millions of signals is never held as
 * two lists of indicators; only the indicators that change are kept.
 *
 * An indicator of one ruleset matches the other's with the same
 * `indicatorId` (its rule and its first firing signal, CONTRACT §4). A
 * matched pair is changed when its level, value, signals or period
 * (`raisedAt`, `lastFiredAt`) differ; the rule's version and the
 * explanation, which follow from those, are not compared.
 */
import { byCodeUnits } from '../engine/household-summary.js';
import type { Indicator } from '../rules/index.js';

export const CHANGED_FIELDS = ['level', 'value', 'signals', 'period'] as const;
export type ChangedField = (typeof CHANGED_FIELDS)[number];

export interface ChangedIndicator {
  base: Indicator;
  candidate: Indicator;
  fields: ChangedField[];
}

/** Where a household of a diff is in the radar's households: the first pass's number for it. */
export type HouseholdRef = number;

export interface RuleDiff {
  ruleId: string;
  /** Which rulesets have the rule. */
  in: 'both' | 'base' | 'candidate';
  onlyInBase: Indicator[];
  onlyInCandidate: Indicator[];
  changed: ChangedIndicator[];
  unchanged: number;
  /** How many changed indicators differ in each field. */
  changedBy: Record<ChangedField, number>;
  /** Households with an indicator of this rule only in base, only in candidate or changed. */
  householdsAffected: number;
  /** Indicators per month of `raisedAt` (`YYYY-MM`), all of them, in each ruleset. */
  months: Map<string, { base: number; candidate: number }>;
}

export interface RulesDiff {
  /** Every rule of either ruleset, in id order. */
  rules: RuleDiff[];
  households: number;
  /** A household of each changed indicator, by household id: to draw it. */
  householdRefs: Map<string, HouseholdRef>;
}

/** Whether a rule's indicators changed at all. */
export function ruleChanged(rule: RuleDiff): boolean {
  return rule.onlyInBase.length + rule.onlyInCandidate.length + rule.changed.length > 0;
}

/** The fields in which two versions of one indicator differ, as the diff counts them. */
export function changedFields(base: Indicator, candidate: Indicator): ChangedField[] {
  const fields: ChangedField[] = [];
  if (base.level !== candidate.level) fields.push('level');
  if (!Object.is(base.value, candidate.value)) fields.push('value');
  if (
    base.signalIds.length !== candidate.signalIds.length ||
    base.signalIds.some((id, i) => id !== candidate.signalIds[i])
  )
    fields.push('signals');
  if (base.raisedAt !== candidate.raisedAt || base.lastFiredAt !== candidate.lastFiredAt)
    fields.push('period');
  return fields;
}

function month(indicator: Indicator): string {
  return indicator.raisedAt.slice(0, 7);
}

class RuleDiffBuilder {
  readonly diff: RuleDiff;
  private readonly affected = new Set<string>();

  constructor(ruleId: string, where: RuleDiff['in']) {
    this.diff = {
      ruleId,
      in: where,
      onlyInBase: [],
      onlyInCandidate: [],
      changed: [],
      unchanged: 0,
      changedBy: { level: 0, value: 0, signals: 0, period: 0 },
      householdsAffected: 0,
      months: new Map(),
    };
  }

  count(indicator: Indicator, side: 'base' | 'candidate'): void {
    const key = month(indicator);
    let counts = this.diff.months.get(key);
    if (counts === undefined) this.diff.months.set(key, (counts = { base: 0, candidate: 0 }));
    counts[side]++;
  }

  affects(householdId: string): void {
    this.affected.add(householdId);
  }

  finish(): RuleDiff {
    this.diff.householdsAffected = this.affected.size;
    this.diff.months = new Map([...this.diff.months].sort(([a], [b]) => byCodeUnits(a, b)));
    return this.diff;
  }
}

/** Accumulates a diff household by household; `finish` gives it. */
export class RulesDiffBuilder {
  private readonly rules = new Map<string, RuleDiffBuilder>();
  private households = 0;
  private readonly householdRefs = new Map<string, HouseholdRef>();

  constructor(baseRuleIds: Iterable<string>, candidateRuleIds: Iterable<string>) {
    const base = new Set(baseRuleIds);
    const candidate = new Set(candidateRuleIds);
    for (const id of [...new Set([...base, ...candidate])].sort(byCodeUnits)) {
      const where = base.has(id) ? (candidate.has(id) ? 'both' : 'base') : 'candidate';
      this.rules.set(id, new RuleDiffBuilder(id, where));
    }
  }

  private rule(ruleId: string): RuleDiffBuilder {
    const rule = this.rules.get(ruleId);
    if (rule === undefined)
      throw new RangeError(`an indicator of rule ${ruleId}, which neither ruleset has`);
    return rule;
  }

  /** One household's indicators under each ruleset; `ref` finds the household again. */
  addHousehold(
    base: readonly Indicator[],
    candidate: readonly Indicator[],
    ref: HouseholdRef,
  ): void {
    this.households++;
    const candidateById = new Map(candidate.map((i) => [i.indicatorId, i]));
    const touched = (rule: RuleDiffBuilder, householdId: string) => {
      rule.affects(householdId);
      this.householdRefs.set(householdId, ref);
    };
    for (const b of base) {
      const rule = this.rule(b.ruleId);
      rule.count(b, 'base');
      const c = candidateById.get(b.indicatorId);
      if (c === undefined) {
        rule.diff.onlyInBase.push(b);
        touched(rule, b.householdId);
        continue;
      }
      candidateById.delete(b.indicatorId);
      const fields = changedFields(b, c);
      if (fields.length === 0) {
        rule.diff.unchanged++;
        continue;
      }
      rule.diff.changed.push({ base: b, candidate: c, fields });
      for (const field of fields) rule.diff.changedBy[field]++;
      touched(rule, b.householdId);
    }
    for (const c of candidate) {
      const rule = this.rule(c.ruleId);
      rule.count(c, 'candidate');
      if (!candidateById.has(c.indicatorId)) continue;
      rule.diff.onlyInCandidate.push(c);
      touched(rule, c.householdId);
    }
  }

  finish(): RulesDiff {
    const byId = (a: Indicator, b: Indicator) => byCodeUnits(a.indicatorId, b.indicatorId);
    const rules = [...this.rules.values()].map((builder) => {
      const rule = builder.finish();
      rule.onlyInBase.sort(byId);
      rule.onlyInCandidate.sort(byId);
      rule.changed.sort((a, b) => byId(a.base, b.base));
      return rule;
    });
    return { rules, households: this.households, householdRefs: this.householdRefs };
  }
}

function period(i: Indicator): string {
  return `${i.raisedAt}..${i.lastFiredAt}`;
}

function indicatorText(i: Indicator): string {
  return `${i.indicatorId} ${i.householdId} ${i.level} value ${i.value} ${period(i)} [${i.signalIds.join(',')}]`;
}

const FIELD_TEXT: Record<ChangedField, (i: Indicator) => string> = {
  level: (i) => i.level,
  value: (i) => String(i.value),
  signals: (i) => `[${i.signalIds.join(',')}]`,
  period: period,
};

/** A rule's summary line: its counts, or that nothing changed. */
export function ruleSummary(rule: RuleDiff): string {
  const where =
    rule.in === 'both' ? '' : rule.in === 'base' ? ' (only in base)' : ' (only in candidate)';
  const total = rule.unchanged + rule.changed.length;
  if (!ruleChanged(rule)) {
    return `${rule.ruleId}${where}: no change (${total} indicator${total === 1 ? '' : 's'} unchanged)`;
  }
  const by = CHANGED_FIELDS.filter((f) => rule.changedBy[f] > 0)
    .map((f) => `${f} ${rule.changedBy[f]}`)
    .join(', ');
  return (
    `${rule.ruleId}${where}: ${rule.onlyInBase.length} only in base, ` +
    `${rule.onlyInCandidate.length} only in candidate, ` +
    `${rule.changed.length} changed${by === '' ? '' : ` (${by})`}, ` +
    `${rule.unchanged} unchanged; ${rule.householdsAffected} household${rule.householdsAffected === 1 ? '' : 's'} affected`
  );
}

/**
 * The diff as text: per rule its summary line, then for a rule that changed
 * each indicator only in base (`-`), only in candidate (`+`) or changed
 * (`~`, field by field).
 */
export function* rulesDiffLines(diff: RulesDiff): Generator<string> {
  for (const rule of diff.rules) {
    yield ruleSummary(rule);
    for (const i of rule.onlyInBase) yield `  - ${indicatorText(i)}`;
    for (const i of rule.onlyInCandidate) yield `  + ${indicatorText(i)}`;
    for (const { base, candidate, fields } of rule.changed) {
      const what = fields
        .map((f) => `${f} ${FIELD_TEXT[f](base)} -> ${FIELD_TEXT[f](candidate)}`)
        .join('; ');
      yield `  ~ ${base.indicatorId} ${base.householdId}: ${what}`;
    }
  }
  const changed = diff.rules.filter(ruleChanged).length;
  yield `${diff.rules.length} rules over ${diff.households} households: ${changed} changed, ${diff.rules.length - changed} unchanged`;
}
