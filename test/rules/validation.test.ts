import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../../src/errors.js';
import { loadRuleset, parseRules } from '../../src/rules/index.js';
import { issuesOf } from './support.js';

/** A valid rule; tests replace one line or append some to break it in one place. */
const HEAD = `id: r1
version: 1
title: Test
level: hoog
`;
const CORRELATION = `correlation:
  type: event_count
  timespan: 30d
  condition: { gte: 2 }
`;

describe('rule validation names file, line, column and key', () => {
  it('accepts the valid base rule', () => {
    expect(parseRules(HEAD + CORRELATION, 'r.yaml').rules).toHaveLength(1);
  });

  it('unknown key at the top, pointing at the key', () => {
    const [issue] = issuesOf(HEAD + 'fliter:\n  kind: MELDING\n' + CORRELATION);
    expect(issue).toMatchObject({ file: 'r.yaml', line: 5, col: 1, key: 'fliter' });
    expect(issue?.message).toContain("unknown key 'fliter'");
    expect(issue?.message).toContain('filter');
  });

  it('unknown filter key, such as an attribute outside the contract', () => {
    const [issue] = issuesOf(HEAD + 'filter:\n  kind: MELDING\n  nationality: NL\n' + CORRELATION);
    expect(issue).toMatchObject({ line: 7, col: 3, key: 'filter.nationality' });
  });

  it('unknown enum value, pointing at the value and listing the allowed ones', () => {
    const [issue] = issuesOf(HEAD + 'filter:\n  kind: MELDNG\n' + CORRELATION);
    expect(issue).toMatchObject({ line: 6, col: 9, key: 'filter.kind' });
    expect(issue?.message).toBe(
      "unknown value 'MELDNG'; allowed: ADVIESVRAAG, MELDING, POLITIE, INTREKKING",
    );
  });

  it('unknown enum value inside a list', () => {
    const [issue] = issuesOf(
      HEAD + 'filter:\n  category: [PARTNERGEWELD, PARTNERGWELD]\n' + CORRELATION,
    );
    expect(issue).toMatchObject({ line: 6, col: 29, key: 'filter.category[1]' });
  });

  it('unknown enum value inside { not: X }', () => {
    const [issue] = issuesOf(HEAD + 'filter:\n  safety: { not: ONVEILIG }\n' + CORRELATION);
    expect(issue).toMatchObject({ line: 6, col: 18, key: 'filter.safety.not' });
    expect(issue?.message).toContain('ONVEILIG_ACUUT');
  });

  it('unknown region', () => {
    const [issue] = issuesOf(HEAD + 'filter:\n  region: VT27\n' + CORRELATION);
    expect(issue).toMatchObject({ line: 6, col: 11, key: 'filter.region' });
    expect(issue?.message).toContain('VT26');
  });

  it('bad type: a quoted boolean, and only the type is reported', () => {
    const issues = issuesOf(HEAD + 'filter:\n  childrenPresent: "yes"\n' + CORRELATION);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 6, col: 20, key: 'filter.childrenPresent' });
    expect(issues[0]?.message).toBe("must be a boolean, not string 'yes'");
  });

  it('bad type: a number where an enum is expected', () => {
    const issues = issuesOf(HEAD + 'filter:\n  safety: 3\n' + CORRELATION);
    expect(issues).toEqual([
      expect.objectContaining({ key: 'filter.safety', message: 'must be a string, not number 3' }),
    ]);
  });

  it('bad type: a list where a mapping is expected', () => {
    const [issue] = issuesOf(HEAD + 'filter: [MELDING]\n' + CORRELATION);
    expect(issue).toMatchObject({ line: 5, col: 9, key: 'filter' });
    expect(issue?.message).toBe('must be a mapping, not a list');
  });

  it('bad timespan: no unit', () => {
    const [issue] = issuesOf(HEAD + CORRELATION.replace('30d', '30 days'));
    expect(issue).toMatchObject({ line: 7, col: 13, key: 'correlation.timespan' });
    expect(issue?.message).toContain('integer followed by s, m, h or d');
  });

  it('bad timespan: a bare number', () => {
    const [issue] = issuesOf(HEAD + CORRELATION.replace('30d', '30'));
    expect(issue).toMatchObject({
      key: 'correlation.timespan',
      message: 'must be a string, not number 30',
    });
  });

  it('bad timespan: longer than a date can span', () => {
    const [issue] = issuesOf(HEAD + CORRELATION.replace('30d', '999999999999d'));
    expect(issue).toMatchObject({ line: 7, col: 13, key: 'correlation.timespan' });
  });

  it('bad version: zero, a fraction, a string', () => {
    for (const [version, message] of [
      ['0', 'must be ≥ 1'],
      ['1.5', 'must be an integer, not number 1.5'],
      ['"3"', "must be an integer, not string '3'"],
    ]) {
      const [issue] = issuesOf(HEAD.replace('version: 1', `version: ${version}`) + CORRELATION);
      expect(issue).toMatchObject({ line: 2, col: 10, key: 'version', message });
    }
  });

  it('bad id', () => {
    const [issue] = issuesOf(HEAD.replace('id: r1', 'id: Herhaald_Geweld') + CORRELATION);
    expect(issue).toMatchObject({ line: 1, col: 5, key: 'id' });
    expect(issue?.message).toContain('lowercase letters, digits and hyphens');
  });

  it('unknown level', () => {
    const [issue] = issuesOf(HEAD.replace('level: hoog', 'level: high') + CORRELATION);
    expect(issue).toMatchObject({ line: 4, col: 8, key: 'level' });
    expect(issue?.message).toBe("unknown value 'high'; allowed: laag, midden, hoog, kritiek");
  });

  it('missing required key at the top points at the document start', () => {
    const [issue] = issuesOf(HEAD.replace('title: Test\n', '') + CORRELATION);
    expect(issue).toMatchObject({ line: 1, col: 1, key: 'title' });
    expect(issue?.message).toBe("required key 'title' is missing");
  });

  it('missing required key inside correlation points at `correlation`', () => {
    const [issue] = issuesOf(HEAD + CORRELATION.replace('  condition: { gte: 2 }\n', ''));
    expect(issue).toMatchObject({ line: 5, col: 1, key: 'correlation.condition' });
  });

  it('unknown condition key and empty condition', () => {
    const [unknown] = issuesOf(HEAD + CORRELATION.replace('{ gte: 2 }', '{ ge: 2 }'));
    expect(unknown).toMatchObject({ line: 8, col: 16, key: 'correlation.condition.ge' });
    expect(unknown?.message).toContain('allowed: gt, gte, lt, lte, eq, neq');
    const [empty] = issuesOf(HEAD + CORRELATION.replace('{ gte: 2 }', '{}'));
    expect(empty).toMatchObject({ line: 8, col: 3, key: 'correlation.condition' });
  });

  it('condition bound must be a number', () => {
    const [issue] = issuesOf(HEAD + CORRELATION.replace('{ gte: 2 }', '{ gte: many }'));
    expect(issue).toMatchObject({ line: 8, col: 21, key: 'correlation.condition.gte' });
  });

  it('unknown correlation type', () => {
    const [issue] = issuesOf(HEAD + CORRELATION.replace('event_count', 'eventcount'));
    expect(issue).toMatchObject({ line: 6, col: 9, key: 'correlation.type' });
    expect(issue?.message).toContain('event_count, value_count, score, temporal, temporal_ordered');
  });

  it('bad value_count field', () => {
    const text =
      HEAD +
      'correlation:\n  type: value_count\n  field: nationality\n  timespan: 30d\n  condition: { gte: 2 }\n';
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ line: 7, col: 10, key: 'correlation.field' });
    expect(issue?.message).toContain('allowed: kind, source, region');
  });

  it('a key of another correlation type', () => {
    const [issue] = issuesOf(HEAD + CORRELATION + '  field: source\n');
    expect(issue).toMatchObject({ line: 9, col: 3, key: 'correlation.field' });
    expect(issue?.message).toContain("unknown key 'field'");
  });

  it('empty steps, duplicate step names, a step without filter', () => {
    const ordered = (steps: string) =>
      HEAD + `correlation:\n  type: temporal_ordered\n  timespan: 90d\n  steps:${steps}`;
    expect(issuesOf(ordered(' []\n'))[0]).toMatchObject({
      line: 8,
      col: 10,
      key: 'correlation.steps',
      message: 'must not be an empty list',
    });
    const duplicate = ordered(
      '\n    - name: a\n      filter: { kind: ADVIESVRAAG }\n    - name: a\n      filter: { kind: POLITIE }\n',
    );
    expect(issuesOf(duplicate)[0]).toMatchObject({
      line: 11,
      col: 13,
      key: 'correlation.steps[1].name',
      message: "duplicate step name 'a'",
    });
    const noFilter = ordered('\n    - name: a\n');
    expect(issuesOf(noFilter)[0]).toMatchObject({
      line: 9,
      col: 7,
      key: 'correlation.steps[0].filter',
    });
  });

  it('a score that is not an integer', () => {
    const text =
      HEAD +
      'correlation:\n  type: score\n  timespan: 30d\n  weights:\n    - filter: { kind: POLITIE }\n      score: 1.5\n  condition: { gte: 2 }\n';
    expect(issuesOf(text)[0]).toMatchObject({
      line: 10,
      col: 14,
      key: 'correlation.weights[0].score',
    });
  });

  it('YAML syntax errors carry their position', () => {
    const [issue] = issuesOf(HEAD + 'filter:\n  kind: [MELDING\n' + CORRELATION);
    expect(issue?.key).toBe('(document)');
    expect(issue?.line).toBeGreaterThanOrEqual(6);
    expect(issue?.message).not.toContain('\n');
  });

  it('a duplicate YAML key is a syntax error at the second key', () => {
    const [issue] = issuesOf(HEAD + 'level: laag\n' + CORRELATION);
    expect(issue).toMatchObject({ line: 5, col: 1, key: '(document)' });
    expect(issue?.message).toContain('unique');
  });

  it('an unknown tag and an unresolved alias are reported, not silently read', () => {
    const [tag] = issuesOf(HEAD + 'filter:\n  kind: !kind MELDING\n' + CORRELATION);
    expect(tag).toMatchObject({ line: 6, col: 9, key: '(document)' });
    expect(tag?.message).toContain('Unresolved tag');
    const [alias] = issuesOf(HEAD + 'filter: *other\n' + CORRELATION);
    expect(alias).toMatchObject({ line: 1, col: 1, key: '(document)' });
    expect(alias?.message).toContain('Unresolved alias');
  });

  it('a document that is not a mapping', () => {
    const [issue] = issuesOf('- id: r1\n');
    expect(issue).toMatchObject({ line: 1, col: 1, key: '(document)' });
    expect(issue?.message).toBe('must be a mapping, not a list');
  });

  it('duplicate ids within a file point at the second id', () => {
    const [issue] = issuesOf(HEAD + CORRELATION + '---\n' + HEAD + CORRELATION);
    expect(issue).toMatchObject({ line: 10, col: 5, key: 'id' });
    expect(issue?.message).toBe("duplicate id 'r1'; first defined at r.yaml:1");
  });

  it('collects every issue of every document instead of stopping at the first', () => {
    const text =
      HEAD.replace('level: hoog', 'level: high') +
      'filter:\n  kind: [MELDING, FOO]\n  source: BAR\n' +
      CORRELATION.replace('30d', '30x') +
      '---\n' +
      'id: r2\nversion: 0\ntitle: Two\nlevel: laag\n' +
      CORRELATION.replace('event_count', 'nope');
    const issues = issuesOf(text);
    expect(issues.map((i) => `${i.line}:${i.col} ${i.key}`)).toEqual([
      '4:8 level',
      '6:19 filter.kind[1]',
      '7:11 filter.source',
      '10:13 correlation.timespan',
      '14:10 version',
      '18:9 correlation.type',
    ]);
  });

  it('the error message lists every issue as file:line:col key: message', () => {
    try {
      parseRules(HEAD.replace('level: hoog', 'level: high') + CORRELATION, 'a/b.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RuleValidationError);
      expect((error as RuleValidationError).code).toBe('INVALID_RULESET');
      expect((error as Error).message).toBe(
        "a/b.yaml:4:8 level: unknown value 'high'; allowed: laag, midden, hoog, kritiek",
      );
    }
  });

  it('empty documents and comment-only text hold no rules', () => {
    expect(parseRules('', 'empty.yaml').rules).toEqual([]);
    expect(parseRules('# nothing yet\n', 'empty.yaml').rules).toEqual([]);
    expect(parseRules(HEAD + CORRELATION + '---\n', 'r.yaml').rules).toHaveLength(1);
  });
});

