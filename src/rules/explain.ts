/**
 * Explanations in Dutch for a Veilig Thuis professional: which rule and
 * version, what it measures, the threshold, the value reached, the period
 * and the signals by id, kind and date. They name no person: signals are
 * referred to by id only, so no name, BSN or birth date can leak into them.
 */
import { formatCondition } from './condition.js';
import { longDate, shortDate } from './dates.js';
import {
  compileFilter,
  compileMatch,
  filterEntries,
  matchValues,
  readField,
  type FieldValue,
} from './filter.js';
import type { RuleInput } from './input.js';
import { fieldLabel, keyLabel, valueLabel } from './labels.js';
import type { Point } from './order.js';
import { formatTimespanDutch } from './timespan.js';
import {
  onIndicators,
  type Condition,
  type Correlation,
  type CountedField,
  type Filter,
  type FilterKey,
  type IndicatorFilter,
  type Match,
  type Rule,
} from './types.js';

/** What the evaluator knows about one episode. */
export interface EpisodeFacts {
  value: number;
  raisedAt: number;
  lastFiredAt: number;
  /**
   * The episode's contributing members in (occurredAt, id) order, each with
   * what it added: signals, or for a rule on indicators, indicators.
   */
  signals: readonly { input: Point; detail: string | undefined }[];
}

/**
 * Builds the explanation of a rule's indicators. What depends only on the
 * rule is put together once, since a backtest explains many indicators.
 */
export function explainer(rule: Rule): (facts: EpisodeFacts) => string {
  const head = `Regel ${rule.id} (versie ${rule.version}, ${rule.title}): `;
  const threshold = ` (drempel: ${formatCondition(conditionOf(rule.correlation))})`;
  let counted: string;
  let listed = 'Signalen';
  if (onIndicators(rule.filter)) {
    counted = `, geteld over indicatoren ${describeIndicatorFilter(rule.filter.indicator)}. `;
    listed = 'Indicatoren';
  } else {
    const filter = describeFilter(rule.filter);
    counted = filter === '' ? '. ' : `, geteld over signalen met ${filter}. `;
  }
  const measure = measureOf(rule.correlation);
  return (facts) => {
    const first = facts.signals[0]?.input.t ?? facts.raisedAt;
    const from = longDate(first);
    const raised = longDate(facts.raisedAt);
    const last = longDate(facts.lastFiredAt);
    const period = from === last ? `op ${from}` : `van ${from} tot en met ${last}`;
    const reached =
      raised === last
        ? `drempel bereikt op ${raised}`
        : `drempel voor het eerst bereikt op ${raised}, voor het laatst op ${last}`;
    let signals = '';
    for (const { input, detail } of facts.signals) {
      if (signals !== '') signals += ', ';
      signals += `${input.id} (${describeSignal(input)}${detail ? `, ${detail}` : ''})`;
    }
    // A score rule can fire on weights of 0 or less, leaving no signal to name.
    // Joined, not templated: the indicator keeps this text, and a template
    // would keep a tree of all its pieces alive with it.
    return [
      head,
      measure(facts.value),
      threshold,
      counted,
      `Periode: ${period}; ${reached}. ${listed}: ${signals || 'geen'}.`,
    ].join('');
  };
}

/** The condition evaluation applies, with the defaults of `temporal_ordered` and `first_seen` filled in. */
export function conditionOf(correlation: Correlation): Condition {
  if (correlation.type === 'temporal_ordered') {
    return correlation.condition ?? { eq: correlation.steps.length };
  }
  if (correlation.type === 'first_seen') return correlation.condition ?? { gte: 1 };
  return correlation.condition;
}

function measureOf(correlation: Correlation): (value: number) => string {
  const within = `binnen ${formatTimespanDutch(correlation.timespan)}`;
  switch (correlation.type) {
    case 'event_count':
      return (value) => `${value} ${value === 1 ? 'signaal' : 'signalen'} ${within}`;
    case 'value_count': {
      const field = fieldLabel(correlation.field);
      return (value) =>
        `${value} verschillende ${value === 1 ? 'waarde' : 'waarden'} van ${field} ${within}`;
    }
    case 'score':
      return (value) => `score ${value} ${within}`;
    case 'temporal': {
      const names = correlation.steps.map((step) => step.name).join(', ');
      const of = `van de ${correlation.steps.length} stappen (${names}) ${within}`;
      return (value) => `${value} ${of}`;
    }
    case 'temporal_ordered': {
      const steps = correlation.steps.length;
      const absent =
        correlation.steps.at(-1)?.absent === true ? correlation.steps.at(-1) : undefined;
      const present = absent === undefined ? correlation.steps : correlation.steps.slice(0, -1);
      if (absent !== undefined) {
        const pattern =
          present.length === 1
            ? `stap ${present.map((step) => step.name).join('')}`
            : `de stappen ${present.map((step) => step.name).join(', daarna ')} in deze volgorde ${within}`;
        const then = `, en daarna binnen ${formatTimespanDutch(absent.within ?? '')} geen ${absent.name}`;
        return (value) => `${pattern}${then}: waarde ${value}`;
      }
      const names = `de stappen ${present.map((step) => step.name).join(', daarna ')}`;
      return (value) =>
        `${names} ${value === steps ? 'in deze volgorde' : 'niet in deze volgorde'} ${within}: waarde ${value}`;
    }
    case 'first_seen': {
      const field = fieldLabel(correlation.field);
      const before = `in de ${formatTimespanDutch(correlation.timespan)} ervoor`;
      return (value) =>
        `${value} ${value === 1 ? 'waarde' : 'waarden'} van ${field} die ${before} niet voorkwam${value === 1 ? '' : 'en'}`;
    }
  }
}

