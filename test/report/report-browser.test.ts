/**
 * The `radar rules diff` report in a real browser: Debian's headless
 * Chromium, with no network, opens it without a console message of any
 * kind (an error, a refused or failed load), and its script has run and
 * its summary, charts, household drawings and rule texts are there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../backtest/run-cli.js';
import { ensureChromium, openHeadless } from '../helpers/chromium.js';
import { diffSetup, shippedRules } from '../helpers/rules-diff-setup.js';

const shipped = shippedRules;
let dir: string;
let chromium: string;
let report: string;

beforeAll(async () => {
  chromium = ensureChromium();
  dir = mkdtempSync(join(tmpdir(), 'radar-report-'));
  const { signals, candidate } = diffSetup(dir, 4);
  report = join(dir, 'report.html');
  const result = await runCli([
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
    '--report',
    report,
  ]);
  expect(result.code).toBe(0);
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the rules diff report in headless Chromium', () => {
  it('renders without a console message or a network request, and shows its summary, charts, households and rule texts', async () => {
    const page = await openHeadless(chromium, report);
    expect(page.console).toEqual([]);
    expect(page.network).toEqual([]);
    expect(page.dom).toContain('<body data-ready="yes">');
    const rows = page.dom.match(/<tr class="(changed|unchanged)" data-rule=/g) ?? [];
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(page.dom).toContain('<tr class="changed" data-rule="hermelding">');
    expect(page.dom).toMatch(/<svg class="month-chart"[^>]*>.*<rect class="bar base"/s);
    expect((page.dom.match(/<svg class="household"/g) ?? []).length).toBeGreaterThan(0);
    expect(page.dom).toMatch(/<g class="node person"[^>]*><title>P1 /);
    expect(page.dom).toContain('<td class="added">+   condition: { gte: 3 }</td>');
  });

  it('would see a console error, and a load from the network, on a page that has them', async () => {
    const bad = join(dir, 'bad.html');
    writeFileSync(
      bad,
      '<!doctype html><body><img src="https://example.org/x.png"><script>missing();</script></body>',
    );
    const page = await openHeadless(chromium, bad);
    expect(page.console.some((line) => line.includes('Uncaught ReferenceError'))).toBe(true);
    expect(page.network).toEqual(['https://example.org/x.png']);
  });
});
