/** Signal lines for the integration tests: the worked scenarios and a deterministic shuffle. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioDir, scenarioFile } from '../fixtures/scenarios.js';
import { seeded } from '../helpers/seed.js';

export { scenarioDir };
export const scenarioRules = scenarioFile('rules.yaml');

/** Every signal line of the worked scenarios, file by file. */
export function scenarioLines(): string[] {
  return readdirSync(scenarioDir)
    .filter((f) => f.endsWith('.ndjson') && !f.endsWith('.expected.ndjson'))
    .sort()
    .flatMap((f) => readFileSync(join(scenarioDir, f), 'utf8').split('\n'))
    .filter((l) => l.trim() !== '');
}

/** Deterministic Fisher–Yates shuffle. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const random = seeded(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
