/** What changed between two sets of indicators: the events a fold reports. */
import type { Indicator } from '../rules/index.js';

export type IndicatorEventType = 'RAISED' | 'UPDATED' | 'WITHDRAWN';

export interface IndicatorChange {
  type: IndicatorEventType;
  /** For WITHDRAWN, the indicator as it last stood. */
  indicator: Indicator;
}

/** Whether two versions of one indicator show the same: no UPDATED event between them. */
export function sameIndicator(a: Indicator, b: Indicator): boolean {
  return (
    a.householdId === b.householdId &&
    a.ruleVersion === b.ruleVersion &&
    a.level === b.level &&
    a.raisedAt === b.raisedAt &&
    a.lastFiredAt === b.lastFiredAt &&
    a.value === b.value &&
    a.explanation === b.explanation &&
    a.signalIds.length === b.signalIds.length &&
    a.signalIds.every((id, i) => id === b.signalIds[i])
  );
}

/** The changes from `before` to `after` (each by indicator id), in indicator id order. */
export function indicatorChanges(
  before: ReadonlyMap<string, Indicator>,
  after: ReadonlyMap<string, Indicator>,
): IndicatorChange[] {
  const changes: IndicatorChange[] = [];
  for (const [id, indicator] of after) {
    const old = before.get(id);
    if (old === undefined) changes.push({ type: 'RAISED', indicator });
    else if (!sameIndicator(old, indicator)) changes.push({ type: 'UPDATED', indicator });
  }
  for (const [id, indicator] of before) {
    if (!after.has(id)) changes.push({ type: 'WITHDRAWN', indicator });
  }
  return changes.sort((a, b) => (a.indicator.indicatorId < b.indicator.indicatorId ? -1 : 1));
}
