/**
 * `radar rules diff` as a user meets it: what it prints, the report it
 * writes, the progress bar on a terminal, and exit 2 for bad arguments.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../backtest/run-cli.js';
import { diffSetup, shippedRules } from '../helpers/rules-diff-setup.js';

const shipped = shippedRules;
let dir: string;
let signals: string;
let candidate: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'radar-rules-diff-'));
  ({ signals, candidate } = diffSetup(dir, 11));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const diffArgs = () => [
  'rules',
  'diff',
  '--signals',
  signals,
  '--base',
  shipped,
  '--candidate',
  candidate,
  '--threads',
  '0',
];

describe('radar rules diff', () => {
  it('prints per rule what changes, and that the rules left alone did not', async () => {
    const { code, stdout, stderr } = await runCli(diffArgs());
    expect(code).toBe(0);
    const summaries = stdout.split('\n').filter((l) => l !== '' && !l.startsWith('  '));
    const hermelding = summaries.find((l) => l.startsWith('hermelding:'));
    expect(hermelding).toMatch(
      /^hermelding: [1-9]\d* only in base, \d+ only in candidate, 0 changed, 0 unchanged; [1-9]\d* households affected$/,
    );
    for (const line of summaries.filter((l) => l !== hermelding).slice(0, -1)) {
      expect(line).toMatch(/^[a-z0-9-]+: no change \(\d+ indicators? unchanged\)$/);
    }
    expect(summaries.at(-1)).toMatch(/^\d+ rules over \d+ households: 1 changed, \d+ unchanged$/);
    const removed = stdout.split('\n').filter((l) => l.startsWith('  - hermelding/'));
    expect(removed.length).toBe(Number(/(\d+) only in base/.exec(hermelding!)![1]));
    expect(stderr).toMatch(/^read 3000, accepted \d+/m);
  });

  it('reads standard input, and writes a report that names no person', async () => {
    const report = join(dir, 'report.html');
    const args = diffArgs();
    args[3] = '-';
    const { code, stderr } = await runCli(
      [...args, '--report', report],
      readFileSync(signals, 'utf8'),
    );
    expect(code).toBe(0);
    expect(stderr).toContain(`report written to ${report}`);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<table id="summary">');
    expect(html).toContain('<section class="rule" id="rule-hermelding">');
    expect(html).toContain('<svg class="month-chart"');
    expect(html).toContain('<svg class="household"');
    expect(html).toContain('<td class="removed">-   condition: { gte: 2 }</td>');
    expect(html).toContain('<td class="added">+   condition: { gte: 3 }</td>');
    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    const text = readFileSync(signals, 'utf8');
    // A birth date that is also some signal's date may show as that signal's date.
    const signalDates = new Set(
      [...text.matchAll(/"occurredAt":"(\d{4}-\d\d-\d\d)/g)].map((m) => m[1]),
    );
    const personal = new Set(
      [...text.matchAll(/"(bsn|familyName|birthDate)":"([^"]+)"/g)]
        .map((m) => m[2]!)
        .filter((value) => !signalDates.has(value)),
    );
    expect(personal.size).toBeGreaterThan(100);
    for (const value of personal) expect(html).not.toContain(value);
  });

  it('shows a progress bar on standard error when it is a terminal', async () => {
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const chunks: Buffer[] = [];
    stderr.on('data', (c: Buffer) => chunks.push(c));
    const code = await main(diffArgs(), {
      stdin: Readable.from([]),
      stdout: new PassThrough().resume(),
      stderr,
    });
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).toString()).toMatch(
      /evaluating \[[^\]]*\] 100% \| (\d+)\/\1 households/,
    );
  });

  it('exits 2 for a missing option, an invalid ruleset and a signal file that does not exist', async () => {
    expect((await runCli(diffArgs().slice(0, -4))).code).toBe(2);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'id: bad\nversion: 0\n');
    const invalid = diffArgs();
    invalid[7] = bad;
    const result = await runCli(invalid);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml:');
    const missing = diffArgs();
    missing[3] = join(dir, 'missing.ndjson');
    expect((await runCli(missing)).code).toBe(2);
  });
});
