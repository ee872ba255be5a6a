/**
 * Structural validation of one rule document against the JSON Schema that
 * ships in `rules/schema/` (the same file analysts' editors use), with ajv's
 * errors turned into messages an analyst can act on.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ruleSchema from '../../rules/schema/rule.schema.json' with { type: 'json' };
import { CORRELATION_TYPES } from './types.js';

export type PathSegment = string | number;

/** A problem at a place in the document, before it is given a line and column. */
export interface SchemaIssue {
  /** Path of the offending key or value from the document root. */
  path: PathSegment[];
  /**
   * Where the position should point: at the key, at its value, or — for a
   * missing key, which has no position of its own — at the object that lacks it.
   */
  at: 'key' | 'value' | 'parent';
  /** Stable: see `RuleIssue.code`. */
  code: string;
  message: string;
}

let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  // `discriminator` makes ajv check only the branch named by `correlation.type`,
  // so one mistake yields one error instead of one per correlation type.
  validator ??= new Ajv({ allErrors: true, discriminator: true, verbose: true }).compile(
    ruleSchema,
  );
  return validator;
}

/** Every structural problem in `doc` (already converted to plain data); empty when valid. */
export function schemaIssues(doc: unknown): SchemaIssue[] {
  const check = validate();
  if (check(doc)) return [];
  const errors = check.errors ?? [];
  const typeErrorAt = new Set(
    errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath),
  );
  const issues: SchemaIssue[] = [];
  for (const error of errors) {
    // A value of the wrong type also fails its enum; the type is the useful message.
    if (error.keyword !== 'type' && typeErrorAt.has(error.instancePath)) continue;
    const issue = toIssue(error);
    if (issue !== undefined) issues.push(issue);
  }
  return issues;
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function toIssue(error: ErrorObject): SchemaIssue | undefined {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    // `if` only says a `then`/`else` branch failed; that branch reports the detail.
    case 'if':
      return undefined;
    case 'additionalProperties': {
      const allowed = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      return {
        path: [...path, String(params.additionalProperty)],
        at: 'key',
        code: 'UNKNOWN_KEY',
        message: `unknown key '${String(params.additionalProperty)}'; allowed: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return {
        path: [...path, String(params.missingProperty)],
        at: 'parent',
        code: 'MISSING_KEY',
        message: `required key '${String(params.missingProperty)}' is missing`,
      };
    case 'discriminator':
      // A missing `type` is already reported by `required`.
      if (params.error === 'tag' && !hasType(error.data)) return undefined;
      return {
        path: [...path, 'type'],
        at: 'value',
        code: 'UNKNOWN_CORRELATION_TYPE',
        message: `unknown correlation type ${show(params.tagValue ?? typeOf(error.data))}; allowed: ${CORRELATION_TYPES.join(', ')}`,
      };
    case 'enum':
      return {
        path,
        at: 'value',
        code: 'UNKNOWN_VALUE',
        message: `unknown value ${show(error.data)}; allowed: ${(params.allowedValues as unknown[]).join(', ')}`,
      };
    case 'type':
      return {
        path,
        at: 'value',
        code: 'WRONG_TYPE',
        message: `must be ${article(String(params.type))}, not ${describe(error.data)}`,
      };
    case 'pattern':
      return { path, at: 'value', code: 'BAD_FORM', message: patternMessage(path, error.data) };
    case 'minimum':
    case 'maximum':
      return {
        path,
        at: 'value',
        code: 'OUT_OF_RANGE',
        message: `must be ${params.comparison === '>=' ? '≥' : '≤'} ${String(params.limit)}`,
      };
    case 'minLength':
      return { path, at: 'value', code: 'EMPTY', message: 'must not be empty' };
    case 'minItems':
      return { path, at: 'value', code: 'EMPTY', message: 'must not be an empty list' };
    case 'minProperties': {
      const allowed = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      return {
        path,
        at: 'key',
        code: 'EMPTY',
        message: `needs at least one of ${allowed.join(', ')}`,
      };
    }
    case 'const':
      return {
        path,
        at: 'value',
        code: 'WRONG_VALUE',
        message: `must be ${show(params.allowedValue)}, not ${describe(error.data)}`,
      };
    case 'dependencies':
      return {
        path: [...path, String(params.property)],
        at: 'key',
        code: 'MISSING_KEY',
        message: `'${String(params.property)}' needs '${String(params.missingProperty)}' beside it`,
      };
    default:
      return { path, at: 'value', code: 'INVALID', message: error.message ?? error.keyword };
  }
}

function patternMessage(path: PathSegment[], data: unknown): string {
  const key = path[path.length - 1];
  if (key === 'timespan') {
    return `timespan ${show(data)} must be an integer followed by s, m, h or d, such as 365d`;
  }
  if (key === 'id') return `id ${show(data)} may hold only lowercase letters, digits and hyphens`;
  return `${show(data)} has the wrong form`;
}

function hasType(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'type' in data;
}

function typeOf(data: unknown): unknown {
  return hasType(data) ? (data as { type: unknown }).type : undefined;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}

/** JSON Schema type names in the words of YAML. */
function article(type: string): string {
  if (type === 'object') return 'a mapping';
  if (type === 'array') return 'a list';
  return type === 'integer' ? 'an integer' : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}
