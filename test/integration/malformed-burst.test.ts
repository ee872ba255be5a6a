/**
 * Issue 17: a burst of thousands of malformed and oversized messages mixed
 * with good ones, on the real broker: bad JSON, wrong and missing fields,
 * values beyond the contract's limits, binary garbage (as JSON and as
 * protobuf), empty values, tombstones, keys that are not the id, null keys,
 * and messages larger than the dead-letter topic accepts. Every rejected
 * message is on the dead-letter topic exactly once by where it came from,
 * with the reason the door gives it and its bytes (cut to fit, saying so,
 * when too large); the good ones make exactly the state `radar backtest`
 * computes from them alone; `/readyz` is never ready before all is consumed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Message, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/broker/free-port.js';
import { decodeMessage, PROTOBUF_CONTENT_TYPE } from '../../src/consumers/messages.js';
import { SignalRejectedError } from '../../src/errors.js';
import { TRUNCATED_HEADER } from '../../src/producers/publish.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { brokers, createTopics, kafka } from '../helpers/kafka.js';
import { seeded, testSeed } from '../helpers/seed.js';
import { countByReason, readDeadLetters, readStore } from './indicator-events.js';
import { expectEqualsBacktest, testConfig } from './radar-service.js';
import { ReadinessWatch, watchedHttp } from './readiness-watch.js';
import { serviceRunner, writeConfigFile } from './service-process.js';
import { scenarioLines, scenarioRules } from './signal-lines.js';

const GOOD = 1500;
const BAD = 3000;
const OVERSIZED = 4;
/** Larger than the broker's default `message.max.bytes` (1 MiB), which the dead-letter topic keeps. */
const OVERSIZED_BYTES = 1_500_000;
/** The signal topics accept the oversized messages; the dead-letter topic does not. */
const SIGNAL_TOPIC_MAX_BYTES = 4 * 1024 * 1024;
const CHUNK = 100;

type Json = Record<string, unknown>;
// A test breaks one field at a time by path; typing each path would only add casts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

interface Burst {
  /** What is sent, in order. */
  message: Message;
  /** Which kind of fault it is, for the summary. */
  kind: string;
}

/** What the door makes of a message: its reason code, or the JSON line the backtest reads. */
function verdict(message: Message): { reason?: string; line?: string } {
  const value =
    message.value === null || message.value === undefined
      ? null
      : Buffer.isBuffer(message.value)
        ? message.value
        : Buffer.from(message.value);
  try {
    decodeMessage({
      topic: 't',
      partition: 0,
      offset: '0',
      key: message.key === null || message.key === undefined ? null : Buffer.from(message.key),
      value,
      headers: message.headers ?? {},
    });
    return { line: value!.toString() };
  } catch (error) {
    if (!(error instanceof SignalRejectedError)) throw error;
    return { reason: error.code };
  }
}

/** The faults, each made from a good report (`base`, under a fresh id) or from nothing. */
function faults(random: () => number, base: Json, id: string): Burst[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const broken = (change: (s: Loose) => void): string => {
    const signal = structuredClone({ ...base, id }) as Loose;
    change(signal);
    return JSON.stringify(signal);
  };
  const json = (kind: string, value: string | Buffer | null, key: string | null = id): Burst => ({
    kind,
    message: { key, value },
  });
  const whole = JSON.stringify({ ...base, id });
  const garbage = Buffer.from(
    Array.from({ length: 1 + Math.floor(random() * 400) }, () => Math.floor(random() * 256)),
  );
  return [
    json('bad JSON', whole.slice(0, Math.floor(random() * (whole.length - 1)))),
    json('bad JSON', pick(['{', 'not json', '[1,2,3]', '"a string"', '42', 'null', '{"id":}'])),
    json(
      'wrong fields',
      broken(
        (s) => delete s[pick(['id', 'kind', 'receivedAt', 'occurredAt', 'region', 'persons'])],
      ),
    ),
    json(
      'wrong fields',
      broken((s) => {
        const field = pick(['kind', 'source', 'category', 'safety', 'region']);
        s[field] = pick(['BURENRUZIE', 42, true, ['MELDING']]);
      }),
    ),
    json(
      'wrong fields',
      broken((s) => {
        s.persons = pick([[], {}, 'a', [{ ref: 'a' }, { ref: 'a' }], [{ bsn: '123' }]]);
        delete s.relations;
      }),
    ),
    json(
      'wrong fields',
      broken((s) => (s.occurredAt = pick(['1 maart 2023', '2023-02-30T00:00:00Z', 20230301]))),
    ),
    json(
      'beyond limits',
      pick([
        broken((s) => (s.id = 'X'.repeat(129))),
        broken((s) => (s.address = { postcode: '1234AB', houseNumber: 100_000 })),
        broken((s) => (s.address = { postcode: '1234AB', houseNumber: 0 })),
        broken((s) => (s.address = { postcode: '1234AB', houseNumber: 1, addition: 'ABCDE' })),
        broken((s) => (s.region = 'VT27')),
        broken((s) => {
          s.receivedAt = '2023-03-01T00:00:00Z';
          s.occurredAt = '2023-03-03T00:00:00Z';
        }),
      ]),
    ),
    json('binary garbage', garbage),
    {
      kind: 'binary garbage as protobuf',
      message: { key: id, value: garbage, headers: { 'content-type': PROTOBUF_CONTENT_TYPE } },
    },
    json('empty value', Buffer.alloc(0)),
    json('tombstone', null),
    json('key not the id', whole, `${id}-OTHER`),
    json('bad JSON, null key', whole.slice(0, whole.length - 1), null),
  ];
}

