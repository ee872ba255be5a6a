/**
 * `ruleIndicatorLine` written as UTF-8 straight into a `Utf8Writer`, newline
 * and all: the same bytes, without the line as a string or its encoded copy.
 */
import { outOfRange } from '../at.js';
import type { Indicator, Rule } from '../rules/index.js';
import { encoded, type Utf8Writer } from './utf8-writer.js';

// The text between the values, encoded once.
const START = encoded('{"type":"indicator","indicatorId":');
const RAISED_AT = encoded('","raisedAt":"');
const LAST_FIRED_AT = encoded('","lastFiredAt":"');
const VALUE = encoded('","value":');
const SIGNAL_IDS = encoded(',"signalIds":[');
const EXPLANATION = encoded('],"explanation":');
const COMMA = 0x2c;
const CLOSE = 0x7d;
const NEWLINE = 0x0a;

/** Writes the lines of one rule's indicators; the rule's fields are set down once. */
export function ruleIndicatorWriter(
  rule: Pick<Rule, 'id' | 'version' | 'level'>,
): (writer: Utf8Writer, i: Indicator) => void {
  const ruleFields = encoded(
    `,"ruleId":${JSON.stringify(rule.id)},"ruleVersion":${Number.isFinite(rule.version) ? String(rule.version) : 'null'},"level":${JSON.stringify(rule.level)},"householdId":"`,
  );
  return (writer, i) => {
    writer.raw(START);
    writer.jsonString(i.indicatorId);
    // As `ruleIndicatorLine`: the fields the radar writes itself go without the check for characters to escape.
    writer.raw(ruleFields);
    writer.text(i.householdId);
    writer.raw(RAISED_AT);
    writer.text(i.raisedAt);
    writer.raw(LAST_FIRED_AT);
    writer.text(i.lastFiredAt);
    writer.raw(VALUE);
    writer.jsonNumber(i.value);
    writer.raw(SIGNAL_IDS);
    const { signalIds } = i;
    for (let k = 0; k < signalIds.length; k++) {
      if (k > 0) writer.byte(COMMA);
      writer.jsonString(signalIds[k] ?? outOfRange(signalIds, k));
    }
    writer.raw(EXPLANATION);
    writer.jsonString(i.explanation);
    writer.byte(CLOSE);
    writer.byte(NEWLINE);
  };
}
