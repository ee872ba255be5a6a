import { RadarError } from '../errors.js';

export type AuditErrorCode = 'AUDIT_LOG_CORRUPT' | 'AUDIT_WRITE_FAILED' | 'AUDIT_LOG_CLOSED';

/** The audit log cannot be trusted or written: no read may be answered. */
export class AuditError extends RadarError {
  declare readonly code: AuditErrorCode;

  constructor(code: AuditErrorCode, message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}
