/**
 * The pure parts of `radar rebuild`: which messages of a batch the lost
 * service had folded and produced (below its group's committed offset), and
 * where a directory goes aside.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/consumers/messages.js';
import { asideName, splitAtCommitted } from '../../src/service/rebuild.js';

function message(topic: string, partition: number, offset: number): InboundMessage {
  return { topic, partition, offset: String(offset), key: null, value: null, headers: {} };
}

describe('splitAtCommitted', () => {
  it('puts a message below its partition committed offset in known, every other in fresh, in order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a', 'b'),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 30 }),
        fc.option(fc.integer({ min: 0, max: 140 }), { nil: undefined }),
        (topic, partition, first, count, offset) => {
          const batch = Array.from({ length: count }, (_, i) =>
            message(topic, partition, first + i),
          );
          const committed = new Map<string, bigint>();
          if (offset !== undefined) committed.set(`${topic}:${partition}`, BigInt(offset));
          // Another partition's offset says nothing about this one.
          committed.set(`${topic}:${partition + 1}`, 1000n);
          const { known, fresh } = splitAtCommitted(batch, committed);
          expect([...known, ...fresh]).toEqual(batch);
          for (const m of known)
            expect(offset !== undefined && Number(m.offset) < offset).toBe(true);
          for (const m of fresh)
            expect(offset === undefined || Number(m.offset) >= offset).toBe(true);
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
