/**
 * The `radar` command as a user meets it: exit codes, what goes to stderr,
 * and the settings a backtest shares with the service.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioFile } from '../fixtures/scenarios.js';
import { ndjson, runCli } from './run-cli.js';

const rules = scenarioFile('rules.yaml');
const dir = mkdtempSync(join(tmpdir(), 'radar-cli-'));

function householdsOf(stdout: string): string[][] {
  return ndjson(stdout)
    .filter((l) => l.type === 'household')
    .map((l) => l.signalIds as string[]);
}

describe('radar backtest', () => {
  it('reads signals from standard input and reports rejected lines with their number', async () => {
    const good =
      '{"id":"S-1","kind":"MELDING","occurredAt":"2024-01-01T00:00:00Z","receivedAt":"2024-01-01T00:00:00Z","region":"VT09","source":"HUISARTS","category":"PARTNERGEWELD","persons":[{"ref":"a"}]}';
    const result = await runCli(
      ['backtest', '--signals', '-', '--rules', rules],
      `${good}\n\nnot json\n{"id":"S-2","kind":"MELDING"}\n${good}\n`,
    );
    expect(result.code).toBe(0);
    expect(householdsOf(result.stdout)).toEqual([['S-1']]);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^line 3: MALFORMED/);
    expect(lines[1]).toMatch(/^line 4: MISSING_FIELD/);
    expect(lines.at(-1)).toBe('read 4, accepted 1, duplicates 1, rejected 2, withdrawn 0');
  });

  it('takes institutional addresses from the service settings file', async () => {
    const config = join(dir, 'radar.yaml');
    writeFileSync(config, "households:\n  institutionalAddresses: ['3511AB|12|A|']\n");
    const signals = scenarioFile('01-one-family-three-sources.ndjson');
    const plain = await runCli(['backtest', '--signals', signals, '--rules', rules]);
    const shelter = await runCli([
      'backtest',
      '--signals',
      signals,
      '--rules',
      rules,
      '--config',
      config,
    ]);
    expect(householdsOf(plain.stdout)).toEqual([['A-1', 'M-1', 'P-1'], ['M-2']]);
    expect(householdsOf(shelter.stdout)).toEqual([['A-1'], ['M-1', 'P-1'], ['M-2']]);
  });

  it('exits 2 for bad arguments, a missing file, bad settings and an invalid ruleset', async () => {
    const badRules = join(dir, 'bad.yaml');
    writeFileSync(
      badRules,
      'id: x\nversion: 0\ntitle: t\nlevel: hoog\ncorrelation: { type: event_count, timespan: 1d, condition: { gte: 1 } }\n',
    );
    const badConfig = join(dir, 'bad-config.yaml');
    writeFileSync(badConfig, 'households:\n  institutionalPersonThreshold: zero\n');
    const signals = scenarioFile('01-one-family-three-sources.ndjson');

    expect((await runCli(['backtest', '--rules', rules])).code).toBe(2);
    const threads = await runCli([
      'backtest',
      '--signals',
      signals,
      '--rules',
      rules,
      '--threads',
      '-1',
    ]);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain('expected 0 or a positive integer');
    expect(
      (await runCli(['backtest', '--signals', join(dir, 'nope.ndjson'), '--rules', rules])).code,
    ).toBe(2);
    const settings = await runCli([
      'backtest',
      '--signals',
      signals,
      '--rules',
      rules,
      '--config',
      badConfig,
    ]);
    expect(settings.code).toBe(2);
    expect(settings.stderr).toContain('CONFIG_INVALID');
    expect(settings.stderr).toContain('households.institutionalPersonThreshold');
    const invalid = await runCli(['backtest', '--signals', signals, '--rules', badRules]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(new RegExp(`${badRules}:2:\\d+ version: `));
  });
});

describe('radar rules validate', () => {
  it('lists the rules of a valid ruleset', async () => {
    const result = await runCli(['rules', 'validate', rules]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('2 rules valid: herhaald-partnergeweld@1, advies-dan-politie@1\n');
  });

  it('reports every problem with file, line and key, and exits 2', async () => {
    const file = join(dir, 'two-problems.yaml');
    writeFileSync(
      file,
      'id: x\nversion: 1\ntitle: t\nlevel: ernstig\nfilter: { kind: MELDNG }\ncorrelation: { type: event_count, timespan: 1d, condition: { gte: 1 } }\n',
    );
    const result = await runCli(['rules', 'validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${file}:4:\\d+ level: `));
    expect(result.stderr).toMatch(new RegExp(`${file}:5:\\d+ filter\\.kind: `));
  });
});
