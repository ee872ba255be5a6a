/**
 * Ingest in the background while the API is under load: more national
 * history (another seed, ids of its own so nothing conflicts) produced at a
 * steady rate until stopped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, Producer } from 'kafkajs';
import { nationalSignalLines, type NationalOptions } from '../../src/synthetic/national.js';
import { messageOf, topicOf, type BenchTopics } from './kafka.js';

export class IngestPump {
  private running: Promise<number> | undefined;
  private stopping = false;

  constructor(
    private readonly producer: Producer,
    private readonly topics: BenchTopics,
    private readonly history: NationalOptions,
    private readonly rate: number,
    private readonly idPrefix: string,
  ) {}

  start(abort: AbortSignal): void {
    this.running = this.pump(abort);
  }

  /** Stops producing; resolves with how many lines went out. */
  async stop(): Promise<number> {
    this.stopping = true;
    return (await this.running) ?? 0;
  }

  private async pump(abort: AbortSignal): Promise<number> {
    const lines = nationalSignalLines(this.history);
    const ids = /"([SWX])-/g;
    const started = performance.now();
    const sends: Promise<unknown>[] = [];
    let produced = 0;
    for (let tick = 0; !this.stopping && !abort.aborted; tick++) {
      const wait = started + tick * 10 - performance.now();
      if (wait > 0) await sleep(wait);
      const byTopic = new Map<string, Message[]>();
      for (
        const target = Math.round(((tick + 1) * this.rate) / 100);
        produced < target;
        produced++
      ) {
        const next = lines.next();
        if (next.done === true) return produced;
        const line = next.value.replace(ids, `"${this.idPrefix}-$1-`);
        const topic = topicOf(line, this.topics, produced);
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), messageOf(line)]);
      }
      for (const [topic, messages] of byTopic) sends.push(this.producer.send({ topic, messages }));
    }
    await Promise.all(sends);
    return produced;
  }
}
