import { EventEmitter, once } from 'node:events';
import fc from 'fast-check';
import type { Consumer } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { RadarError } from '../../src/errors.js';
import {
  afterCrash,
  ConsumerSupervisor,
  type RestartPolicy,
} from '../../src/service/consumer-supervisor.js';

const policy = fc.record({
  maxCrashes: fc.integer({ min: 0, max: 20 }),
  windowMs: fc.integer({ min: 1000, max: 1_000_000 }),
  initialDelayMs: fc.integer({ min: 0, max: 10_000 }),
  maxDelayMs: fc.integer({ min: 0, max: 100_000 }),
});

describe('afterCrash', () => {
  it('gives up exactly when the crashes within the window, this one included, exceed the maximum', () => {
    fc.assert(
      fc.property(
        policy,
        fc.array(fc.integer({ min: 0, max: 2_000_000 }), { maxLength: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (p, times, r) => {
          const earlier = [...times].sort((a, b) => a - b);
          const now = (earlier.at(-1) ?? 0) + 1;
          const recent = earlier.filter((t) => now - t < p.windowMs).length + 1;
          const decision = afterCrash(earlier, now, p, () => r);
          expect(decision.recent).toHaveLength(recent);
          expect(decision.recent.at(-1)).toBe(now);
          if (recent > p.maxCrashes) {
            expect(decision.action).toBe('give-up');
            return;
          }
          expect(decision.action).toBe('restart');
          const base = Math.min(p.initialDelayMs * 2 ** (recent - 1), p.maxDelayMs);
          if (decision.action === 'restart') {
            expect(decision.delayMs).toBeGreaterThanOrEqual(base * 0.8);
            expect(decision.delayMs).toBeLessThanOrEqual(base * 1.2);
          }
        },
      ),
    );
  });

  it('forgets crashes older than the window', () => {
    const p: RestartPolicy = { maxCrashes: 2, windowMs: 1000, initialDelayMs: 10, maxDelayMs: 100 };
    expect(afterCrash([0, 10], 20, p).action).toBe('give-up');
    expect(afterCrash([0, 10], 1005, p)).toMatchObject({ action: 'restart', recent: [10, 1005] });
  });
});

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

/** The part of a kafkajs consumer the supervisor uses, driven by the test. */
class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  disconnected = false;

  override on(event: string | symbol, listener: (...args: unknown[]) => void): this {
    return super.on(event, listener);
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  join(): void {
    this.emit(EVENTS.GROUP_JOIN, { payload: {} });
  }

  crash(error: Error, restart = false): void {
    this.emit(EVENTS.CRASH, { payload: { error, restart, groupId: 'g' } });
  }
}

function harness(
  restart: Partial<RestartPolicy> = {},
  run: (consumer: FakeConsumer, n: number) => Promise<void> = async (c) => c.join(),
  prepare?: () => Promise<void>,
) {
  const consumers: FakeConsumer[] = [];
  const created = new EventEmitter();
  const supervisor = new ConsumerSupervisor({
    create: () => {
      const consumer = new FakeConsumer();
      consumers.push(consumer);
      created.emit('consumer', consumer);
      return consumer as unknown as Consumer;
    },
    prepare,
    run: (consumer) => run(consumer as unknown as FakeConsumer, consumers.length),
    policy: { maxCrashes: 3, windowMs: 60_000, initialDelayMs: 1, maxDelayMs: 5, ...restart },
    log: pino({ level: 'silent' }),
  });
  const changes: boolean[] = [];
  supervisor.onChange((serving) => changes.push(serving));
  const next = async (): Promise<FakeConsumer> => (await once(created, 'consumer'))[0];
  return { supervisor, consumers, changes, next };
}

const refused = Object.assign(new Error('refused'), { retriable: false });

describe('ConsumerSupervisor', () => {
  it('serves while a consumer is in its group, and replaces a crashed one with a fresh one', async () => {
    const { supervisor, consumers, changes, next } = harness();
    await supervisor.start();
    expect(supervisor.serving).toBe(true);

    const replaced = next();
    consumers[0]!.crash(refused);
    expect(supervisor.serving).toBe(false);
    const second = await replaced;
    expect(consumers[0]!.disconnected).toBe(true);
    expect(second).not.toBe(consumers[0]);
    expect(supervisor.serving).toBe(true);
    expect(changes).toEqual([true, false, true]);
    await supervisor.stop();
    expect(changes).toEqual([true, false, true, false]);
  });

  it('gives up with CONSUMER_FAILED after more crashes within the window than allowed', async () => {
    const { supervisor, consumers, next } = harness({ maxCrashes: 2 });
    await supervisor.start();
    for (let i = 0; i < 2; i++) {
      const replaced = next();
      consumers.at(-1)!.crash(refused);
      await replaced;
    }
    consumers.at(-1)!.crash(refused);
    const failure = await supervisor.failed.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RadarError);
    expect(failure).toMatchObject({ code: 'CONSUMER_FAILED', cause: refused });
    expect(consumers).toHaveLength(3);
    expect(supervisor.serving).toBe(false);
  });

  it('leaves a consumer that kafkajs restarts itself to kafkajs', async () => {
    const { supervisor, consumers } = harness();
    await supervisor.start();
    consumers[0]!.crash(Object.assign(new Error('retriable'), { retriable: true }), true);
    expect(supervisor.serving).toBe(false);
    consumers[0]!.join();
    expect(supervisor.serving).toBe(true);
    expect(consumers).toHaveLength(1);
    await supervisor.stop();
  });

  it('counts a restart that fails as a crash, and tries again', async () => {
    const { supervisor, consumers, next } = harness({}, async (consumer, n) => {
      if (n === 2) throw refused;
      consumer.join();
    });
    await supervisor.start();
    const third = next().then(() => next());
    consumers[0]!.crash(refused);
    await third;
    expect(consumers[1]!.disconnected).toBe(true);
    expect(supervisor.serving).toBe(true);
    await supervisor.stop();
  });

  it('stops at once while its consumer is still joining the group, and leaves it to disconnect', async () => {
    // A join the broker has not answered: kafkajs's disconnect would wait for it.
    const { supervisor, consumers } = harness({}, () => new Promise(() => {}));
    const starting = supervisor.start();
    await vi.waitFor(() => expect(consumers).toHaveLength(1));
    await supervisor.stop();
    await starting;
    expect(consumers[0]!.disconnected).toBe(true);
    expect(supervisor.serving).toBe(false);
  });

  it('waits for what is prepared before a consumer, and then starts none', async () => {
    let prepared!: () => void;
    const { supervisor, consumers } = harness(
      {},
      undefined,
      () => new Promise<void>((resolve) => (prepared = resolve)),
    );
    const starting = supervisor.start();
    let stopped = false;
    const stopping = supervisor.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    prepared();
    await Promise.all([starting, stopping]);
    expect(consumers).toHaveLength(0);
  });

  it('starts nothing after stop', async () => {
    // The restart's timer is faked, so that the test runs it rather than waiting for it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { supervisor, consumers } = harness({ initialDelayMs: 20, maxDelayMs: 20 });
      await supervisor.start();
      consumers[0]!.crash(refused);
      expect(vi.getTimerCount()).toBe(1);
      await supervisor.stop();
      await vi.runAllTimersAsync();
      expect(consumers).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