/** Bad JSON or a good signal carrying an unknown field, each larger than the dead-letter topic takes. */
function oversized(base: Json, id: string, good: boolean): Burst {
  const padding = 'p'.repeat(OVERSIZED_BYTES);
  const value = good
    ? JSON.stringify({ ...base, id, remarks: padding })
    : `{"id":"${id}","kind":"MELDING","remarks":"${padding}`;
  return { kind: good ? 'oversized, good' : 'oversized, bad JSON', message: { key: id, value } };
}

function burst(seed: number): Burst[] {
  const random = seeded(seed);
  const goodLines = [
    ...scenarioLines(),
    ...generateSignalLines({ count: GOOD, seed, malformed: 0, withdrawn: 0.03 }),
  ];
  const reports = goodLines
    .map((l) => JSON.parse(l) as Json)
    .filter((s) => s.kind !== 'INTREKKING');
  const good: Burst[] = goodLines.map((line, i) => ({
    kind: i % 10 === 0 ? 'good, null key' : 'good',
    message: { key: i % 10 === 0 ? null : ((JSON.parse(line) as Json).id as string), value: line },
  }));
  const bad: Burst[] = [];
  for (let n = 0; bad.length < BAD; n++) {
    const all = faults(random, reports[Math.floor(random() * reports.length)]!, `BURST-${n}`);
    bad.push(all[Math.floor(random() * all.length)]!);
  }
  for (let n = 0; n < OVERSIZED; n++) bad.push(oversized(reports[n]!, `BIG-${n}`, n % 2 === 0));
  // Mixed: each message at a random place among the others.
  const out = [...good, ...bad];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Produces the messages in order, in chunks each to one partition of a
 * signal topic, an oversized message alone; returns where each one landed.
 */
async function produce(
  producer: Producer,
  messages: readonly Message[],
  topics: readonly string[],
  random: () => number,
): Promise<string[]> {
  const positions: string[] = [];
  for (let i = 0; i < messages.length;) {
    const large = (m: Message) => (m.value?.length ?? 0) > OVERSIZED_BYTES;
    const size = large(messages[i]!) ? 1 : Math.min(CHUNK, messages.length - i);
    let chunk = messages.slice(i, i + size);
    const cut = chunk.findIndex(large);
    if (cut > 0) chunk = chunk.slice(0, cut);
    const topic = topics[Math.floor(random() * topics.length)]!;
    const partition = Math.floor(random() * 3);
    const [meta] = await producer.send({
      topic,
      acks: -1,
      messages: chunk.map((m) => ({ ...m, partition })),
    });
    const base = BigInt(meta!.baseOffset!);
    chunk.forEach((_, k) => positions.push(`${topic}:${partition}:${base + BigInt(k)}`));
    i += chunk.length;
  }
  return positions;
}

describe('a burst of malformed and oversized messages', () => {
  let admin: Admin;
  let producer: Producer;
  const runner = serviceRunner();

  beforeAll(async () => {
    admin = kafka().admin();
    await admin.connect();
    producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    runner.killAll();
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it('puts every rejected message on the DLQ once, by reason, and folds the good ones exactly', async () => {
    const config = await testConfig({ rules: scenarioRules });
    const { topics, groupId } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(brokers(), signalTopics, 3, [
      { name: 'max.message.bytes', value: String(SIGNAL_TOPIC_MAX_BYTES) },
    ]);
    await createTopics(brokers(), [topics.dlq, topics.indicators]);

    const seed = testSeed('malformed burst');
    const sent = burst(seed);
    const verdicts = sent.map((b) => verdict(b.message));
    const kinds = new Map<string, { sent: number; rejected: number }>();
    sent.forEach((b, i) => {
      const k = kinds.get(b.kind) ?? { sent: 0, rejected: 0 };
      k.sent++;
      if (verdicts[i]!.reason !== undefined) k.rejected++;
      kinds.set(b.kind, k);
    });
    // Every fault is rejected; only the good messages, null key or oversized, pass the door.
    for (const [kind, { sent: n, rejected }] of kinds)
      expect(rejected, kind).toBe(kind.includes('good') ? 0 : n);
    const rejected = verdicts.filter((v) => v.reason !== undefined).length;
    expect(rejected).toBeGreaterThanOrEqual(BAD);

    const positions = await produce(
      producer,
      sent.map((b) => b.message),
      signalTopics,
      seeded(seed + 1),
    );

    const httpPort = await freePort();
    const configFile = await writeConfigFile(config, {
      kafka: { sessionTimeout: 6000 },
      store: { sync: false },
      http: watchedHttp(httpPort),
    });
    const watch = new ReadinessWatch({
      admin,
      port: httpPort,
      groupId,
      signalTopics,
    });
    expect(await watch.given()).toBe(sent.length);
    const started = Date.now();
    const service = runner.start(configFile);
    expect(await watch.untilReady(150_000)).toBe(0);
    const caughtUp = Date.now() - started;
    const readiness = await watch.stop();
    service.kill('SIGTERM');
    expect(await service.exited, service.output()).toEqual({ code: 0, signal: null });
    expect(readiness.lies, JSON.stringify(readiness)).toEqual([]);
    expect(readiness.unverified).toBe(0);
    expect(readiness.notReady).toBeGreaterThan(0);

    // The good ones alone make the state, and the service counted each message once.
    const kept = verdicts.flatMap((v) => (v.line === undefined ? [] : [v.line]));
    const counts = await expectEqualsBacktest(
      kept,
      await mkdtemp(join(tmpdir(), 'radar-')),
      config,
    );
    expect(counts).toMatchObject({ read: kept.length, duplicates: 0, rejected: 0 });
    const state = await readStore(config.dataDir);
    expect(state.counters).toMatchObject({
      accepted: counts.accepted,
      duplicates: 0,
      rejected,
      skipped: 0,
    });

    // Every rejected message on the DLQ, by its position, with its reason and bytes; no other.
    const letters = await readDeadLetters(topics.dlq, rejected);
    expect(letters.size).toBe(rejected);
    let truncated = 0;
    sent.forEach(({ message }, i) => {
      const letter = letters.get(positions[i]!);
      const { reason } = verdicts[i]!;
      if (reason === undefined) {
        expect(letter, `message ${i} was accepted`).toBeUndefined();
        return;
      }
      expect(letter, `message ${i} (${reason}) is a dead letter`).toBeDefined();
      expect(letter!.headers['radar-reason'], `message ${i}`).toBe(reason);
      expect(letter!.key).toBe(message.key ?? '');
      const original =
        message.value === null || message.value === undefined ? null : Buffer.from(message.value);
      if (original === null) expect(letter!.value).toBeNull();
      else if (letter!.headers[TRUNCATED_HEADER] !== undefined) {
        truncated++;
        expect(letter!.headers[TRUNCATED_HEADER]).toBe(String(original.length));
        expect(original.subarray(0, letter!.value!.length).equals(letter!.value!)).toBe(true);
      } else expect(letter!.value?.equals(original), `message ${i}`).toBe(true);
    });
    expect(truncated).toBe(OVERSIZED / 2);
    const byReason = new Map<string, number>();
    for (const { reason } of verdicts)
      if (reason !== undefined) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    expect(countByReason(letters.values())).toEqual(byReason);

    console.log(
      JSON.stringify({
        seed,
        sent: sent.length,
        rejected,
        accepted: counts.accepted,
        byReason: Object.fromEntries(byReason),
        byKind: Object.fromEntries(kinds),
        catchUpMs: caughtUp,
        readiness,
      }),
    );
  }, 240_000);
});