/** `van regel a of b met niveau hoog`, or `van elke regel op signalen`. */
function describeIndicatorFilter(filter: IndicatorFilter): string {
  const rules = filter.rule === undefined ? [] : [filter.rule].flat();
  const of = rules.length === 0 ? 'van elke regel op signalen' : `van regel ${rules.join(' of ')}`;
  if (filter.level === undefined) return of;
  const { values, negated } = matchValues(filter.level);
  return `${of} met niveau ${negated ? 'niet ' : ''}${values.join(' of ')}`;
}

/** A signal by kind and date; an indicator a rule on indicators counts, by date alone (its id names its rule). */
function describeSignal(input: Point): string {
  const kind = 'kind' in input ? valueLabel('kind', (input as RuleInput).kind) : 'indicator';
  return `${kind}, ${shortDate(input.t)}`;
}

function describeMatch(key: FilterKey, match: Match<FieldValue>): string {
  const { values, negated } = matchValues(match);
  const named = values.map((value) => valueLabel(key, value)).join(' of ');
  if (!negated) return named;
  return values.length === 1 ? `niet ${named}` : `niet (${named})`;
}

/** `soort: melding of politiesignaal; veiligheid: niet veilig`, or '' for no filter. */
function describeFilter(filter: Filter | undefined): string {
  return filterEntries(filter)
    .map(([key, match]) => `${keyLabel(key)}: ${describeMatch(key, match)}`)
    .join('; ');
}

function describeCounted(field: CountedField, input: RuleInput): string {
  // A rule on signals counts filter keys only; the loader refuses indicator fields there.
  if (field === 'rule' || field === 'level') return 'geen waarde';
  return describeValues(field, readField(input, field));
}

function describeValues(key: FilterKey, values: readonly FieldValue[]): string {
  return values.length === 0 ? 'geen waarde' : values.map((v) => valueLabel(key, v)).join(', ');
}

function explainFilterKeys(prefix: string, filter: Filter | undefined, input: RuleInput): string[] {
  return filterEntries(filter).map(([key, match]) => {
    const passes = compileMatch(key, match)(input);
    return `${prefix} ${keyLabel(key)}: ${describeValues(key, readField(input, key))} ${
      passes ? 'voldoet aan' : 'voldoet niet aan'
    } ${describeMatch(key, match)}`;
  });
}

/**
 * Why one signal does or does not count for a rule: each filter key, each
 * weight or step, and what the signal adds. For an API that explains an
 * indicator signal by signal.
 */
export function explainContribution(rule: Rule, input: RuleInput): string[] {
  if (onIndicators(rule.filter)) {
    return [
      `Signaal ${input.id} (${describeSignal(input)}) telt niet rechtstreeks mee voor regel ${rule.id} (versie ${rule.version}): die telt indicatoren ${describeIndicatorFilter(rule.filter.indicator)}.`,
    ];
  }
  const inFilter = compileFilter(rule.filter)(input);
  const lines = explainFilterKeys('filter', rule.filter, input);
  const correlation = rule.correlation;
  let counts = inFilter;
  switch (correlation.type) {
    case 'event_count':
      break;
    case 'value_count':
    case 'first_seen':
      lines.push(
        `telt de waarde van ${fieldLabel(correlation.field)}: ${describeCounted(correlation.field, input)}`,
      );
      break;
    case 'score': {
      let best: number | undefined;
      correlation.weights.forEach((weight, index) => {
        const passes = compileFilter(weight.filter)(input);
        if (passes && (best === undefined || weight.score > best)) best = weight.score;
        lines.push(
          `gewicht ${index + 1} (score ${weight.score}, ${describeFilter(weight.filter) || 'alle signalen'}): ${passes ? 'past' : 'past niet'}`,
        );
      });
      lines.push(`hoogste passende gewicht: ${best ?? 0}`);
      counts = inFilter && (best ?? 0) > 0;
      break;
    }
    case 'temporal':
    case 'temporal_ordered': {
      let anyStep = false;
      correlation.steps.forEach((step) => {
        const passes = compileFilter(step.filter)(input);
        anyStep ||= passes && step.absent !== true;
        lines.push(
          `${step.absent === true ? 'afwezige stap' : 'stap'} ${step.name} (${describeFilter(step.filter) || 'alle signalen'}): ${passes ? 'past' : 'past niet'}`,
        );
      });
      counts = inFilter && anyStep;
      break;
    }
  }
  lines.unshift(
    `Signaal ${input.id} (${describeSignal(input)}) telt ${counts ? 'mee' : 'niet mee'} voor regel ${rule.id} (versie ${rule.version}).`,
  );
  return lines;
}
