/**
 * How the service and `radar rebuild` produce: idempotent, one request in
 * flight (so a retried request neither duplicates nor reorders a chunk), and
 * topics only as created beforehand. The partitioner is named, not left to
 * kafkajs's default: it is the same one (murmur2, as Java clients key), but
 * leaving it out makes kafkajs log a migration warning at every start.
 */
import { Partitioners, type ProducerConfig } from 'kafkajs';

export const PRODUCER_CONFIG: Readonly<ProducerConfig> = {
  allowAutoTopicCreation: false,
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
};
