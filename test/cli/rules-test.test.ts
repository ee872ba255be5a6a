/**
 * `radar rules test`: the shipped rules pass; a threshold changed without
 * its fixture fails with the exact difference; `--update` writes what the
 * fixture raises now; bad arguments and invalid rules exit 2.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../backtest/run-cli.js';

const shipped = fileURLToPath(new URL('../../rules/', import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'radar-rules-test-'));
  cpSync(shipped, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The shipped `hermelding` asks for two meldingen; three leaves its fixture's one indicator out. */
function raiseHermeldingThreshold(): void {
  const file = join(dir, 'hermelding.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('condition: { gte: 2 }');
  writeFileSync(file, text.replace('condition: { gte: 2 }', 'condition: { gte: 3 }'));
}

describe('radar rules test', () => {
  it('passes on the shipped rules, one line a rule, and exits 0', async () => {
    const { code, stdout } = await runCli(['rules', 'test', dir]);
    const lines = stdout.trim().split('\n');
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatch(/^(\d+) rules: \1 passed, 0 failed$/);
    for (const line of lines.slice(0, -1))
      expect(line).toMatch(/^pass [a-z0-9-]+ \(\d+ indicators?\)$/);
  });

  it('fails with the exact difference after a threshold changes without its fixture, and exits 1', async () => {
    raiseHermeldingThreshold();
    const { code, stdout } = await runCli(['rules', 'test', dir]);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    const at = lines.indexOf('FAIL hermelding: 1 missing, 0 extra, 0 different');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe(
      '  missing hermelding/HM-5: ' +
        readFileSync(join(dir, 'fixtures/hermelding.expected.ndjson'), 'utf8').trim(),
    );
    expect(lines.filter((l) => l.startsWith('FAIL'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^(\d+) rules: \d+ passed, 1 failed$/);
  });

  it('names each field that differs', async () => {
    const file = join(dir, 'fixtures/hermelding.expected.ndjson');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"value":2', '"value":5'));
    const { code, stdout } = await runCli(['rules', 'test', dir]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      'FAIL hermelding: 0 missing, 0 extra, 1 different\n  different hermelding/HM-5:\n    value: expected 5, got 2\n',
    );
  });

  it('with --update rewrites the expected file, after which the fixture passes', async () => {
    raiseHermeldingThreshold();
    const update = await runCli(['rules', 'test', dir, '--update', 'hermelding']);
    expect(update.code).toBe(0);
    expect(update.stdout).toContain('  missing hermelding/HM-5:');
    expect(update.stdout).toContain(
      `updated ${join(dir, 'fixtures', 'hermelding.expected.ndjson')}`,
    );
    expect(readFileSync(join(dir, 'fixtures/hermelding.expected.ndjson'), 'utf8')).toBe('');
    expect((await runCli(['rules', 'test', dir])).code).toBe(0);
  });

  it('reports a rule without a fixture, and a fixture line the backtest rejects, as failures', async () => {
    rmSync(join(dir, 'fixtures/hermelding.ndjson'));
    const signals = join(dir, 'fixtures/meerdere-bronnen.ndjson');
    writeFileSync(signals, `${readFileSync(signals, 'utf8')}not json\n`);
    const { code, stdout } = await runCli(['rules', 'test', dir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}FIXTURE_MISSING: no fixture .*hermelding\.ndjson$/m);
    expect(stdout).toMatch(
      /^ {2}FIXTURE_SIGNAL_REJECTED: .*meerdere-bronnen\.ndjson line \d+: MALFORMED$/m,
    );
    expect((await runCli(['rules', 'test', dir, '--update', 'hermelding'])).code).toBe(1);
  });

  it('exits 2 for an unknown rule to update, an invalid ruleset and a path that does not exist', async () => {
    const unknown = await runCli(['rules', 'test', dir, '--update', 'no-such-rule']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^radar: RULE_NOT_FOUND: /);
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken\nversion: 0\n');
    const invalid = await runCli(['rules', 'test', dir]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('broken.yaml:');
    expect((await runCli(['rules', 'test', join(dir, 'missing')])).code).toBe(2);
    expect((await runCli(['rules', 'test', dir, '--no-such-option'])).code).toBe(2);
  });

  it('tests the rules of one file against the fixtures beside it', async () => {
    const { code, stdout } = await runCli(['rules', 'test', join(dir, 'hermelding.yaml')]);
    expect(code).toBe(0);
    expect(stdout).toBe('pass hermelding (1 indicator)\n1 rule: 1 passed, 0 failed\n');
  });
});
