/**
 * One retry policy for every I/O step: exponential backoff with jitter, and
 * only for errors that say retrying can help (`retriable`, as on RadarError
 * and on kafkajs' errors). Anything else fails at once.
 */
export interface RetryOptions {
  /** @defaultValue 5 */
  retries?: number;
  /** @defaultValue 100 */
  initialDelayMs?: number;
  /** @defaultValue 5000 */
  maxDelayMs?: number;
  onRetry?: (error: unknown, attempt: number) => void;
}

export function isRetriable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { retriable?: unknown }).retriable === true
  );
}

/**
 * How long to wait before retry number `attempt` (1, 2, …): the initial delay
 * doubled per earlier attempt up to the maximum, give or take 20 % so that
 * many clients failing together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs'> = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  const base = Math.min(initial * 2 ** Math.min(attempt - 1, 30), max);
  return base * (0.8 + random() * 0.4);
}

export async function withRetry<T>(task: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt > retries || !isRetriable(error)) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, options)));
    }
  }
}
