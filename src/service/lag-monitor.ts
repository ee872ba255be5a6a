/**
 * Reads the consumer group's lag from the broker, as lag tools (Burrow,
 * kafka-consumer-groups) do: per signal partition, the high watermark less
 * the group's committed offset. The service commits after every stored
 * batch, so this is its true position, at most one batch behind the store
 * after a crash. Read on a timer, not per batch, so the lag of a service that
 * has stopped consuming keeps growing where it shows.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from '../log/logger.js';
import type { PartitionLag } from '../metrics/index.js';
import { kafkaLogCreator } from './kafka-log.js';

export interface TopicOffsets {
  topic: string;
  partitions: { partition: number; low: string; high: string }[];
}

export interface CommittedOffsets {
  topic: string;
  /** Kafka's `-1` (or none) for a partition the group never committed. */
  partitions: { partition: number; offset: string }[];
}

/**
 * Lag per partition. A partition the group never committed counts from its
 * low watermark, where a consumer that starts from the beginning starts; an
 * offset below it (the messages expired) counts from there too.
 */
export function partitionLags(
  ends: readonly TopicOffsets[],
  committed: readonly CommittedOffsets[],
): PartitionLag[] {
  const offsetOf = new Map<string, bigint>();
  for (const t of committed)
    for (const p of t.partitions) offsetOf.set(`${t.topic}:${p.partition}`, BigInt(p.offset));
  const lags: PartitionLag[] = [];
  for (const t of ends) {
    for (const p of t.partitions) {
      const low = BigInt(p.low);
      const high = BigInt(p.high);
      const position = offsetOf.get(`${t.topic}:${p.partition}`) ?? -1n;
      const from = position < low ? low : position;
      lags.push({
        topic: t.topic,
        partition: p.partition,
        lag: Number(high > from ? high - from : 0n),
      });
    }
  }
  return lags.sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
}

export interface LagReading {
  partitions: PartitionLag[];
  total: number;
  /** Date.now() when read. */
  at: number;
}

export interface LagMonitorOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: readonly string[];
  intervalMs: number;
  log: Logger;
  /** Called with every successful reading. */
  onReading?: (reading: LagReading) => void;
}

export class LagMonitor {
  private readonly admin: Admin;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private reading: LagReading | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: LagMonitorOptions) {
    this.admin = new Kafka({
      clientId: `${options.clientId}-lag`,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(options.log),
    }).admin();
  }

  /** The last successful reading, if any. */
  get latest(): LagReading | undefined {
    return this.reading;
  }

  /** Reads at once, then every interval, until `stop`. Never rejects: a failed read is logged. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
    await this.admin.disconnect().catch(() => {});
  }

  private tick(): void {
    this.inFlight = this.read().finally(() => {
      this.inFlight = undefined;
      if (this.running) this.timer = setTimeout(() => this.tick(), this.options.intervalMs);
    });
  }

  private async read(): Promise<void> {
    const { groupId, topics, log, onReading } = this.options;
    try {
      await this.admin.connect();
      const ends: TopicOffsets[] = [];
      for (const topic of topics)
        ends.push({ topic, partitions: await this.admin.fetchTopicOffsets(topic) });
      const committed = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
      const partitions = partitionLags(ends, committed);
      this.reading = {
        partitions,
        total: partitions.reduce((n, p) => n + p.lag, 0),
        at: Date.now(),
      };
      onReading?.(this.reading);
    } catch (error) {
      if (this.running)
        log.warn(
          { error: (error as Error).name, message: (error as Error).message },
          'cannot read the consumer lag',
        );
    }
  }
}
