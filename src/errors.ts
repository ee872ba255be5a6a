/**
 * One error hierarchy for the radar. Every error carries a stable string
 * `code` (listed in docs/operating.md; tests match on it, never on the message),
 * whether retrying can help, and the error that caused it.
 */
export interface RadarErrorOptions {
  cause?: unknown;
  retriable?: boolean;
}

export class RadarError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  override readonly cause?: unknown;

  constructor(code: string, message: string, options: RadarErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.cause = options.cause;
  }
}

/** A reason a signal is rejected; `code` is one of the contract's reason codes. */
export type RejectionCode =
  | 'MALFORMED'
  | 'MISSING_FIELD'
  | 'UNKNOWN_ENUM'
  | 'BAD_TIMESTAMP'
  | 'BAD_VALUE'
  | 'DUPLICATE_PERSON_REF'
  | 'UNKNOWN_PERSON_REF'
  | 'DUPLICATE_ID_CONFLICT';

export class SignalRejectedError extends RadarError {
  declare readonly code: RejectionCode;
  /** JSON path of the offending field, e.g. `persons[1].bsn`, when there is one. */
  readonly field?: string;

  constructor(code: RejectionCode, message: string, field?: string) {
    super(code, message);
    if (field !== undefined) this.field = field;
  }
}

export interface RuleIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the offending key, e.g. `correlation.condition.gte`. */
  key: string;
  /** Stable, for tests and tools: `UNKNOWN_KEY`, `RULE_CYCLE`, … (docs/rules.md lists them). */
  code: string;
  message: string;
}

export class RuleValidationError extends RadarError {
  readonly issues: RuleIssue[];

  constructor(issues: RuleIssue[]) {
    super(
      'INVALID_RULESET',
      issues.map((i) => `${i.file}:${i.line}:${i.col} ${i.key}: ${i.message}`).join('\n'),
    );
    this.issues = issues;
  }
}
