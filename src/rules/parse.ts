/**
 * From YAML text to rules, collecting every problem with its file, line,
 * column and dotted key rather than stopping at the first.
 */
import { isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { RuleValidationError, type RuleIssue } from '../errors.js';
import { dottedKey, locate } from './locate.js';
import { schemaIssues, type PathSegment, type SchemaIssue } from './schema.js';
import { parseTimespan } from './timespan.js';
import {
  INDICATOR_FIELDS,
  onIndicators,
  type CorrelationType,
  type CountedField,
  type Rule,
  type RuleSource,
  type Ruleset,
  type TemporalCorrelation,
  type TemporalOrderedCorrelation,
} from './types.js';

/** A rule that passed validation on its own, before ids are compared across the ruleset. */
export interface ParsedRule {
  rule: Rule;
  source: RuleSource;
  /** Position of the `id` value, for the duplicate-id message. */
  idLine: number;
  idCol: number;
  /** For a rule on indicators: each rule it names, where it names it. */
  refs: RuleRef[];
}

interface RuleRef {
  id: string;
  line: number;
  col: number;
  key: string;
}

export interface ParseResult {
  rules: ParsedRule[];
  issues: RuleIssue[];
  /** The id of every document that has one, valid or not: a rule naming an invalid rule names no unknown one. */
  ids: string[];
}

/** Key reported for problems that belong to no key: YAML syntax and a document that is not a mapping. */
const NO_KEY = '(document)';

/** Every rule document in one file's text, and every issue found in it. */
export function parseRuleDocuments(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  const result: ParseResult = { rules: [], issues: [], ids: [] };
  const at = (offset: number, key: string, code: string, message: string): RuleIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, key, code, message };
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
      result.issues.push(at(doc.range[0], NO_KEY, 'YAML_ALIAS', (error as Error).message));
      return;
    }
    const id = (data as { id?: unknown } | null)?.id;
    if (typeof id === 'string') result.ids.push(id);
    const issues = schemaIssues(data);
    if (issues.length === 0) issues.push(...semanticIssues(data as Rule));
    if (issues.length > 0) {
      const located = issues.map((issue) =>
        at(locate(doc, issue.path, issue.at), keyOf(issue), issue.code, issue.message),
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
      refs: namedRules(rule).map(({ id, path }) => {
        const { line, col } = lineCounter.linePos(locate(doc, path, 'value'));
        return { id, line, col, key: dottedKey(path) };
      }),
    });
  });
  return result;
}

function keyOf(issue: SchemaIssue): string {
  return issue.path.length === 0 ? NO_KEY : dottedKey(issue.path);
}

function syntaxIssues(
  doc: Document.Parsed,
  at: (offset: number, key: string, code: string, message: string) => RuleIssue,
): RuleIssue[] {
  // yaml appends a source excerpt after the first line; our position replaces it.
  return [...doc.errors, ...doc.warnings].map((error) =>
    at(
      error.pos[0],
      NO_KEY,
      'YAML_SYNTAX',
      (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, ''),
    ),
  );
}

/**
 * What the schema cannot say: timespans too long to compute with, duplicate
 * step names, where an absent step may stand, and which fields and types a
 * rule on indicators can use.
 */
function semanticIssues(rule: Rule): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const correlation = rule.correlation;
  const timespan = (text: string, path: PathSegment[]): void => {
    if (parseTimespan(text) !== undefined) return;
    issues.push({
      path,
      at: 'value',
      code: 'TIMESPAN_TOO_LONG',
      message: `timespan '${text}' is longer than a date can span`,
    });
  };
  timespan(correlation.timespan, ['correlation', 'timespan']);
  if (correlation.type === 'temporal' || correlation.type === 'temporal_ordered') {
    const seen = new Set<string>();
    correlation.steps.forEach((step, i) => {
      const path = ['correlation', 'steps', i];
      // Explanations name steps, so two steps with one name would be ambiguous.
      if (seen.has(step.name)) {
        issues.push({
          path: [...path, 'name'],
          at: 'value',
          code: 'DUPLICATE_STEP_NAME',
          message: `duplicate step name '${step.name}'`,
        });
      }
      seen.add(step.name);
      if (step.absent !== true) return;
      issues.push(...absentStepIssues(correlation, i, path));
      if (step.within !== undefined) timespan(step.within, [...path, 'within']);
    });
  }
  const counted = 'field' in correlation ? correlation.field : undefined;
  const isOnIndicators = onIndicators(rule.filter);
  if (isOnIndicators && !INDICATOR_TYPES.includes(correlation.type)) {
    issues.push({
      path: ['correlation', 'type'],
      at: 'value',
      code: 'INDICATOR_RULE_TYPE',
      message: `a rule on indicators can be of type ${INDICATOR_TYPES.join(', ')}, not '${correlation.type}'`,
    });
  }
  if (counted !== undefined && isOnIndicators !== isIndicatorField(counted)) {
    issues.push({
      path: ['correlation', 'field'],
      at: 'value',
      code: isOnIndicators ? 'SIGNAL_FIELD_ON_INDICATORS' : 'INDICATOR_FIELD_ON_SIGNALS',
      message: isOnIndicators
        ? `a rule on indicators counts ${INDICATOR_FIELDS.join(' or ')}, not the signal field '${counted}'`
        : `'${counted}' is a field of indicators; this rule's filter selects signals`,
    });
  }
  return issues;
}

