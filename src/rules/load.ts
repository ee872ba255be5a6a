/** Reading a ruleset from disk: one YAML file, or the YAML files at the top of a directory. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RuleValidationError } from '../errors.js';
import { assembleRuleset, parseRuleDocuments } from './parse.js';
import type { Ruleset } from './types.js';

const RULE_FILE = /^[^.].*\.ya?ml$/;

/**
 * A directory is read non-recursively, files sorted by name in code-unit
 * order, skipping hidden files: `fixtures/` and `schema/` below a rules
 * directory are never taken for rules. A file is read whatever its name.
 * Throws `RuleValidationError` with every issue in every file.
 */
export async function loadRuleset(path: string): Promise<Ruleset> {
  const files = await ruleFiles(path);
  const parsed = await Promise.all(
    files.map(async (file) => parseRuleDocuments(await readFile(file, 'utf8'), file)),
  );
  return assembleRuleset(parsed);
}

async function ruleFiles(path: string): Promise<string[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw unreadable(path, error);
  }
  if (!isDirectory) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isFile() && RULE_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) {
    // Most likely the wrong directory; an empty ruleset would silently raise nothing.
    throw new RuleValidationError([
      {
        file: path,
        line: 1,
        col: 1,
        key: '(files)',
        code: 'NO_RULE_FILES',
        message: 'no *.yaml or *.yml rule files',
      },
    ]);
  }
  return names.map((name) => join(path, name));
}

function unreadable(path: string, error: unknown): RuleValidationError {
  const reason = (error as NodeJS.ErrnoException).code ?? String(error);
  return new RuleValidationError([
    {
      file: path,
      line: 1,
      col: 1,
      key: '(files)',
      code: 'UNREADABLE',
      message: `cannot read: ${reason}`,
    },
  ]);
}
