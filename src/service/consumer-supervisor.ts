/**
 * Keeps the service's Kafka consumer running. kafkajs restarts a crashed
 * consumer by itself only after retriable errors; after any other (a record
 * batch the broker refuses, a batch that fails for good) it leaves the
 * consumer disconnected and the process running, consuming nothing. Here
 * every crash ends one of two visible ways: a fresh consumer after a backoff
 * that grows with the recent crashes, logged; or, after more crashes within
 * the window than the policy allows, `failed` rejects and the process exits
 * non-zero for its supervisor (systemd, Kubernetes) to restart it.
 * `serving` is true only while a consumer is in its group: what the
 * readiness judges, and gRPC health's source when `http` is off.
 */
import type { Consumer } from 'kafkajs';
import { RadarError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { backoffDelay, withRetry } from '../retry/retry.js';

export interface RestartPolicy {
  /** More crashes than this within the window: give up. */
  maxCrashes: number;
  windowMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export type CrashDecision =
  | { action: 'restart'; delayMs: number; recent: number[] }
  | { action: 'give-up'; recent: number[] };

/**
 * What to do after a crash at `now`, given the times of the earlier crashes:
 * only crashes within the window count, so a service that crashes once a day
 * restarts at the initial delay for ever, and one stuck on a batch that fails
 * every time gives up after `maxCrashes` restarts.
 */
export function afterCrash(
  earlier: readonly number[],
  now: number,
  policy: RestartPolicy,
  random: () => number = Math.random,
): CrashDecision {
  const recent = [...earlier.filter((t) => now - t < policy.windowMs), now];
  if (recent.length > policy.maxCrashes) return { action: 'give-up', recent };
  return { action: 'restart', delayMs: backoffDelay(recent.length, policy, random), recent };
}

export interface ConsumerSupervisorOptions {
  /** A new consumer, not yet connected; its `retry.restartOnFailure` should say no. */
  create: () => Consumer;
  /** What must be done before each consumer connects; a stop waits for it to end. */
  prepare?: () => Promise<void>;
  /** Connects, subscribes and runs the consumer: settles once it has joined its group. */
  run: (consumer: Consumer) => Promise<void>;
  policy: RestartPolicy;
  log: Logger;
  now?: () => number;
}

/** What a log line may say of an error: no payload, nothing personal. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code ?? (error as { type?: unknown }).type;
  return { error: error.name, ...(code !== undefined && { code }), message: error.message };
}

export class ConsumerSupervisor {
  /** Rejects with `CONSUMER_FAILED` when the supervisor gives up; never resolves. */
  readonly failed: Promise<never>;
  private fail!: (error: RadarError) => void;
  private current: Consumer | undefined;
  private crashes: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Settles when stop is called: a consumer still joining its group is not waited for. */
  private readonly stopped: Promise<void>;
  private markStopped!: () => void;
  private preparing: Promise<void> | undefined;
  /** Whether the current consumer has joined its group since it was launched. */
  private joined = false;
  private isServing = false;
  private readonly listeners = new Set<(serving: boolean) => void>();
  private readonly now: () => number;

  constructor(private readonly options: ConsumerSupervisorOptions) {
    this.now = options.now ?? Date.now;
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    // Only those who wait on it should hear of it.
    this.failed.catch(() => {});
    this.stopped = new Promise((resolve) => (this.markStopped = resolve));
  }

  get serving(): boolean {
    return this.isServing;
  }

  onChange(listener: (serving: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the first consumer; its failure is the caller's, as any start failure. */
  async start(): Promise<void> {
    await this.launch();
  }

  /**
   * Stops the consumer: one in its group finishes the batch in hand and
   * leaves. One still joining holds no batch, and is not waited for: kafkajs
   * disconnects only once the broker has answered the join, and after a
   * crash the broker answers only when the session of the member that died
   * has run out (30 s by default), longer than a graceful stop may take.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.setServing(false);
    this.markStopped();
    await this.preparing?.catch(() => undefined);
    await this.leave();
  }

  /** Disconnects the current consumer; waits for it only if it joined its group. */
  private async leave(): Promise<void> {
    const leaving = this.current?.disconnect();
    if (this.joined) await leaving;
    else leaving?.catch(() => {});
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    this.preparing = this.options.prepare?.();
    await this.preparing;
    if (this.stopping) return;
    const consumer = this.options.create();
    this.current = consumer;
    this.joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (consumer !== this.current || this.stopping) return;
      this.joined = true;
      this.setServing(true);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (consumer === this.current && !this.stopping) this.crashed(payload.error, payload.restart);
    });
    const running = this.options.run(consumer);
    try {
      await Promise.race([running, this.stopped]);
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    if (!this.stopping) return;
    // stop() came while this one was starting: it may have been disconnected before it connected.
    running.catch(() => {});
    await this.leave();
  }

  private crashed(error: Error, kafkajsRestarts: boolean): void {
    this.setServing(false);
    const decision = afterCrash(this.crashes, this.now(), this.options.policy);
    this.crashes = decision.recent;
    const { log, policy } = this.options;
    if (decision.action === 'give-up') {
      const failure = new RadarError(
        'CONSUMER_FAILED',
        `the consumer crashed ${decision.recent.length} times within ${policy.windowMs} ms; giving up`,
        { cause: error },
      );
      log.fatal(
        { code: failure.code, cause: describe(error), crashes: decision.recent.length },
        failure.message,
      );
      this.fail(failure);
      void this.current?.disconnect().catch(() => {});
      return;
    }
    if (kafkajsRestarts) {
      // kafkajs restarts this consumer itself; a second one would join the group beside it.
      log.error({ ...describe(error) }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    log.error(
      { ...describe(error), restartInMs: Math.round(decision.delayMs) },
      'consumer crashed; restarting it',
    );
    this.timer = setTimeout(() => void this.restart(), decision.delayMs);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    const crashed = this.current;
    try {
      await crashed?.disconnect();
      await withRetry(() => this.launch());
      this.options.log.info('consumer restarted');
    } catch (error) {
      if (!this.stopping) this.crashed(error as Error, false);
    }
  }

  private setServing(serving: boolean): void {
    if (serving === this.isServing) return;
    this.isServing = serving;
    for (const listener of this.listeners) listener(serving);
  }
}
