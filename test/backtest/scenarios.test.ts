/**
 * The contract's worked examples (test/fixtures/scenarios): households compared by their
 * signal ids, indicators by every field but the explanation, timestamps as
 * instants, household ids only for consistency between the two kinds of line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioDir, scenarioFile } from '../fixtures/scenarios.js';
import { ndjson, runCli } from './run-cli.js';

const scenarios = readdirSync(scenarioDir)
  .filter((f) => f.endsWith('.ndjson') && !f.endsWith('.expected.ndjson'))
  .map((f) => f.replace(/\.ndjson$/, ''));

type Line = Record<string, unknown>;

function comparable(lines: Line[]): unknown[] {
  const householdOf = new Map<unknown, string>();
  for (const l of lines)
    if (l.type === 'household') householdOf.set(l.householdId, (l.signalIds as string[]).join(','));
  return lines.map((l) => {
    if (l.type === 'household') return { ...l, householdId: undefined };
    const { explanation: _explanation, ...rest } = l;
    return {
      ...rest,
      householdId: householdOf.get(l.householdId),
      raisedAt: Date.parse(l.raisedAt as string),
      lastFiredAt: Date.parse(l.lastFiredAt as string),
    };
  });
}

describe('radar backtest on the contract scenarios', () => {
  it('finds the scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(3);
  });

  it.each(scenarios)('%s', async (name) => {
    const result = await runCli([
      'backtest',
      '--signals',
      scenarioFile(`${name}.ndjson`),
      '--rules',
      scenarioFile('rules.yaml'),
    ]);
    expect(result.code).toBe(0);
    const actual = ndjson(result.stdout);
    const expected = ndjson(readFileSync(scenarioFile(`${name}.expected.ndjson`), 'utf8'));
    expect(comparable(actual)).toEqual(comparable(expected));
    for (const line of actual.filter((l) => l.type === 'indicator')) {
      expect(line.explanation).toEqual(expect.stringContaining(String(line.ruleId)));
    }
    expect(result.stderr).toMatch(
      /read \d+, accepted \d+, duplicates 0, rejected 0, withdrawn \d+\n$/,
    );
  });
});
