/** Signal lines for the integration tests: the worked scenarios and a deterministic shuffle. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SignalRejectedError } from '../../src/errors.js';
import { decodeJson } from '../../src/signals/index.js';
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

/**
 * What the door (the decoder and validator every message passes) rejects
 * among the lines, by reason code; an id sent again with other content is
 * rejected only later, by the fold, and is not counted here.
 */
export function doorRejections(lines: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    try {
      decodeJson(line);
    } catch (error) {
      if (!(error instanceof SignalRejectedError)) throw error;
      counts.set(error.code, (counts.get(error.code) ?? 0) + 1);
    }
  }
  return counts;
}
