import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  healthServing,
  readiness,
  type NotReadyReason,
  type ReadinessFacts,
} from '../../src/service/readiness.js';

const policy = { maxLag: 10, maxLagAgeMs: 1000 };
const ready: ReadinessFacts = {
  started: true,
  stopping: false,
  consuming: true,
  lag: 0,
  lagAgeMs: 0,
};

describe('readiness', () => {
  it('is ready when started, consuming, caught up and not stopping', () => {
    expect(readiness(ready, policy)).toEqual({ ready: true, reasons: [], lag: 0 });
    expect(readiness({ ...ready, lag: 10 }, policy).ready).toBe(true);
  });

  it('names every reason it is not ready', () => {
    expect(readiness({ ...ready, lag: 11 }, policy).reasons).toEqual(['CATCHING_UP']);
    expect(readiness({ ...ready, consuming: false }, policy).reasons).toEqual(['NOT_CONSUMING']);
    expect(readiness({ ...ready, lagAgeMs: 1001 }, policy)).toEqual({
      ready: false,
      reasons: ['LAG_UNKNOWN'],
      lag: undefined,
    });
    expect(readiness({ ...ready, lag: undefined }, policy).reasons).toEqual(['LAG_UNKNOWN']);
    expect(
      readiness({ started: false, stopping: true, consuming: false, lag: 50, lagAgeMs: 0 }, policy)
        .reasons,
    ).toEqual(['SHUTTING_DOWN', 'STARTING', 'CATCHING_UP']);
  });

  it('is ready exactly when each fact allows it (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          started: fc.boolean(),
          stopping: fc.boolean(),
          consuming: fc.boolean(),
          lag: fc.option(fc.nat(30), { nil: undefined }),
          lagAgeMs: fc.nat(2000),
        }),
        (facts) => {
          const expected =
            facts.started &&
            !facts.stopping &&
            facts.consuming &&
            facts.lag !== undefined &&
            facts.lag <= policy.maxLag &&
            facts.lagAgeMs <= policy.maxLagAgeMs;
          const answer = readiness(facts, policy);
          expect(answer.ready).toBe(expected);
          expect(answer.reasons.length === 0).toBe(expected);
        },
      ),
    );
  });
});

describe('healthServing', () => {
  const facts = fc.record({
    started: fc.boolean(),
    stopping: fc.boolean(),
    consuming: fc.boolean(),
    lag: fc.option(fc.nat(30), { nil: undefined }),
    lagAgeMs: fc.nat(2000),
  });

  it('serves when ready and while only catching up', () => {
    expect(healthServing(readiness(ready, policy))).toBe(true);
    const behind = readiness({ ...ready, lag: 11 }, policy);
    expect(behind.ready).toBe(false);
    expect(healthServing(behind)).toBe(true);
  });

  it('does not serve for any other reason, alone or beside CATCHING_UP', () => {
    const others: NotReadyReason[] = ['STARTING', 'SHUTTING_DOWN', 'NOT_CONSUMING', 'LAG_UNKNOWN'];
    for (const reason of others) {
      expect(healthServing({ ready: false, reasons: [reason], lag: undefined }), reason).toBe(
        false,
      );
      expect(
        healthServing({ ready: false, reasons: [reason, 'CATCHING_UP'], lag: 50 }),
        reason,
      ).toBe(false);
    }
    expect(healthServing(readiness({ ...ready, started: false }, policy))).toBe(false);
    expect(healthServing(readiness({ ...ready, stopping: true }, policy))).toBe(false);
    expect(healthServing(readiness({ ...ready, consuming: false }, policy))).toBe(false);
    expect(healthServing(readiness({ ...ready, lag: undefined }, policy))).toBe(false);
    expect(healthServing(readiness({ ...ready, lagAgeMs: 1001 }, policy))).toBe(false);
  });

  it('serves exactly when started, not stopping, consuming and the lag fresh, whatever the lag (property)', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const expected =
          f.started &&
          !f.stopping &&
          f.consuming &&
          f.lag !== undefined &&
          f.lagAgeMs <= policy.maxLagAgeMs;
        expect(healthServing(readiness(f, policy))).toBe(expected);
      }),
    );
  });
});
