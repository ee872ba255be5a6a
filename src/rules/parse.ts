/**
 * From YAML text to rules, collecting every problem with its file, line,
 * column and dotted key rather than stopping at the first.
 */
import { isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { RuleValidationError, type RuleIssue } from '../errors.js';
import { dottedKey, locate } from './locate.js';
import { schemaIssues, type SchemaIssue } from './schema.js';
import { parseTimespan } from './timespan.js';
import type { Rule, RuleSource, Ruleset } from './types.js';

/** A rule that passed validation on its own, before ids are compared across the ruleset. */
export interface ParsedRule {
  rule: Rule;
  source: RuleSource;
  /** Position of the `id` value, for the duplicate-id message. */
  idLine: number;
  idCol: number;
}

export interface ParseResult {
  rules: ParsedRule[];
  issues: RuleIssue[];
}

/** Key reported for problems that belong to no key: YAML syntax and a document that is not a mapping. */
const NO_KEY = '(document)';

/** Every rule document in one file's text, and every issue found in it. */
export function parseRuleDocuments(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  const result: ParseResult = { rules: [], issues: [] };
  const at = (offset: number, key: string, message: string): RuleIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, key, message };
  };

  docs.forEach((doc, index) => {
    // Documents end where the next `---` begins, so comments above a rule stay with it.
    const start = index === 0 ? 0 : doc.range[0];
    const end = docs[index + 1]?.range[0] ?? text.length;
    const syntax = syntaxIssues(doc, at);
    result.issues.push(...syntax);
    // An empty document, such as after a trailing `---`, holds no rule.
    const empty = doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
    if (syntax.length > 0 || empty) return;
    let data: unknown;
    try {
      data = doc.toJS();
    } catch (error) {
      // An unresolved alias, or more aliases than yaml's limit against entity expansion.
      result.issues.push(at(doc.range[0], NO_KEY, (error as Error).message));
      return;
    }
    const issues = schemaIssues(data);
    if (issues.length === 0) issues.push(...semanticIssues(data as Rule));
    if (issues.length > 0) {
      const located = issues.map((issue) =>
        at(locate(doc, issue.path, issue.at), keyOf(issue), issue.message),
      );
      result.issues.push(...located.sort((a, b) => a.line - b.line || a.col - b.col));
      return;
    }
    const rule = data as Rule;
    const idPos = lineCounter.linePos(locate(doc, ['id'], 'value'));
    result.rules.push({
      rule,
      source: sourceOf(text.slice(start, end), file, lineCounter.linePos(start).line),
      idLine: idPos.line,
      idCol: idPos.col,
    });
  });
  return result;
}

function keyOf(issue: SchemaIssue): string {
  return issue.path.length === 0 ? NO_KEY : dottedKey(issue.path);
}

function syntaxIssues(
  doc: Document.Parsed,
  at: (offset: number, key: string, message: string) => RuleIssue,
): RuleIssue[] {
  // yaml appends a source excerpt after the first line; our position replaces it.
  return [...doc.errors, ...doc.warnings].map((error) =>
    at(
      error.pos[0],
      NO_KEY,
      (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, ''),
    ),
  );
}

/** What the schema cannot say: timespans too long to compute with, duplicate step names. */
function semanticIssues(rule: Rule): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const correlation = rule.correlation;
  if (parseTimespan(correlation.timespan) === undefined) {
    issues.push({
      path: ['correlation', 'timespan'],
      at: 'value',
      message: `timespan '${correlation.timespan}' is longer than a date can span`,
    });
  }
  if (correlation.type === 'temporal' || correlation.type === 'temporal_ordered') {
    const seen = new Set<string>();
    correlation.steps.forEach((step, i) => {
      // Explanations name steps, so two steps with one name would be ambiguous.
      if (seen.has(step.name)) {
        issues.push({
          path: ['correlation', 'steps', i, 'name'],
          at: 'value',
          message: `duplicate step name '${step.name}'`,
        });
      }
      seen.add(step.name);
    });
  }
  return issues;
}

/** The document's text without its `---` line or a byte-order mark, and the line it starts on. */
function sourceOf(raw: string, file: string, firstLine: number): RuleSource {
  const marker = /^\uFEFF?---[^\n]*\n?/.exec(raw);
  const text = marker === null ? raw.replace(/^\uFEFF/, '') : raw.slice(marker[0].length);
  return { file, line: firstLine + (marker === null ? 0 : 1), text: text.trimEnd() + '\n' };
}

/** Rules from several files (or one), with ids checked across all of them. */
export function assembleRuleset(parsed: readonly ParseResult[]): Ruleset {
  const issues = parsed.flatMap((p) => p.issues);
  const rules: Rule[] = [];
  const sources = new Map<string, RuleSource>();
  const first = new Map<string, ParsedRule>();
  for (const entry of parsed.flatMap((p) => p.rules)) {
    const earlier = first.get(entry.rule.id);
    if (earlier !== undefined) {
      issues.push({
        file: entry.source.file,
        line: entry.idLine,
        col: entry.idCol,
        key: 'id',
        message: `duplicate id '${entry.rule.id}'; first defined at ${earlier.source.file}:${earlier.idLine}`,
      });
      continue;
    }
    first.set(entry.rule.id, entry);
    rules.push(entry.rule);
    sources.set(entry.rule.id, entry.source);
  }
  if (issues.length > 0) throw new RuleValidationError(issues);
  return { rules, sources };
}

/** A ruleset from text in memory, e.g. one YAML file of rules; throws `RuleValidationError`. */
export function parseRules(text: string, fileName: string): Ruleset {
  return assembleRuleset([parseRuleDocuments(text, fileName)]);
}
