import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { PRODUCER_CONFIG } from '../../src/producers/producer-config.js';

/** What kafkajs logs while a producer is made (it connects to nothing). */
function warningsMaking(config: Parameters<Kafka['producer']>[0]): string[] {
  const warnings: string[] = [];
  const kafka = new Kafka({
    brokers: ['127.0.0.1:9'],
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        if (level === logLevel.WARN) warnings.push(log.message);
      },
  });
  kafka.producer(config);
  return warnings;
}

describe('the producer configuration', () => {
  it('makes a producer without kafkajs warning at start, unlike its defaults', () => {
    expect(warningsMaking({})).toEqual([expect.stringContaining('default partitioner')]);
    expect(warningsMaking(PRODUCER_CONFIG)).toEqual([]);
  });
});
