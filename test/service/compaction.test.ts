import { describe, expect, it } from 'vitest';
import { compactionCheckMs, compactionDue } from '../../src/service/compaction.js';

const settings = { compactAfterSignals: 1000, compactWhenIdleMs: 10_000 };

describe('when the store is compacted whole', () => {
  it('is due once enough signals came since the last compaction and none for a while', () => {
    expect(compactionDue(settings, { acceptedSinceCompacted: 1000, idleMs: 10_000 })).toBe(true);
    expect(compactionDue(settings, { acceptedSinceCompacted: 999, idleMs: 60_000 })).toBe(false);
    expect(compactionDue(settings, { acceptedSinceCompacted: 5000, idleMs: 9_999 })).toBe(false);
  });

  it('is never due when turned off', () => {
    const off = { ...settings, compactAfterSignals: 0 };
    expect(compactionDue(off, { acceptedSinceCompacted: 10 ** 9, idleMs: 10 ** 9 })).toBe(false);
  });

  it('is looked for a few times within the idle time, not in a busy loop', () => {
    expect(compactionCheckMs(settings)).toBe(2500);
    expect(compactionCheckMs({ ...settings, compactWhenIdleMs: 1000 })).toBe(250);
  });
});
