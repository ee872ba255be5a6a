/**
 * The one mapping from errors to gRPC status. Domain codes travel in the
 * trailing metadata `x-radar-error-code` (and `x-radar-field` for a bad
 * field), so clients can match on them instead of on messages. Anything
 * unexpected is INTERNAL with a fixed message: no stack, path or personal
 * data leaves the server.
 */
import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { AuditError } from '../audit/errors.js';
import { RadarError } from '../errors.js';
import { ApiError, type ApiErrorCode } from './errors.js';

const API_STATUS: Record<ApiErrorCode, status> = {
  INVALID_REQUEST: status.INVALID_ARGUMENT,
  HOUSEHOLD_NOT_FOUND: status.NOT_FOUND,
  INDICATOR_NOT_FOUND: status.NOT_FOUND,
  // The user and purpose a call acts for are part of who is calling (NEN
  // 7513): without them the caller is not identified well enough to be served.
  MISSING_CALL_CONTEXT: status.UNAUTHENTICATED,
  NO_CLIENT_IDENTITY: status.UNAUTHENTICATED,
  // Authenticated, but not entitled to any region.
  UNKNOWN_CLIENT: status.PERMISSION_DENIED,
  RESPONSE_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  SHUTTING_DOWN: status.UNAVAILABLE,
};

export type ErrorStatus = Pick<StatusObject, 'code' | 'details' | 'metadata'>;

export function statusName(code: status): string {
  return status[code] ?? String(code);
}

export function toStatus(error: unknown): ErrorStatus {
  const metadata = new Metadata();
  if (error instanceof ApiError) {
    metadata.set('x-radar-error-code', error.code);
    if (error.field !== undefined) metadata.set('x-radar-field', error.field);
    return { code: API_STATUS[error.code], details: error.message, metadata };
  }
  if (error instanceof AuditError) {
    // Fail closed: a read that cannot be audited is not answered.
    metadata.set('x-radar-error-code', error.code);
    return {
      code: status.UNAVAILABLE,
      details: 'the audit log cannot be written; no read is answered',
      metadata,
    };
  }
  if (error instanceof RadarError && error.retriable) {
    metadata.set('x-radar-error-code', error.code);
    return { code: status.UNAVAILABLE, details: 'temporarily unavailable; retry', metadata };
  }
  return { code: status.INTERNAL, details: 'internal error', metadata };
}
