/**
 * Issue 14, item 5: a person without a BSN is found by family name and
 * birth date, so two spellings of one name must not split the person, nor
 * the household, in the backtest or in the index the live service keeps.
 */
import { scenarioFile } from '../fixtures/scenarios.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../../src/backtest/index.js';
import { Radar } from '../../src/engine/index.js';
import { parseRules } from '../../src/rules/index.js';
import { decodeJson } from '../../src/signals/index.js';
import { ndjson, runCli } from '../backtest/run-cli.js';
import { spelledName } from './spellings.js';

const rules = scenarioFile('rules.yaml');

/** A police signal about one person without a BSN, each at an address of its own. */
function policeLine(id: string, familyName: string, initials?: string): string {
  return JSON.stringify({
    id,
    kind: 'POLITIE',
    occurredAt: '2024-05-01T22:00:00Z',
    receivedAt: '2024-05-02T08:00:00Z',
    region: 'VT09',
    source: 'POLITIE',
    persons: [
      {
        ref: 'p',
        familyName,
        ...(initials === undefined ? {} : { initials }),
        birthDate: '1990-02-03',
      },
    ],
    address: { postcode: `35${id.slice(-2)}AB`, houseNumber: 1 },
  });
}

/** `threads`: decode workers, 0 for none (the CLI's default is one less than the CPUs). */
async function backtestHouseholds(lines: readonly string[], threads?: number): Promise<string[][]> {
  const args = ['backtest', '--signals', '-', '--rules', rules];
  if (threads !== undefined) args.push('--threads', String(threads));
  const result = await runCli(args, lines.join('\n'));
  expect(result.code).toBe(0);
  return ndjson(result.stdout)
    .filter((line) => line.type === 'household')
    .map((line) => line.signalIds as string[]);
}

/** The households of the radar the live service runs: its index kept up to date signal by signal. */
function indexHouseholds(lines: readonly string[]): string[][] {
  const radar = new Radar({ ruleset: parseRules('', 'empty.yaml') });
  for (const line of lines) {
    radar.ingest(decodeJson(line).signal);
    radar.flush();
  }
  return snapshot(radar).households.map((h) => h.signalIds);
}

describe('two police signals without BSN, one name spelled two ways', () => {
  it.each([
    ['Yılmaz', 'Yilmaz', 'M.', 'M.'],
    ['YILMAZ', 'Yılmaz', undefined, 'M.'],
    ['van ’t Hek', "Hek, van 't", 'J.', 'j'],
    ['Wiśniewski', 'Wis\u0301niewski', 'Ł.', 'L.'],
    ['Øztürk', 'Ozturk', 'İ.', 'I.'],
  ])('%s and %s are one household', async (first, second, firstInitials, secondInitials) => {
    const lines = [
      policeLine('P-01', first, firstInitials),
      policeLine('P-02', second, secondInitials),
    ];
    expect(await backtestHouseholds(lines)).toEqual([['P-01', 'P-02']]);
    expect(await backtestHouseholds(lines, 0)).toEqual([['P-01', 'P-02']]);
    expect(await backtestHouseholds(lines, 1)).toEqual([['P-01', 'P-02']]);
    expect(indexHouseholds(lines)).toEqual([['P-01', 'P-02']]);
  });

  it('stay apart when the names differ', async () => {
    const lines = [policeLine('P-01', 'Yılmaz'), policeLine('P-02', 'Yilmas')];
    expect(await backtestHouseholds(lines)).toEqual([['P-01'], ['P-02']]);
    expect(indexHouseholds(lines)).toEqual([['P-01'], ['P-02']]);
  });

  it('are one household in the backtest and in the index for any two spellings', async () => {
    await fc.assert(
      fc.asyncProperty(spelledName, async ({ spellings }) => {
        const lines = [policeLine('P-01', spellings[0]!), policeLine('P-02', spellings[1]!)];
        expect(await backtestHouseholds(lines)).toEqual([['P-01', 'P-02']]);
        expect(indexHouseholds(lines)).toEqual([['P-01', 'P-02']]);
      }),
      { numRuns: 60 },
    );
  });
});
