/**
 * The `radar backtest` output of CONTRACT §4, shared by `radar export` so the
 * two can be compared byte for byte.
 */
import { at } from '../at.js';
import { byCodeUnits, type HouseholdSummary } from '../engine/household-summary.js';
import type { Indicator, Rule } from '../rules/index.js';

/** Households by smallest signal id, then indicators by rule, raisedAt, id. */
export function* radarOutputLines(
  households: readonly HouseholdSummary[],
  indicators: readonly Indicator[],
): Generator<string> {
  yield* householdLines(households);
  yield* indicatorLines(indicators);
}

export function householdLines(households: readonly HouseholdSummary[]): Generator<string> {
  return orderedHouseholdLines(
    [...households].sort((a, b) => byCodeUnits(at(a.signalIds, 0), at(b.signalIds, 0))),
  );
}

/** `householdLines` of households already by smallest signal id (`Radar.householdSummariesInOrder`). */
export function* orderedHouseholdLines(households: Iterable<HouseholdSummary>): Generator<string> {
  for (const h of households) {
    yield `{"type":"household","householdId":${jsonString(h.householdId)},"signalIds":[${jsonStrings(h.signalIds)}],"personCount":${jsonNumber(h.personCount)}}`;
  }
}

/** One rule's or many rules' indicators, by rule, raisedAt, id. */
export function* indicatorLines(indicators: readonly Indicator[]): Generator<string> {
  // Parsed once, not in the comparator: sorting calls it n log n times.
  const sorted = indicators
    .map((indicator) => ({ indicator, raisedAt: Date.parse(indicator.raisedAt) }))
    .sort(
      (a, b) =>
        byCodeUnits(a.indicator.ruleId, b.indicator.ruleId) ||
        a.raisedAt - b.raisedAt ||
        byCodeUnits(a.indicator.indicatorId, b.indicator.indicatorId),
    );
  for (const { indicator } of sorted) yield indicatorLine(indicator);
}

/** An indicator's output line, without the newline. */
export function indicatorLine(i: Indicator): string {
  return `{"type":"indicator","indicatorId":${jsonString(i.indicatorId)},"ruleId":${jsonString(i.ruleId)},"ruleVersion":${jsonNumber(i.ruleVersion)},"level":${jsonString(i.level)},"householdId":${jsonString(i.householdId)},"raisedAt":${jsonString(i.raisedAt)},"lastFiredAt":${jsonString(i.lastFiredAt)},"value":${jsonNumber(i.value)},"signalIds":[${jsonStrings(i.signalIds)}],"explanation":${JSON.stringify(i.explanation)}}`;
}

/**
 * `indicatorLine` for the indicators of one rule, made by the hundred
 * thousand in a backtest: the rule's fields set down once, and the fields
 * the radar writes itself without the check for characters to escape,
 * which they never have (a household id is `H-` and hex digits, a time an
 * ISO 8601 instant). Only the ids that come from signals are checked.
 */
export function ruleIndicatorLine(
  rule: Pick<Rule, 'id' | 'version' | 'level'>,
): (i: Indicator) => string {
  const ruleFields = `,"ruleId":${jsonString(rule.id)},"ruleVersion":${jsonNumber(rule.version)},"level":${jsonString(rule.level)}`;
  return (i) =>
    `{"type":"indicator","indicatorId":${jsonString(i.indicatorId)}${ruleFields},"householdId":"${i.householdId}","raisedAt":"${i.raisedAt}","lastFiredAt":"${i.lastFiredAt}","value":${jsonNumber(i.value)},"signalIds":[${jsonStrings(i.signalIds)}],"explanation":${JSON.stringify(i.explanation)}}`;
}

/*
 * The lines are written field by field rather than by `JSON.stringify` of an
 * object: the same text (the tests hold them to it), in half the time, and
 * the output of a million signals is hundreds of thousands of lines.
 */

/** `JSON.stringify(text)`, skipped for text of printable ASCII without `"` or `\`, which it leaves as it is. */
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(text);
  }
  return `"${text}"`;
}

function jsonStrings(texts: readonly string[]): string {
  let list = '';
  // A JSON string is never empty: the list is empty only before the first.
  for (const text of texts) list += (list === '' ? '' : ',') + jsonString(text);
  return list;
}

/** As `JSON.stringify` writes a number: `null` for NaN and the infinities. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
