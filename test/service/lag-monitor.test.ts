import { describe, expect, it } from 'vitest';
import { partitionLags } from '../../src/service/lag-monitor.js';

describe('consumer lag', () => {
  it('is the high watermark less the committed offset, per partition, in order', () => {
    expect(
      partitionLags(
        [
          {
            topic: 'b',
            partitions: [
              { partition: 1, low: '0', high: '7' },
              { partition: 0, low: '0', high: '5' },
            ],
          },
          { topic: 'a', partitions: [{ partition: 0, low: '0', high: '3' }] },
        ],
        [
          {
            topic: 'b',
            partitions: [
              { partition: 0, offset: '5' },
              { partition: 1, offset: '2' },
            ],
          },
          { topic: 'a', partitions: [{ partition: 0, offset: '1' }] },
        ],
      ),
    ).toEqual([
      { topic: 'a', partition: 0, lag: 2 },
      { topic: 'b', partition: 0, lag: 0 },
      { topic: 'b', partition: 1, lag: 5 },
    ]);
  });

  it('counts a partition never committed, or committed below expired messages, from its low watermark', () => {
    expect(
      partitionLags(
        [
          {
            topic: 't',
            partitions: [
              { partition: 0, low: '4', high: '10' },
              { partition: 1, low: '4', high: '10' },
              { partition: 2, low: '0', high: '0' },
            ],
          },
        ],
        [
          {
            topic: 't',
            partitions: [
              { partition: 0, offset: '-1' },
              { partition: 1, offset: '2' },
            ],
          },
        ],
      ).map((p) => p.lag),
    ).toEqual([6, 6, 0]);
  });
});
