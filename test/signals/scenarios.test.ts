import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../src/signals/index.js';
import { scenarioFile } from '../fixtures/scenarios.js';

/** The contract's worked examples (test/fixtures/scenarios), input files only. */
const scenarios = [
  '01-one-family-three-sources',
  '02-shelter-does-not-merge',
  '03-late-and-withdrawn',
];

describe('the contract scenarios', () => {
  it.each(scenarios)('%s decodes without rejection or warning', (name) => {
    const text = readFileSync(scenarioFile(`${name}.ndjson`), 'utf8');
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const { warnings } = decodeJson(line);
      expect(warnings).toEqual([]);
    }
  });
});
