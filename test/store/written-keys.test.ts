import { describe, expect, it } from 'vitest';
import { WrittenKeys } from '../../src/store/written-keys.js';

describe('WrittenKeys', () => {
  it('never says a written key was not written', () => {
    const keys = new WrittenKeys(1_000);
    const written = Array.from({ length: 5_000 }, (_, i) => `kn!name-${String(i)}|1980-01-01`);
    for (const key of written) keys.add(key);
    expect(written.filter((key) => !keys.mayHave(key))).toEqual([]);
  });

  it('says most keys never written were not, at about the rate it is sized for', () => {
    const keys = new WrittenKeys(10_000);
    for (let i = 0; i < 10_000; i++) keys.add(`hv!H-${String(i)}`);
    let wrong = 0;
    for (let i = 10_000; i < 110_000; i++) if (keys.mayHave(`hv!H-${String(i)}`)) wrong++;
    expect(wrong / 100_000).toBeLessThan(0.02);
  });
});