describe('loading from disk', () => {
  async function tempDir(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'radar-rules-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    return dir;
  }

  async function loadIssues(path: string) {
    try {
      await loadRuleset(path);
    } catch (error) {
      if (error instanceof RuleValidationError) return error.issues;
      throw error;
    }
    throw new Error('expected the ruleset to be rejected');
  }

  it('reads top-level *.yaml and *.yml sorted by name, not subdirectories or hidden files', async () => {
    const dir = await tempDir({
      'b.yml': HEAD.replace('r1', 'from-b') + CORRELATION,
      'a.yaml': HEAD.replace('r1', 'from-a') + CORRELATION,
      'notes.txt': 'not a rule',
      '.draft.yaml': 'broken: [',
      'fixtures/x.yaml': 'broken: [',
      'schema/y.yaml': 'broken: [',
    });
    const ruleset = await loadRuleset(dir);
    expect(ruleset.rules.map((r) => r.id)).toEqual(['from-a', 'from-b']);
    expect(ruleset.sources.get('from-b')).toEqual({
      file: join(dir, 'b.yml'),
      line: 1,
      text: HEAD.replace('r1', 'from-b') + CORRELATION,
    });
  });

  it('keeps each rule its own source text, comments included, and its first line', async () => {
    const dir = await tempDir({
      'rules.yaml':
        '# first\n' +
        HEAD +
        CORRELATION +
        '---\n# second\n' +
        HEAD.replace('r1', 'r2') +
        CORRELATION,
    });
    const { sources } = await loadRuleset(join(dir, 'rules.yaml'));
    expect(sources.get('r1')?.text).toBe('# first\n' + HEAD + CORRELATION);
    expect(sources.get('r2')).toMatchObject({
      line: 11,
      text: '# second\n' + HEAD.replace('r1', 'r2') + CORRELATION,
    });
  });

  it('reports duplicate ids across files and every file’s issues together', async () => {
    const dir = await tempDir({
      'a.yaml': HEAD + CORRELATION,
      'b.yaml': '\n' + HEAD + CORRELATION,
      'c.yaml': HEAD.replace('r1', 'r3').replace('level: hoog', 'level: x') + CORRELATION,
    });
    const issues = await loadIssues(dir);
    expect(issues).toEqual([
      expect.objectContaining({ file: join(dir, 'c.yaml'), line: 4, col: 8, key: 'level' }),
      expect.objectContaining({
        file: join(dir, 'b.yaml'),
        line: 2,
        col: 5,
        key: 'id',
        message: `duplicate id 'r1'; first defined at ${join(dir, 'a.yaml')}:1`,
      }),
    ]);
  });

  it('a missing path or a directory without rule files is an issue, not a crash', async () => {
    const dir = await tempDir({ 'readme.md': '' });
    expect((await loadIssues(join(dir, 'nope.yaml')))[0]).toMatchObject({
      key: '(files)',
      message: 'cannot read: ENOENT',
    });
    expect((await loadIssues(dir))[0]).toMatchObject({ file: dir, key: '(files)' });
  });
});
