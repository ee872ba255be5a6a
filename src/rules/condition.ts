/** `correlation.condition`: comparisons on the value at a signal, ANDed. */
import type { Condition, ConditionOperator } from './types.js';

const HOLDS: Record<ConditionOperator, (value: number, bound: number) => boolean> = {
  gt: (value, bound) => value > bound,
  gte: (value, bound) => value >= bound,
  lt: (value, bound) => value < bound,
  lte: (value, bound) => value <= bound,
  eq: (value, bound) => value === bound,
  neq: (value, bound) => value !== bound,
};

/**
 * In words, not symbols: the professionals who read explanations are no
 * mathematicians, and plain ASCII text takes half the memory of text with
 * one `≥` in it, for every indicator a backtest holds.
 */
const WORDS: Record<ConditionOperator, string> = {
  gt: 'meer dan',
  gte: 'minstens',
  lt: 'minder dan',
  lte: 'hoogstens',
  eq: 'precies',
  neq: 'niet',
};

function entries(condition: Condition): [ConditionOperator, number][] {
  return Object.entries(condition) as [ConditionOperator, number][];
}

export function compileCondition(condition: Condition): (value: number) => boolean {
  const checks = entries(condition).map(([op, bound]) => {
    const holds = HOLDS[op];
    return (value: number) => holds(value, bound);
  });
  return (value) => {
    for (const check of checks) if (!check(value)) return false;
    return true;
  };
}

/** `{ gte: 3, lt: 10 }` → `minstens 3 en minder dan 10`. */
export function formatCondition(condition: Condition): string {
  return entries(condition)
    .map(([op, bound]) => `${WORDS[op]} ${bound}`)
    .join(' en ');
}
