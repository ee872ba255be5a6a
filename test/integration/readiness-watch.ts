/**
 * Readiness held to the truth throughout a fault test: `/readyz` of the
 * running `radar serve` is polled without pause, and every "ready" answer is
 * checked at once against the broker: the group has committed everything the
 * test had given the service by then, and a consumer is in the group. A
 * "ready" during a declared outage (the broker down) is a lie outright. A
 * process that is down or restarting does not answer, which an orchestrator
 * reads as not ready.
 */
import type { Admin } from 'kafkajs';
import type { RadarConfigInput } from '../../src/config/config.js';
import { groupProgress } from './service-process.js';

/**
 * How long before a "ready" answer the service's lag reading may have begun:
 * it may be up to three lag intervals old (src/service/observability.ts), and
 * the reading itself takes a moment on a loaded machine.
 */
const READING_MARGIN_MS = 2000;

/** How often a watched service reads its lag: often, so that "ready" follows the truth closely. */
const LAG_INTERVAL_MS = 200;

/** The `http` settings of a service whose readiness a `ReadinessWatch` holds to the truth. */
export function watchedHttp(port: number): NonNullable<RadarConfigInput['http']> {
  return { enabled: true, host: '127.0.0.1', port, readyMaxLag: 0, lagIntervalMs: LAG_INTERVAL_MS };
}

export interface ReadinessWatchOptions {
  admin: Admin;
  /** The service's HTTP port, its settings made by `watchedHttp`. */
  port: number;
  groupId: string;
  signalTopics: readonly string[];
  /** Between answers; default 50 ms. */
  pollMs?: number;
}

export interface ReadinessSummary {
  ready: number;
  notReady: number;
  /** Polls nothing answered: the process down, restarting or not yet listening. */
  noAnswer: number;
  /** Every reason code seen in a "not ready" answer. */
  reasons: string[];
  /** "Ready" answers the broker could not be asked about, at the start of an outage. */
  unverified: number;
  /** Every "ready" that was not the truth, with what the broker said; empty when readiness was honest. */
  lies: string[];
  /** Why the broker could not be asked about a "ready" answer (counted in `unverified`). */
  errors: string[];
}

interface Given {
  at: number;
  end: number;
}

interface Outage {
  from: number;
  to: number;
}

interface ReadyAnswer {
  ready: boolean;
  reasons: string[];
  lag?: number;
}

export class ReadinessWatch {
  private readonly givens: Given[] = [];
  private readonly outages: Outage[] = [];
  private readonly summary: ReadinessSummary = {
    ready: 0,
    notReady: 0,
    noAnswer: 0,
    reasons: [],
    unverified: 0,
    lies: [],
    errors: [],
  };
  private readonly reasons = new Set<string>();
  /** When each reason was last given, by the time its question was sent. */
  private readonly reasonSeenAt = new Map<string, number>();
  private running = true;
  private readonly loop: Promise<void>;
  private lastReady: { at: number; lag: number | undefined } | undefined;

  constructor(private readonly options: ReadinessWatchOptions) {
    this.loop = this.poll();
  }

  /**
   * The messages now on the signal topics are the service's to consume:
   * from here on (give or take one lag reading) "ready" means all committed.
   */
  async given(): Promise<number> {
    const { end } = await this.progress();
    this.givens.push({ at: Date.now(), end });
    return end;
  }

  /** The broker goes down now: until `outageEnded`, no answer may say ready. */
  outageBegins(): void {
    this.outages.push({ from: Date.now(), to: Infinity });
  }

  outageEnded(): void {
    const outage = this.outages.at(-1);
    if (outage !== undefined && outage.to === Infinity) outage.to = Date.now();
  }

  /** Resolves at the first "ready" answered after now, with its lag; rejects after `timeout` ms. */
  async untilReady(timeout = 90_000): Promise<number | undefined> {
    const since = Date.now();
    const deadline = since + timeout;
    while (Date.now() < deadline) {
      if (this.lastReady !== undefined && this.lastReady.at >= since) return this.lastReady.lag;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`never ready within ${timeout} ms: ${JSON.stringify(this.snapshot())}`);
  }

  /** Resolves once a "not ready" answer asked for from now on gives `reason`; rejects after `timeout` ms. */
  async untilReason(reason: string, timeout = 60_000): Promise<void> {
    const since = Date.now();
    const deadline = since + timeout;
    while ((this.reasonSeenAt.get(reason) ?? 0) < since) {
      if (Date.now() > deadline)
        throw new Error(`never ${reason} within ${timeout} ms: ${JSON.stringify(this.snapshot())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops polling and tells what was seen. */
  async stop(): Promise<ReadinessSummary> {
    this.running = false;
    await this.loop;
    return this.snapshot();
  }

  private snapshot(): ReadinessSummary {
    return {
      ...this.summary,
      reasons: [...this.reasons].sort(),
      lies: [...this.summary.lies],
      errors: [...this.summary.errors],
    };
  }

  private progress() {
    const { admin, groupId, signalTopics } = this.options;
    return groupProgress(admin, groupId, signalTopics);
  }

  private async poll(): Promise<void> {
    const pollMs = this.options.pollMs ?? 50;
    while (this.running) {
      const sentAt = Date.now();
      const answer = await this.ask();
      if (answer === undefined) this.summary.noAnswer++;
      else if (!answer.ready) {
        this.summary.notReady++;
        for (const reason of answer.reasons) {
          this.reasons.add(reason);
          this.reasonSeenAt.set(reason, sentAt);
        }
      } else {
        this.summary.ready++;
        await this.verify(sentAt, answer).catch((error: unknown) => {
          this.summary.unverified++;
          this.summary.errors.push(String(error));
        });
        this.lastReady = { at: Date.now(), lag: answer.lag };
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private async ask(): Promise<ReadyAnswer | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.options.port}/readyz`, {
        signal: AbortSignal.timeout(5000),
      });
      const answer = (await response.json()) as ReadyAnswer;
      if (answer.ready !== (response.status === 200))
        this.summary.lies.push(`status ${response.status} with ${JSON.stringify(answer)}`);
      return answer;
    } catch {
      return undefined;
    }
  }

  /** Holds a "ready" asked for at `sentAt` to what the broker says now. */
  private async verify(sentAt: number, answer: ReadyAnswer): Promise<void> {
    const lie = (what: string): void => {
      this.summary.lies.push(`${new Date(sentAt).toISOString()}: ready, ${what}`);
    };
    const staleness = 3 * LAG_INTERVAL_MS;
    const now = Date.now();
    for (const { from, to } of this.outages) {
      if (sentAt >= from + staleness && sentAt <= to) {
        lie('while the broker was down');
        return;
      }
      // The broker is going down or gone: it cannot be asked, and the service's last reading may still be fresh.
      if (now >= from && sentAt <= to) {
        this.summary.unverified++;
        return;
      }
    }
    if (answer.lag !== 0) lie(`with lag ${answer.lag}`);
    const given = this.givens
      .filter((g) => g.at <= sentAt - staleness - READING_MARGIN_MS)
      .reduce((max, g) => Math.max(max, g.end), 0);
    const { committed } = await this.progress();
    if (committed < given) lie(`with ${committed} of the ${given} given messages committed`);
    const { groups } = await this.options.admin.describeGroups([this.options.groupId]);
    const group = groups[0];
    if (group?.state !== 'Stable' || group.members.length === 0)
      lie(`with the group ${group?.state} and ${group?.members.length ?? 0} members`);
  }
}
