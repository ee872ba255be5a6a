/** Rules back to YAML, so rules built or edited in code can be written as analysts write them. */
import { Document, isMap, isScalar, visit } from 'yaml';
import type { Correlation, Rule } from './types.js';

/** Keys in the order the contract documents them; lists of values and conditions in flow style. */
export function ruleToYaml(rule: Rule): string {
  const doc = new Document({
    id: rule.id,
    version: rule.version,
    title: rule.title,
    ...(rule.description !== undefined && { description: rule.description }),
    level: rule.level,
    ...(rule.filter !== undefined && { filter: rule.filter }),
    correlation: orderedCorrelation(rule.correlation),
  });
  visit(doc, {
    Seq(_, node) {
      if (node.items.every(isScalar)) node.flow = true;
    },
    Map(_, node) {
      // `{ not: X }` reads as one value; a nested block would look like a filter key.
      const [only] = node.items;
      if (node.items.length === 1 && isScalar(only?.key) && only.key.value === 'not') {
        node.flow = true;
      }
    },
  });
  const condition = doc.getIn(['correlation', 'condition'], true);
  if (isMap(condition)) condition.flow = true;
  return doc.toString({ flowCollectionPadding: false });
}

function orderedCorrelation(correlation: Correlation): Record<string, unknown> {
  const { type, timespan } = correlation;
  const condition = correlation.condition === undefined ? {} : { condition: correlation.condition };
  switch (correlation.type) {
    case 'event_count':
      return { type, timespan, ...condition };
    case 'value_count':
    case 'first_seen':
      return { type, timespan, field: correlation.field, ...condition };
    case 'score':
      return {
        type,
        timespan,
        weights: correlation.weights.map((w) => ({ score: w.score, filter: w.filter })),
        ...condition,
      };
    case 'temporal':
    case 'temporal_ordered':
      return {
        type,
        timespan,
        steps: correlation.steps.map((s) => ({
          name: s.name,
          ...(s.absent === true && { absent: s.absent, within: s.within }),
          filter: s.filter,
        })),
        ...condition,
      };
  }
}
