/**
 * Whether the service is ready, as `/readyz` reports it: consuming, caught
 * up, and not on its way out. Pure: the caller gathers the facts.
 */

/** Stable codes, one per reason the service is not ready. */
export type NotReadyReason =
  'STARTING' | 'SHUTTING_DOWN' | 'NOT_CONSUMING' | 'LAG_UNKNOWN' | 'CATCHING_UP';

export interface ReadinessFacts {
  /** `start` has finished: the radar is rebuilt from the store and the consumer launched. */
  started: boolean;
  /** A signal (or a consumer that gave up) has begun the shutdown. */
  stopping: boolean;
  /** A consumer is in its group. */
  consuming: boolean;
  /** Messages behind on all signal partitions together, when known. */
  lag: number | undefined;
  /** How long ago the lag was read, in milliseconds. */
  lagAgeMs: number;
}

export interface ReadinessPolicy {
  /** Ready only at or below this lag. */
  maxLag: number;
  /** A lag read longer ago than this is unknown. */
  maxLagAgeMs: number;
}

export interface Readiness {
  ready: boolean;
  reasons: NotReadyReason[];
  lag: number | undefined;
}

export function readiness(facts: ReadinessFacts, policy: ReadinessPolicy): Readiness {
  const reasons: NotReadyReason[] = [];
  if (facts.stopping) reasons.push('SHUTTING_DOWN');
  if (!facts.started) reasons.push('STARTING');
  else if (!facts.consuming) reasons.push('NOT_CONSUMING');
  const lag = facts.lagAgeMs <= policy.maxLagAgeMs ? facts.lag : undefined;
  if (lag === undefined) reasons.push('LAG_UNKNOWN');
  else if (lag > policy.maxLag) reasons.push('CATCHING_UP');
  return { ready: reasons.length === 0, reasons, lag };
}
