/**
 * The pure parts of `radar rebuild`: which messages the lost service had
 * folded and produced (below its group's committed offset), and where a
 * directory goes aside.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asideName, splitAtCommitted } from '../../src/service/rebuild.js';
import type { PartitionRange } from '../../src/service/signal-positions.js';

describe('splitAtCommitted', () => {
  it('parts each range at its committed offset: below it known, from it fresh, nothing lost or twice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 30 }),
        fc.option(fc.integer({ min: 0, max: 140 }), { nil: undefined }),
        (partition, low, count, offset) => {
          const range = { topic: 'a', partition, low: BigInt(low), high: BigInt(low + count) };
          const committed = new Map<string, bigint>();
          if (offset !== undefined) committed.set(`a:${partition}`, BigInt(offset));
          // Another partition's offset says nothing about this one.
          committed.set(`a:${partition + 1}`, 1000n);
          const { known, fresh } = splitAtCommitted([range], committed);
          const offsets = (parts: PartitionRange[]): number[] =>
            parts.flatMap((p) =>
              Array.from({ length: Number(p.high - p.low) }, (_, i) => Number(p.low) + i),
            );
          expect([...offsets(known), ...offsets(fresh)]).toEqual(
            Array.from({ length: count }, (_, i) => low + i),
          );
          for (const o of offsets(known)) expect(offset !== undefined && o < offset).toBe(true);
          for (const o of offsets(fresh)) expect(offset === undefined || o >= offset).toBe(true);
          for (const p of [...known, ...fresh]) expect(p.high > p.low).toBe(true);
        },
      ),
    );
  });
});

describe('asideName', () => {
  it('names the directory beside the data directory by the time, without characters paths dislike', () => {
    expect(asideName('/var/lib/radar/data', new Date('2026-12-03T15:04:05.678Z'))).toBe(
      '/var/lib/radar/data.damaged-2026-12-03T15-04-05-678Z',
    );
  });
});
