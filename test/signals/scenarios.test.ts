import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../src/signals/index.js';

/** Copies of the contract's worked examples (/work/shared/scenarios), input files only. */
const scenarios = [
  '01-one-family-three-sources',
  '02-shelter-does-not-merge',
  '03-late-and-withdrawn',
];

describe('the contract scenarios', () => {
  it.each(scenarios)('%s decodes without rejection or warning', (name) => {
    const text = readFileSync(new URL(`fixtures/${name}.ndjson`, import.meta.url), 'utf8');
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const { warnings } = decodeJson(line);
      expect(warnings).toEqual([]);
    }
  });
});
