/**
 * `radar rules diff` without the command line: one pass over the signals
 * forms the households once, as a backtest does, and both rulesets are then
 * evaluated on each household in turn.
 */
import { at } from '../at.js';
import { readAndSettle, type BacktestCounts, type BacktestInput } from '../backtest/index.js';
import { Radar } from '../engine/index.js';
import type { HouseholdIndexOptions } from '../graph/household-index.js';
import { compileRuleset, type Ruleset } from '../rules/index.js';
import {
  householdCount,
  householdInputs,
  type PackedHouseholds,
} from '../rules/packed-households.js';
import { RulesDiffBuilder, type HouseholdRef, type RulesDiff } from './rules-diff.js';

export interface DiffRunOptions extends Omit<BacktestInput, 'radar'> {
  base: Ruleset;
  candidate: Ruleset;
  households?: HouseholdIndexOptions;
  /** Called as households are evaluated: how many so far, of how many. */
  onHouseholds?: (done: number, total: number) => void;
}

export interface DiffRun {
  diff: RulesDiff;
  counts: BacktestCounts;
  /** The signal ids of a household the diff names (`RulesDiff.householdRefs`). */
  signalIdsOf(ref: HouseholdRef): string[];
}

/** How often `onHouseholds` is called: each call may redraw a progress bar. */
const PROGRESS_EVERY = 1024;

export async function diffRulesets(options: DiffRunOptions): Promise<DiffRun> {
  const { base, candidate, households, onHouseholds, ...input } = options;
  // The radar's own ruleset is never evaluated: it only forms the households.
  const radar = new Radar({ ruleset: base, formOnce: true, ...households });
  const counts = await readAndSettle({ ...input, radar });
  const { households: packed } = radar.packedRuleWork();
  const diff = evaluateBoth(packed, base, candidate, onHouseholds);
  return {
    diff,
    counts,
    signalIdsOf: (ref) => householdInputs(packed, ref).map((i) => i.id),
  };
}

/** Both rulesets on every household, the households' inputs unpacked once for the two. */
export function evaluateBoth(
  packed: PackedHouseholds,
  base: Ruleset,
  candidate: Ruleset,
  onHouseholds?: (done: number, total: number) => void,
): RulesDiff {
  const compiledBase = compileRuleset(base);
  const compiledCandidate = compileRuleset(candidate);
  const builder = new RulesDiffBuilder(
    base.rules.map((r) => r.id),
    candidate.rules.map((r) => r.id),
  );
  const total = householdCount(packed);
  for (let h = 0; h < total; h++) {
    const inputs = householdInputs(packed, h);
    const id = at(packed.householdIds, h);
    builder.addHousehold(
      compiledBase.evaluate(inputs, id),
      compiledCandidate.evaluate(inputs, id),
      h,
    );
    if (onHouseholds !== undefined && (h % PROGRESS_EVERY === 0 || h === total - 1))
      onHouseholds(h + 1, total);
  }
  return builder.finish();
}
