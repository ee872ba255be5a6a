/**
 * What the `radar rules diff` tests diff: a synthetic history and a copy of
 * the shipped rules with one threshold raised (hermelding's `gte: 2` to 3).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { generateSignalLines } from '../../src/synthetic/generate.js';

export const shippedRules = fileURLToPath(new URL('../../rules/', import.meta.url));

/** Writes `signals.ndjson` and `candidate/` into `dir`. */
export function diffSetup(dir: string, seed: number): { signals: string; candidate: string } {
  const signals = join(dir, 'signals.ndjson');
  writeFileSync(signals, `${[...generateSignalLines({ count: 3000, seed })].join('\n')}\n`);
  const candidate = join(dir, 'candidate');
  cpSync(shippedRules, candidate, { recursive: true });
  const file = join(candidate, 'hermelding.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('condition: { gte: 2 }');
  writeFileSync(file, text.replace('condition: { gte: 2 }', 'condition: { gte: 3 }'));
  return { signals, candidate };
}
