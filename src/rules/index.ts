/** Correlation rules: loading and validating analysts' YAML, and evaluating it per household. */
export type {
  Condition,
  ConditionOperator,
  Correlation,
  CorrelationType,
  CountedField,
  Filter,
  FilterKey,
  IndicatorFilter,
  OnIndicators,
  Indicator,
  Level,
  Match,
  Rule,
  RuleSource,
  Ruleset,
  Step,
  Weight,
} from './types.js';
export {
  CONDITION_OPERATORS,
  CORRELATION_TYPES,
  FILTER_KEYS,
  INDICATOR_FIELDS,
  LEVELS,
  onIndicators,
} from './types.js';
export { toRuleInput, type RuleInput } from './input.js';
export { parseRules } from './parse.js';
export { loadRuleset } from './load.js';
export { ruleToYaml } from './serialize.js';
export {
  compareRuleInputs,
  compileRule,
  compileRuleset,
  evaluateAcross,
  type CompiledRule,
  type CompiledRuleset,
  type Episode,
  type HouseholdInputs,
} from './evaluate.js';
export { explainContribution } from './explain.js';
