/**
 * Whether the service is ready, as `/readyz` reports it: consuming, caught
 * up, and not on its way out; and whether the gRPC health says it serves,
 * from the same answer. Pure: the caller gathers the facts.
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

/**
 * Whether the gRPC health answers SERVING: the service is consuming in the
 * readiness sense (started, not stopping, in its group, its lag read from the
 * broker lately), caught up or not. A backlog alone (`CATCHING_UP`) is no
 * reason to say otherwise: the API answers from the store meanwhile, and a
 * load balancer would gain nothing by dropping the instance that is working
 * through it.
 */
export function healthServing(readiness: Readiness): boolean {
  return readiness.reasons.every((reason) => reason === 'CATCHING_UP');
}
