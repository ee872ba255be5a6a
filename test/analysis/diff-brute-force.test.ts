/**
 * `radar rules diff` in one pass (households formed once, both rulesets on
 * each) against a brute-force recomputation: two whole backtests, one a
 * ruleset, their indicator lines compared id by id.
 */
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffRulesets } from '../../src/analysis/diff-run.js';
import { changedFields, ruleChanged, type RulesDiff } from '../../src/analysis/rules-diff.js';
import { runBacktest } from '../../src/backtest/index.js';
import { Radar } from '../../src/engine/index.js';
import {
  loadRuleset,
  onIndicators,
  type Indicator,
  type Rule,
  type Ruleset,
} from '../../src/rules/index.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { seeded, testSeed } from '../helpers/seed.js';

const shipped = await loadRuleset(fileURLToPath(new URL('../../rules/', import.meta.url)));

async function backtestIndicators(text: string, ruleset: Ruleset): Promise<Map<string, Indicator>> {
  let output = '';
  await runBacktest({
    input: Readable.from([text]),
    radar: new Radar({ ruleset, formOnce: true }),
    out: new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    }),
    onRejected: () => {},
  });
  const indicators = new Map<string, Indicator>();
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const parsed = JSON.parse(line);
    if (parsed.type === 'indicator') indicators.set(parsed.indicatorId, parsed);
  }
  return indicators;
}

/** The diff as plain ids, worked out from two full backtests. */
function bruteForce(
  base: Map<string, Indicator>,
  candidate: Map<string, Indicator>,
  ids: string[],
) {
  return ids.map((ruleId) => {
    const of = (m: Map<string, Indicator>) => [...m.values()].filter((i) => i.ruleId === ruleId);
    const b = of(base);
    const c = of(candidate);
    const onlyInBase = b.filter((i) => !candidate.has(i.indicatorId));
    const onlyInCandidate = c.filter((i) => !base.has(i.indicatorId));
    const both = b.filter((i) => candidate.has(i.indicatorId));
    const changed = both.filter((i) => {
      const other = candidate.get(i.indicatorId)!;
      return (
        i.level !== other.level ||
        i.value !== other.value ||
        JSON.stringify(i.signalIds) !== JSON.stringify(other.signalIds) ||
        i.raisedAt !== other.raisedAt ||
        i.lastFiredAt !== other.lastFiredAt
      );
    });
    const households = new Set(
      [...onlyInBase, ...onlyInCandidate, ...changed].map((i) => i.householdId),
    );
    return {
      ruleId,
      onlyInBase: onlyInBase.map((i) => i.indicatorId).sort(),
      onlyInCandidate: onlyInCandidate.map((i) => i.indicatorId).sort(),
      changed: changed.map((i) => i.indicatorId).sort(),
      unchanged: both.length - changed.length,
      householdsAffected: households.size,
    };
  });
}

function asIds(diff: RulesDiff) {
  return diff.rules.map((rule) => ({
    ruleId: rule.ruleId,
    onlyInBase: rule.onlyInBase.map((i) => i.indicatorId).sort(),
    onlyInCandidate: rule.onlyInCandidate.map((i) => i.indicatorId).sort(),
    changed: rule.changed.map((c) => c.base.indicatorId).sort(),
    unchanged: rule.unchanged,
    householdsAffected: rule.householdsAffected,
  }));
}

/** `rule` with every threshold of its condition one higher. */
function raisedThreshold(rule: Rule): Rule {
  const condition = { ...('condition' in rule.correlation ? rule.correlation.condition : {}) };
  for (const op of ['gte', 'gt'] as const) if (condition[op] !== undefined) condition[op] += 1;
  return { ...rule, correlation: { ...rule.correlation, condition } };
}

/** `rule` looking back half as far. */
function halvedTimespan(rule: Rule): Rule {
  const [, n, unit] = /^(\d+)([smhd])$/.exec(rule.correlation.timespan)!;
  const timespan = `${Math.max(1, Math.floor(Number(n) / 2))}${unit}`;
  return { ...rule, correlation: { ...rule.correlation, timespan } };
}

async function diffOf(text: string, base: Ruleset, candidate: Ruleset): Promise<RulesDiff> {
  return (
    await diffRulesets({ input: Readable.from([text]), base, candidate, onRejected: () => {} })
  ).diff;
}

describe('radar rules diff against two whole backtests', () => {
  it('reports exactly the indicators that change, rule by rule', async () => {
    const seed = testSeed('rules diff against two backtests');
    const random = seeded(seed);
    const text = `${[...generateSignalLines({ count: 4000, seed: 1 + (seed % 1000) })].join('\n')}\n`;
    const rules = [...shipped.rules];
    const thresholds = rules.filter(
      (r) => 'condition' in r.correlation && r.correlation.condition?.gte,
    );
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
    const raised = pick(thresholds);
    const halved = pick(rules.filter((r) => r !== raised));
    // The renamed rule reads signals: a rule on indicators sees the raised and
    // halved rules' indicators change, so its renamed copy fires differently.
    const dropped = pick(
      rules.filter((r) => r !== raised && r !== halved && !onIndicators(r.filter)),
    );
    const candidate: Ruleset = {
      rules: [
        ...rules
          .filter((r) => r !== dropped)
          .map((r) => (r === raised ? raisedThreshold(r) : r === halved ? halvedTimespan(r) : r)),
        { ...dropped, id: `${dropped.id}-nieuw` },
      ],
      sources: shipped.sources,
    };
    console.log(`raised ${raised.id}, halved ${halved.id}, renamed ${dropped.id}`);

    const diff = await diffOf(text, shipped, candidate);
    const [baseIndicators, candidateIndicators] = await Promise.all([
      backtestIndicators(text, shipped),
      backtestIndicators(text, candidate),
    ]);
    const ids = diff.rules.map((r) => r.ruleId);
    expect(ids).toEqual([...new Set([...rules, ...candidate.rules].map((r) => r.id))].sort());
    expect(asIds(diff)).toEqual(bruteForce(baseIndicators, candidateIndicators, ids));

    for (const rule of diff.rules) {
      for (const c of rule.changed) expect(c.fields).toEqual(changedFields(c.base, c.candidate));
      expect(rule.in).toBe(
        rule.ruleId === dropped.id
          ? 'base'
          : rule.ruleId === `${dropped.id}-nieuw`
            ? 'candidate'
            : 'both',
      );
    }
    const renamed = diff.rules.find((r) => r.ruleId === dropped.id)!;
    expect(renamed.onlyInBase.length).toBe(
      diff.rules.find((r) => r.ruleId === `${dropped.id}-nieuw`)!.onlyInCandidate.length,
    );
    // Something changes where the rules changed; the diff said so exactly above.
    expect(diff.rules.filter(ruleChanged).length).toBeGreaterThan(0);
  });

  it('reports no change for any rule when the candidate is the base', async () => {
    const text = `${[...generateSignalLines({ count: 2000, seed: 5 })].join('\n')}\n`;
    const diff = await diffOf(text, shipped, shipped);
    expect(diff.rules.filter(ruleChanged)).toEqual([]);
    const total = [...(await backtestIndicators(text, shipped)).values()].length;
    expect(diff.rules.reduce((n, r) => n + r.unchanged, 0)).toBe(total);
  });
});
