/**
 * The broker side of the national benchmark: topics of their own per size,
 * the history produced into them in arrival order, and where a consumer
 * group stands, read with the admin API as an operator would.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin, type Message, type Producer } from 'kafkajs';

export interface BenchTopics {
  adviesvragen: string;
  meldingen: string;
  politie: string;
  dlq: string;
  indicators: string;
}

export function benchTopics(prefix: string): BenchTopics {
  return {
    adviesvragen: `${prefix}.adviesvragen`,
    meldingen: `${prefix}.meldingen`,
    politie: `${prefix}.politie`,
    dlq: `${prefix}.dlq`,
    indicators: `${prefix}.indicators`,
  };
}

export const signalTopics = (t: BenchTopics): string[] => [t.adviesvragen, t.meldingen, t.politie];

export function kafkaClient(brokers: string[], clientId = 'radar-bench'): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

export async function createSignalTopics(admin: Admin, topics: BenchTopics): Promise<void> {
  await admin.createTopics({
    topics: signalTopics(topics).map((topic) => ({ topic, numPartitions: 3 })),
    waitForLeaders: true,
  });
}

const KIND = /"kind":"([A-Z]+)"/;
const ID = /^\{"id":"([^"\\]{1,128})"/;

/**
 * Where a line goes: by kind, as the producers of the three streams send
 * them; a withdrawal goes to any of them (the contract allows that) and a
 * line without a readable kind to the police topic.
 */
export function topicOf(line: string, topics: BenchTopics, n: number): string {
  switch (KIND.exec(line)?.[1]) {
    case 'ADVIESVRAAG':
      return topics.adviesvragen;
    case 'MELDING':
      return topics.meldingen;
    case 'INTREKKING':
      return signalTopics(topics)[n % 3]!;
    default:
      return topics.politie;
  }
}

export function messageOf(line: string): Message {
  const key = ID.exec(line)?.[1];
  return key === undefined ? { value: line } : { key, value: line };
}

/** Sends batches per topic, a few in flight at once; resolves when the broker has acknowledged all. */
export class BatchSender {
  private readonly pending = new Map<string, Message[]>();
  private readonly inFlight = new Set<Promise<unknown>>();
  sent = 0;
  constructor(
    private readonly producer: Producer,
    private readonly batch = 2000,
  ) {}

  async add(topic: string, message: Message): Promise<void> {
    let list = this.pending.get(topic);
    if (list === undefined) this.pending.set(topic, (list = []));
    list.push(message);
    if (list.length >= this.batch) await this.send(topic);
  }

  async flush(): Promise<void> {
    for (const topic of [...this.pending.keys()]) await this.send(topic);
    await Promise.all(this.inFlight);
  }

  private async send(topic: string): Promise<void> {
    const messages = this.pending.get(topic) ?? [];
    if (messages.length === 0) return;
    this.pending.set(topic, []);
    while (this.inFlight.size >= 4) await Promise.race(this.inFlight);
    const sending = this.producer.send({ topic, messages }).then(() => {
      this.sent += messages.length;
      this.inFlight.delete(sending);
    });
    this.inFlight.add(sending);
  }
}

/** Produces every line of the file, in file order, and returns how many went out. */
export async function produceFile(
  producer: Producer,
  topics: BenchTopics,
  file: string,
  abort: AbortSignal,
): Promise<number> {
  const sender = new BatchSender(producer);
  let n = 0;
  const lines = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }) });
  for await (const line of lines) {
    if (abort.aborted) throw abort.reason;
    if (line.trim() === '') continue;
    await sender.add(topicOf(line, topics, n++), messageOf(line));
  }
  await sender.flush();
  return n;
}

export interface GroupProgress {
  /** Sum over the partitions of the group's committed offsets (none = 0). */
  committed: number;
  /** Sum over the partitions of the high watermarks. */
  end: number;
}

/** Where a group stands; retries while the broker is still electing the group's coordinator. */
export async function groupProgress(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<GroupProgress> {
  for (let attempt = 1; ; attempt++) {
    try {
      let end = 0;
      for (const topic of topics) {
        for (const p of await admin.fetchTopicOffsets(topic)) end += Number(p.high);
      }
      let committed = 0;
      for (const t of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
        for (const p of t.partitions) committed += Math.max(0, Number(p.offset));
      }
      return { committed, end };
    } catch (error) {
      // kafkajs's error classes are not named exports under ESM; its errors carry `retriable`.
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= 40) throw error;
      await sleep(250);
    }
  }
}

/** Messages in the topics: the sum of their high watermarks. */
export async function topicEnd(admin: Admin, topics: readonly string[]): Promise<number> {
  let end = 0;
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) end += Number(p.high);
  }
  return end;
}

/** Polls until the group has committed everything the topics hold; `onPoll` sees each reading. */
export async function waitUntilConsumed(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  abort: AbortSignal,
  onPoll: (progress: GroupProgress) => void = () => {},
): Promise<GroupProgress> {
  for (;;) {
    if (abort.aborted) throw abort.reason;
    const progress = await groupProgress(admin, groupId, topics);
    onPoll(progress);
    if (progress.end > 0 && progress.committed >= progress.end) return progress;
    await sleep(200);
  }
}

/**
 * A fresh broker loads its coordinators on first use, and a client that
 * comes first may be told to wait or fail: an idempotent producer's
 * InitProducerId and a group's first join both make it do so now, so the
 * first measurement does not pay for it (or stumble over it).
 */
export async function warmUp(kafka: Kafka, admin: Admin): Promise<void> {
  const topic = `radar-bench-warm-up-${process.pid}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'warm-up' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: topic });
  let joined: () => void = () => {};
  const received = new Promise<void>((resolve) => (joined = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => joined() });
  await received;
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
}
