/**
 * The sample of changed indicators a report draws: a few a rule, chosen
 * deterministically, each with its household read again from the signal
 * file (the first pass keeps no persons, addresses or relations).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { DiffRun } from '../analysis/diff-run.js';
import { ruleChanged, type RulesDiff } from '../analysis/rules-diff.js';
import type { HouseholdIndexOptions } from '../graph/household-index.js';
import type { Indicator } from '../rules/index.js';
import { decodeJson } from '../signals/index.js';
import type { Signal } from '../signals/types.js';
import type { DrawnSample } from './diff-report.js';
import { drawHousehold, householdSvg } from './household-drawing.js';

export interface Sample {
  ruleId: string;
  indicatorId: string;
  change: DrawnSample['change'];
  detail: string;
  householdId: string;
  base: Indicator | undefined;
  candidate: Indicator | undefined;
}

/**
 * Up to `perRule` indicators of each rule whose indicators changed, taken
 * in turn from its changed, only-in-candidate and only-in-base ones, each
 * list in indicator id order.
 */
export function chooseSamples(diff: RulesDiff, perRule = 3): Sample[] {
  const samples: Sample[] = [];
  for (const rule of diff.rules.filter(ruleChanged)) {
    const lists: Sample[][] = [
      rule.changed.map(({ base, candidate, fields }) => ({
        ruleId: rule.ruleId,
        indicatorId: base.indicatorId,
        change: 'changed',
        detail: fields.join(', '),
        householdId: base.householdId,
        base,
        candidate,
      })),
      rule.onlyInCandidate.map((candidate) => ({
        ruleId: rule.ruleId,
        indicatorId: candidate.indicatorId,
        change: 'only in candidate',
        detail: '',
        householdId: candidate.householdId,
        base: undefined,
        candidate,
      })),
      rule.onlyInBase.map((base) => ({
        ruleId: rule.ruleId,
        indicatorId: base.indicatorId,
        change: 'only in base',
        detail: '',
        householdId: base.householdId,
        base,
        candidate: undefined,
      })),
    ];
    const chosen: Sample[] = [];
    for (let i = 0; chosen.length < perRule && lists.some((l) => i < l.length); i++) {
      for (const list of lists) {
        const sample = list[i];
        if (sample !== undefined && chosen.length < perRule) chosen.push(sample);
      }
    }
    samples.push(...chosen);
  }
  return samples;
}

const ID = /"id"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/** The signals with these ids in an NDJSON file, each as first accepted; unreadable lines skipped. */
export async function readSignalsById(
  path: string,
  ids: ReadonlySet<string>,
): Promise<Map<string, Signal>> {
  const found = new Map<string, Signal>();
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    // Most lines are not wanted: only those whose id looks wanted are decoded.
    const id = ID.exec(line)?.[1];
    if (id === undefined) continue;
    try {
      if (!ids.has(JSON.parse(`"${id}"`) as string)) continue;
      const { signal } = decodeJson(line);
      if (!found.has(signal.id)) found.set(signal.id, signal);
    } catch {
      // A line the backtest rejects is in no household.
    }
  }
  return found;
}

/** Each sample with its household drawn, from the signal file read once more. */
export async function drawSamples(
  samples: readonly Sample[],
  run: Pick<DiffRun, 'diff' | 'signalIdsOf'>,
  signalsPath: string,
  households: HouseholdIndexOptions,
): Promise<DrawnSample[]> {
  const signalIds = new Map<string, string[]>();
  for (const { householdId } of samples) {
    const ref = run.diff.householdRefs.get(householdId);
    if (ref !== undefined && !signalIds.has(householdId))
      signalIds.set(householdId, run.signalIdsOf(ref));
  }
  const wanted = new Set([...signalIds.values()].flat());
  const signals =
    wanted.size === 0 ? new Map<string, Signal>() : await readSignalsById(signalsPath, wanted);
  return samples.map((sample) => {
    const indicator = sample.candidate ?? sample.base;
    const ids = signalIds.get(sample.householdId) ?? [];
    const own = ids.flatMap((id) => signals.get(id) ?? []);
    const drawing =
      indicator === undefined
        ? undefined
        : drawHousehold(own, {
            ...households,
            anchor: indicator.signalIds[0] ?? '',
            on: Date.parse(indicator.lastFiredAt),
            ...(sample.base && { baseSignals: new Set(sample.base.signalIds) }),
            ...(sample.candidate && { candidateSignals: new Set(sample.candidate.signalIds) }),
          });
    return {
      ruleId: sample.ruleId,
      indicatorId: sample.indicatorId,
      change: sample.change,
      detail: sample.detail,
      svg:
        drawing === undefined
          ? undefined
          : householdSvg(drawing, `household of ${sample.indicatorId}`),
    };
  });
}
