/**
 * What can go wrong in a call, as domain errors with stable codes. Handlers
 * throw these; `status.ts` is the one place that turns them into gRPC status.
 */
import { RadarError } from '../errors.js';

export type ApiErrorCode =
  /** A request field is malformed; `field` names it. */
  | 'INVALID_REQUEST'
  /** No household with this id, BSN or address that the client may see. */
  | 'HOUSEHOLD_NOT_FOUND'
  /** No indicator with this id that the client may see. */
  | 'INDICATOR_NOT_FOUND'
  /** `x-radar-user` or `x-radar-purpose` is missing or empty. */
  | 'MISSING_CALL_CONTEXT'
  /** The client presented no usable identity. */
  | 'NO_CLIENT_IDENTITY'
  /** The client's identity is not configured for any region. */
  | 'UNKNOWN_CLIENT'
  /** The answer would exceed the message size bound. */
  | 'RESPONSE_TOO_LARGE'
  /** The server is stopping; reconnect. */
  | 'SHUTTING_DOWN';

export class ApiError extends RadarError {
  declare readonly code: ApiErrorCode;
  /** The request field at fault, as named in radar.proto (`bsn`, `address.postcode`, …). */
  readonly field?: string;

  constructor(code: ApiErrorCode, message: string, field?: string) {
    super(code, message);
    if (field !== undefined) this.field = field;
  }
}

export function invalid(field: string, message: string): ApiError {
  return new ApiError('INVALID_REQUEST', `${field}: ${message}`, field);
}

/** The same words whether the household does not exist or may not be seen. */
export function householdNotFound(): ApiError {
  return new ApiError('HOUSEHOLD_NOT_FOUND', 'household not found');
}

export function indicatorNotFound(): ApiError {
  return new ApiError('INDICATOR_NOT_FOUND', 'indicator not found');
}
