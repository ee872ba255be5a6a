/**
 * How `radar serve` ends. The first SIGTERM or SIGINT asks for a graceful
 * stop (the caller stops fetching, finishes the batch, commits and drains
 * the API) and starts a clock: past `timeoutMs` the process exits anyway. A
 * second signal exits at once. Both forced ends are safe, as a SIGKILL is
 * (see service.ts): a batch not committed is delivered again.
 */
import type { Logger } from '../log/logger.js';

/** Exit status when the graceful stop did not finish: timed out, or a second signal. */
export const EXIT_FORCED = 1;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type StopSignal = (typeof SIGNALS)[number];

export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

export interface ShutdownOptions {
  /** From the first signal (or `begin`) to the forced exit. */
  timeoutMs: number;
  log: Logger;
  /** Ends the process: `process.exit` outside tests. */
  exit: (code: number) => void;
  /** @defaultValue `process` */
  signals?: SignalSource;
  /**
   * After a graceful stop, how long a handle left open may keep the process
   * alive before it exits with `exitCode()`. @defaultValue 2000
   */
  lingerMs?: number;
  /** The status to exit with after the linger. @defaultValue `process.exitCode`, or 0 */
  exitCode?: () => number;
}

export class Shutdown {
  /** Resolves with the first signal. */
  readonly requested: Promise<StopSignal>;
  private request!: (signal: StopSignal) => void;
  private began = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Map<StopSignal, () => void>();
  private readonly signals: SignalSource;

  constructor(private readonly options: ShutdownOptions) {
    this.requested = new Promise((resolve) => (this.request = resolve));
    this.signals = options.signals ?? process;
    for (const signal of SIGNALS) {
      const listener = (): void => this.received(signal);
      this.listeners.set(signal, listener);
      this.signals.on(signal, listener);
    }
  }

  /** True from the first signal, or from `begin` (a failure also stops the service). */
  get stopping(): boolean {
    return this.began;
  }

  /** Starts the clock towards the forced exit, once. */
  begin(): void {
    if (this.began) return;
    this.began = true;
    const { timeoutMs, log, exit } = this.options;
    this.timer = setTimeout(() => {
      log.error({ timeoutMs }, 'graceful stop did not finish in time; exiting');
      exit(EXIT_FORCED);
    }, timeoutMs);
    // Once everything has closed, nothing should wait for this clock.
    this.timer.unref();
  }

  /**
   * The graceful stop is done: stops the clock. Should some handle still
   * keep the process alive, it exits after the linger all the same.
   */
  finished(): void {
    clearTimeout(this.timer);
    const { lingerMs = 2000, log, exit } = this.options;
    const exitCode =
      this.options.exitCode ??
      ((): number => (typeof process.exitCode === 'number' ? process.exitCode : 0));
    setTimeout(() => {
      log.warn({ lingerMs }, 'stopped, but something kept the process alive; exiting');
      exit(exitCode());
    }, lingerMs).unref();
  }

  /** Stops listening for signals (for tests; the process keeps listening until it exits). */
  dispose(): void {
    clearTimeout(this.timer);
    for (const [signal, listener] of this.listeners) this.signals.off(signal, listener);
  }

  private received(signal: StopSignal): void {
    const { log, exit } = this.options;
    if (this.began) {
      log.fatal({ signal }, 'second signal: exiting without finishing the graceful stop');
      exit(EXIT_FORCED);
      return;
    }
    log.info({ signal, timeoutMs: this.options.timeoutMs }, 'stopping gracefully');
    this.begin();
    this.request(signal);
  }
}
