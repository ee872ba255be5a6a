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

export async function withRetry<T>(task: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  let delay = options.initialDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt > retries || !isRetriable(error)) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay * (0.8 + Math.random() * 0.4)));
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
