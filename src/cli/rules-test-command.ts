import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  fixtureReport,
  runRuleFixture,
  runRuleFixtures,
  updatable,
  updateExpected,
} from '../analysis/rule-fixtures.js';
import { SHIPPED_RULES } from '../config/config.js';
import { RadarError } from '../errors.js';
import { loadRuleset } from '../rules/index.js';
import type { CliIo } from './io.js';

export interface RulesTestOptions {
  /** Rule ids whose expected files to rewrite (`--update`). */
  update?: string[];
}

/** The fixtures of a rule directory are in its `fixtures/`; of a rule file, beside it in `fixtures/`. */
async function fixturesDirOf(path: string): Promise<string> {
  const isDirectory = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return join(isDirectory ? path : dirname(path), 'fixtures');
}

/**
 * `radar rules test [<file|dir>]`: every rule's fixture, one line a rule;
 * exit 0 when all pass, 1 when any fails. With `--update <id>`, that rule's
 * expected file is rewritten with what its fixture raises now, after the
 * difference is printed.
 */
export async function rulesTestCommand(
  path: string | undefined,
  options: RulesTestOptions,
  io: CliIo,
): Promise<number> {
  const rulesPath = path ?? SHIPPED_RULES;
  const ruleset = await loadRuleset(rulesPath);
  const fixturesDir = await fixturesDirOf(rulesPath);
  if (options.update !== undefined) {
    const known = new Set(ruleset.rules.map((r) => r.id));
    const unknown = options.update.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new RadarError('RULE_NOT_FOUND', `no rule ${unknown.join(', ')} in ${rulesPath}`);
    }
    for (const id of options.update) {
      const result = await runRuleFixture(ruleset, id, fixturesDir);
      io.stdout.write(`${fixtureReport([result]).slice(0, -1).join('\n')}\n`);
      if (result.pass) continue;
      if (!updatable(result)) return 1;
      io.stdout.write(`updated ${await updateExpected(result, fixturesDir)}\n`);
    }
    return 0;
  }
  const results = await runRuleFixtures(ruleset, fixturesDir);
  io.stdout.write(`${fixtureReport(results).join('\n')}\n`);
  return results.every((r) => r.pass) ? 0 : 1;
}
