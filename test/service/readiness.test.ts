import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readiness, type ReadinessFacts } from '../../src/service/readiness.js';

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
