/** Reading NDJSON fixture files: signals through the contract's own decoder, expected lines as data. */
import { readFileSync } from 'node:fs';
import { decodeJson } from '../../src/signals/index.js';
import type { Indicator } from '../../src/rules/index.js';
import type { Signal } from '../../src/signals/types.js';
import { at } from '../../src/at.js';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** Every line must decode as a contract-valid signal without warnings. */
export function readSignals(path: string): Signal[] {
  return lines(path).map((line, i) => {
    const { signal, warnings } = decodeJson(line);
    if (warnings.length > 0) {
      throw new Error(`${path}:${i + 1}: ${warnings.map((w) => w.code).join(', ')}`);
    }
    return signal;
  });
}

export type ExpectedLine =
  | { type: 'household'; householdId: string; signalIds: string[]; personCount: number }
  | ({ type: 'indicator' } & Omit<Indicator, 'explanation'>);

export function readExpected(path: string): ExpectedLine[] {
  return lines(path).map((line) => JSON.parse(line) as ExpectedLine);
}

/** An indicator as the expected files hold it: CONTRACT §4 without `explanation`. */
export function asExpectedLine({ explanation: _, ...rest }: Indicator): ExpectedLine {
  return { type: 'indicator', ...rest };
}

/** CONTRACT §4's order: ruleId, then raisedAt, then indicatorId. */
export function byContractOrder(a: Indicator, b: Indicator): number {
  const key = (i: Indicator) => [i.ruleId, i.raisedAt, i.indicatorId] as const;
  const [x, y] = [key(a), key(b)];
  for (const [i, part] of x.entries()) if (part !== y[i]) return part < at(y, i) ? -1 : 1;
  return 0;
}
