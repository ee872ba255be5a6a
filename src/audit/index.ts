/** The NEN 7513 audit log: append-only, hash-chained, verifiable. */
export { AuditLog, type AuditLogOptions } from './log.js';
export { AuditError, type AuditErrorCode } from './errors.js';
export { GENESIS_HASH, type AuditEntry, type AuditRecord, type RetentionFacts } from './record.js';
export { verifyAuditLog, type AuditVerification } from './verify.js';
export { auditVerifyCommand } from './verify-command.js';