/** Correlation types that work on any stream of events, indicators as well as signals. */
const INDICATOR_TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'first_seen'];

function isIndicatorField(field: CountedField): boolean {
  return (INDICATOR_FIELDS as readonly string[]).includes(field);
}

/** An absent step ends a `temporal_ordered` rule that has a step before it, without a condition. */
function absentStepIssues(
  correlation: TemporalCorrelation | TemporalOrderedCorrelation,
  i: number,
  path: PathSegment[],
): SchemaIssue[] {
  const issue = (code: string, message: string, at: PathSegment[] = [...path, 'absent']) => ({
    path: at,
    at: 'key' as const,
    code,
    message,
  });
  if (correlation.type === 'temporal') {
    return [issue('ABSENT_NOT_ORDERED', 'an absent step needs type temporal_ordered')];
  }
  if (i !== correlation.steps.length - 1) {
    return [issue('ABSENT_NOT_LAST', 'only the last step may be absent')];
  }
  if (i === 0) {
    return [issue('ABSENT_ONLY_STEP', 'an absent step needs a step before it to follow')];
  }
  if (correlation.condition !== undefined) {
    return [
      issue(
        'ABSENT_WITH_CONDITION',
        'a rule with an absent step fires when the steps hold; leave out condition',
        ['correlation', 'condition'],
      ),
    ];
  }
  return [];
}

/** The rules a rule on indicators names, each with the path of its name. */
function namedRules(rule: Rule): { id: string; path: PathSegment[] }[] {
  if (!onIndicators(rule.filter)) return [];
  const named = rule.filter.indicator.rule;
  const path = ['filter', 'indicator', 'rule'];
  if (named === undefined) return [];
  if (!Array.isArray(named)) return [{ id: named, path }];
  return named.map((id, i) => ({ id, path: [...path, i] }));
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
        code: 'DUPLICATE_ID',
        message: `duplicate id '${entry.rule.id}'; first defined at ${earlier.source.file}:${earlier.idLine}`,
      });
      continue;
    }
    first.set(entry.rule.id, entry);
    rules.push(entry.rule);
    sources.set(entry.rule.id, entry.source);
  }
  issues.push(...referenceIssues([...first.values()], new Set(parsed.flatMap((p) => p.ids))));
  if (issues.length > 0) throw new RuleValidationError(issues);
  return { rules, sources };
}

/**
 * Rules on indicators must name rules that exist, and must not depend on
 * themselves, directly or through others: their indicators would then be
 * defined by themselves. Each cycle is reported once, at the rule of it that
 * comes first, naming every rule on it.
 */
function referenceIssues(parsed: readonly ParsedRule[], written: ReadonlySet<string>): RuleIssue[] {
  const byId = new Map(parsed.map((entry) => [entry.rule.id, entry]));
  const issues: RuleIssue[] = [];
  for (const entry of parsed) {
    for (const ref of entry.refs) {
      // A rule that is there but invalid has its own issues already.
      if (written.has(ref.id)) continue;
      issues.push({
        file: entry.source.file,
        line: ref.line,
        col: ref.col,
        key: ref.key,
        code: 'UNKNOWN_RULE',
        message: `no rule '${ref.id}' in the ruleset`,
      });
    }
  }
  const reported = new Set<string>();
  for (const entry of parsed) {
    const cycle = cycleThrough(entry.rule.id, byId);
    if (cycle === undefined || cycle.some((id) => reported.has(id))) continue;
    for (const id of cycle) reported.add(id);
    // The cycle leaves this rule through one of its references: that one is reported.
    const ref = entry.refs.find((r) => r.id === (cycle[1] ?? cycle[0]));
    if (ref === undefined) continue;
    issues.push({
      file: entry.source.file,
      line: ref.line,
      col: ref.col,
      key: ref.key,
      code: 'RULE_CYCLE',
      message: `rules on indicators form a cycle: ${[...cycle, cycle[0]].join(' -> ')}`,
    });
  }
  return issues;
}

/** The shortest path of named rules from `start` back to itself, as the rules on it from `start`. */
function cycleThrough(start: string, byId: ReadonlyMap<string, ParsedRule>): string[] | undefined {
  const cameFrom = new Map<string, string>();
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const ref of byId.get(id)?.refs ?? []) {
        if (ref.id === start) {
          // Every rule reached but `start` was reached from another: walk back to `start`.
          const path = [id];
          for (let step = id; step !== start;) {
            const previous = cameFrom.get(step);
            if (previous === undefined) return undefined;
            path.unshift(previous);
            step = previous;
          }
          return path;
        }
        if (cameFrom.has(ref.id) || !byId.has(ref.id)) continue;
        cameFrom.set(ref.id, id);
        next.push(ref.id);
      }
    }
    frontier = next;
  }
  return undefined;
}

/** A ruleset from text in memory, e.g. one YAML file of rules; throws `RuleValidationError`. */
export function parseRules(text: string, fileName: string): Ruleset {
  return assembleRuleset([parseRuleDocuments(text, fileName)]);
}
