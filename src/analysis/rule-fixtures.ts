/**
 * A rule's regression fixture (Sigma style): `fixtures/<id>.ndjson` beside
 * the rules, and `fixtures/<id>.expected.ndjson`, the rule's indicator lines
 * without `explanation`. The fixture is run through the backtest itself, so
 * a fixture passes exactly when a backtest of it raises the expected
 * indicators. Households are named `H1`, `H2`, … in the order the backtest
 * writes them (by smallest signal id), as a household id is a hash an
 * analyst cannot work out by hand.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runBacktest } from '../backtest/index.js';
import { Radar } from '../engine/index.js';
import type { Indicator, Ruleset } from '../rules/index.js';

/** An indicator line of an expected file: CONTRACT §4 without `explanation`. */
export type ExpectedIndicator = { type: 'indicator' } & Omit<Indicator, 'explanation'>;

/** The fields of an indicator in the order the backtest writes them. */
const FIELDS = [
  'indicatorId',
  'ruleId',
  'ruleVersion',
  'level',
  'householdId',
  'raisedAt',
  'lastFiredAt',
  'value',
  'signalIds',
] as const;

export interface FieldDifference {
  field: (typeof FIELDS)[number];
  expected: unknown;
  actual: unknown;
}

export interface FixtureResult {
  ruleId: string;
  pass: boolean;
  /** What the backtest of the fixture raised for this rule, in output order. */
  actual: ExpectedIndicator[];
  /** Expected, not raised. */
  missing: ExpectedIndicator[];
  /** Raised, not expected. */
  extra: ExpectedIndicator[];
  /** Raised and expected under one `indicatorId`, with the fields that differ. */
  different: { indicatorId: string; fields: FieldDifference[] }[];
  /** Why the fixture could not be run as it stands: a file missing, a line rejected. */
  problems: FixtureProblem[];
}

export interface FixtureProblem {
  code: 'FIXTURE_MISSING' | 'EXPECTED_MISSING' | 'FIXTURE_SIGNAL_REJECTED';
  message: string;
}

export function fixturePaths(fixturesDir: string, ruleId: string) {
  return {
    signals: join(fixturesDir, `${ruleId}.ndjson`),
    expected: join(fixturesDir, `${ruleId}.expected.ndjson`),
  };
}

/**
 * Backtests a fixture's signals with the whole ruleset (a rule may build on
 * others' indicators) and returns the indicators of `ruleId`, households
 * renamed `H1`, `H2`, …, and the lines the backtest rejected.
 */
export async function fixtureIndicators(
  ruleset: Ruleset,
  ruleId: string,
  signalsText: string,
): Promise<{ indicators: ExpectedIndicator[]; rejected: string[] }> {
  const lines: string[] = [];
  let pending = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const parts = (pending + chunk.toString('utf8')).split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts);
      done();
    },
  });
  const rejected: string[] = [];
  await runBacktest({
    input: Readable.from([signalsText]),
    radar: new Radar({ ruleset, formOnce: true }),
    out,
    onRejected: (line, error) => rejected.push(`line ${line}: ${error.code}`),
  });
  if (pending !== '') lines.push(pending);
  const names = new Map<string, string>();
  const indicators: ExpectedIndicator[] = [];
  for (const line of lines) {
    const parsed = JSON.parse(line) as { type: string; householdId: string };
    if (parsed.type === 'household') {
      names.set(parsed.householdId, `H${names.size + 1}`);
      continue;
    }
    const { explanation: _, ...indicator } = parsed as ExpectedIndicator & Indicator;
    if (indicator.ruleId !== ruleId) continue;
    indicators.push({ ...indicator, householdId: names.get(indicator.householdId) ?? '?' });
  }
  return { indicators, rejected };
}

/** Expected minus actual, field by field, matched on `indicatorId`. */
export function compareIndicators(
  expected: readonly ExpectedIndicator[],
  actual: readonly ExpectedIndicator[],
): Pick<FixtureResult, 'missing' | 'extra' | 'different'> {
  const byId = new Map(actual.map((i) => [i.indicatorId, i]));
  const expectedIds = new Set(expected.map((i) => i.indicatorId));
  const missing: ExpectedIndicator[] = [];
  const different: FixtureResult['different'] = [];
  for (const want of expected) {
    const got = byId.get(want.indicatorId);
    if (got === undefined) {
      missing.push(want);
      continue;
    }
    const fields = FIELDS.filter(
      (field) => JSON.stringify(want[field]) !== JSON.stringify(got[field]),
    ).map((field) => ({ field, expected: want[field], actual: got[field] }));
    if (fields.length > 0) different.push({ indicatorId: want.indicatorId, fields });
  }
  return { missing, extra: actual.filter((i) => !expectedIds.has(i.indicatorId)), different };
}

function ndjsonLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Runs one rule's fixture against its expected file. */
export async function runRuleFixture(
  ruleset: Ruleset,
  ruleId: string,
  fixturesDir: string,
): Promise<FixtureResult> {
  const paths = fixturePaths(fixturesDir, ruleId);
  const [signals, expectedText] = await Promise.all([
    readOrUndefined(paths.signals),
    readOrUndefined(paths.expected),
  ]);
  const problems: FixtureProblem[] = [];
  if (signals === undefined)
    problems.push({ code: 'FIXTURE_MISSING', message: `no fixture ${paths.signals}` });
  if (expectedText === undefined)
    problems.push({ code: 'EXPECTED_MISSING', message: `no expected file ${paths.expected}` });
  const { indicators: actual, rejected } =
    signals === undefined
      ? { indicators: [], rejected: [] }
      : await fixtureIndicators(ruleset, ruleId, signals);
  for (const r of rejected)
    problems.push({ code: 'FIXTURE_SIGNAL_REJECTED', message: `${paths.signals} ${r}` });
  const expected = ndjsonLines(expectedText ?? '').map(
    (line) => JSON.parse(line) as ExpectedIndicator,
  );
  const difference = compareIndicators(expected, actual);
  const pass =
    problems.length === 0 &&
    difference.missing.length === 0 &&
    difference.extra.length === 0 &&
    difference.different.length === 0;
  return { ruleId, pass, actual, ...difference, problems };
}

/** Every rule's fixture, in the ruleset's order. */
export async function runRuleFixtures(
  ruleset: Ruleset,
  fixturesDir: string,
): Promise<FixtureResult[]> {
  const results: FixtureResult[] = [];
  for (const rule of ruleset.rules)
    results.push(await runRuleFixture(ruleset, rule.id, fixturesDir));
  return results;
}

/** An expected file's text for these indicators: one line each, fields in output order. */
export function expectedText(indicators: readonly ExpectedIndicator[]): string {
  return indicators
    .map((indicator) => {
      const line: Record<string, unknown> = { type: 'indicator' };
      for (const field of FIELDS) line[field] = indicator[field];
      return `${JSON.stringify(line)}\n`;
    })
    .join('');
}

/** Whether `updateExpected` may write this result: its fixture exists and every line was accepted. */
export function updatable(result: FixtureResult): boolean {
  return result.problems.every((p) => p.code === 'EXPECTED_MISSING');
}

/** Rewrites a rule's expected file with what its fixture raises now. */
export async function updateExpected(result: FixtureResult, fixturesDir: string): Promise<string> {
  const { expected } = fixturePaths(fixturesDir, result.ruleId);
  await writeFile(expected, expectedText(result.actual));
  return expected;
}

function shown(value: unknown): string {
  return JSON.stringify(value);
}

/** One line per rule, pass or fail, and under a failure what differs, field by field. */
export function fixtureReport(results: readonly FixtureResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    if (r.pass) {
      lines.push(
        `pass ${r.ruleId} (${r.actual.length} indicator${r.actual.length === 1 ? '' : 's'})`,
      );
      continue;
    }
    lines.push(
      `FAIL ${r.ruleId}: ${r.missing.length} missing, ${r.extra.length} extra, ${r.different.length} different`,
    );
    for (const problem of r.problems) lines.push(`  ${problem.code}: ${problem.message}`);
    for (const i of r.missing) lines.push(`  missing ${i.indicatorId}: ${shown(i)}`);
    for (const i of r.extra) lines.push(`  extra ${i.indicatorId}: ${shown(i)}`);
    for (const d of r.different) {
      lines.push(`  different ${d.indicatorId}:`);
      for (const f of d.fields) {
        lines.push(`    ${f.field}: expected ${shown(f.expected)}, got ${shown(f.actual)}`);
      }
    }
  }
  const failed = results.filter((r) => !r.pass).length;
  lines.push(
    `${results.length} rule${results.length === 1 ? '' : 's'}: ${results.length - failed} passed, ${failed} failed`,
  );
  return lines;
}
