/**
 * The contract's worked examples, from the rules' side: households are taken from the
 * expected output (computing them is the graph's job) and the scenario
 * rules must raise exactly the expected indicators in them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRuleset, parseRules, toRuleInput } from '../../src/rules/index.js';
import { scenarioDir, scenarioFile } from '../fixtures/scenarios.js';
import { asExpectedLine, byContractOrder, readExpected, readSignals } from './fixtures.js';

const ruleset = parseRules(readFileSync(scenarioFile('rules.yaml'), 'utf8'), 'rules.yaml');
const compiled = compileRuleset(ruleset);
const scenarios = readdirSync(scenarioDir)
  .filter((name) => name.endsWith('.expected.ndjson'))
  .map((name) => name.replace('.expected.ndjson', ''));

describe('contract scenarios', () => {
  it('are all found', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(3);
  });

  it.each(scenarios)('%s raises exactly the expected indicators', (name) => {
    const inputs = new Map(readSignals(scenarioFile(`${name}.ndjson`)).map((s) => [s.id, s]));
    const expected = readExpected(scenarioFile(`${name}.expected.ndjson`));
    const indicators = expected.flatMap((line) =>
      line.type === 'household'
        ? compiled.evaluate(
            line.signalIds.map((id) => toRuleInput(inputs.get(id)!)),
            line.householdId,
          )
        : [],
    );
    expect(indicators.sort(byContractOrder).map(asExpectedLine)).toEqual(
      expected.filter((line) => line.type === 'indicator'),
    );
    for (const indicator of indicators) expect(indicator.explanation).toMatch(/^Regel /);
  });
});
