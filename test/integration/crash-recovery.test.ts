/**
 * Crash safety of `radar serve`, against the real broker, real LevelDB and a
 * real process: the service is SIGKILLed at random moments while it ingests,
 * and started again. After every kill the store it left is consistent on its
 * own, and once everything is consumed the service shows exactly what
 * `radar backtest` computes: no signal lost or doubled, no indicator event
 * sequence number reused or skipped, every event on the indicator topic.
 */
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMessage } from '../../src/producers/publish.js';
import { replayLines } from '../../src/producers/replay.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { brokers, createTopics, kafka, waitFor } from '../helpers/kafka.js';
import { seeded, testSeed } from '../helpers/seed.js';
import {
  coversSequences,
  readIndicatorTopic,
  readStore,
  readTopic,
  replayEvents,
  type StoredState,
} from './indicator-events.js';
import { backtestAndExport, testConfig } from './radar-service.js';
import {
  groupProgress,
  serviceRunner,
  waitForNewMember,
  waitUntilCommitted,
  writeConfigFile,
} from './service-process.js';
import { scenarioLines, scenarioRules, shuffle } from './signal-lines.js';

const TRIALS = 4;
const GENERATED = 3000;
/**
 * A kill lands when the group has committed a random share (10–60 %) of what
 * is waiting, plus a random 0–24 ms, so it hits some phase of a batch:
 * decoding, dead letters, the store write, publishing events or the commit.
 */
const MIN_SHARE = 0.1;
const MAX_SHARE = 0.6;
const MAX_KILL_DELAY = 25;

function split<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Distinct random integers in [0, max), one per trial. */
function distinctRandom(random: () => number, n: number, max: number): number[] {
  const values = new Set<number>();
  while (values.size < n) values.add(Math.floor(random() * max));
  return [...values];
}

/** What every store must satisfy, even one a SIGKILL left behind. */
function expectConsistent(state: StoredState): void {
  const sequences = state.events.map((e) => e.sequence);
  expect(sequences).toEqual(Array.from({ length: state.lastSequence }, (_, i) => i + 1));
  expect(state.publishedSequence).toBeLessThanOrEqual(state.lastSequence);
  expect(replayEvents(state.events)).toEqual(state.indicators);
}

interface Kill {
  share: number;
  delay: number;
  /** Messages in the signal topics, and committed by the group, just before the kill. */
  end: number;
  committed: number;
  /** Indicator events stored when it died, and how many of them were not yet published. */
  storedEvents: number;
  unpublished: number;
  storedSignals: number;
  /** Messages the store had taken in beyond the group's committed offsets. */
  storeAhead: number;
}

describe('crash recovery of radar serve', () => {
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    admin = kafka().admin();
    await admin.connect();
    producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  const { start, killAll } = serviceRunner();

  afterAll(async () => {
    killAll();
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it(`SIGKILLed ${TRIALS} times during ingestion and restarted, it still equals the backtest`, async () => {
    const config = await testConfig({ rules: scenarioRules });
    const { topics, groupId } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(brokers(), [...signalTopics, topics.dlq, topics.indicators]);
    const configFile = await writeConfigFile(config, {
      kafka: { sessionTimeout: 6000 },
      store: { sync: true },
    });

    const signals = [
      ...scenarioLines(),
      ...generateSignalLines({ count: GENERATED, seed: 2024, malformed: 0.01 }),
    ];
    const redelivered = signals.filter((_, i) => i % 5 === 0);
    const stream = shuffle([...signals, ...redelivered], 31);
    const waves = split(stream, TRIALS + 1);
    const seed = testSeed('crash recovery kill points');
    const random = seeded(seed);
    const delays = distinctRandom(random, TRIALS, MAX_KILL_DELAY);
    const fractions = distinctRandom(random, TRIALS, 1000).map(
      (r) => MIN_SHARE + ((MAX_SHARE - MIN_SHARE) * r) / 1000,
    );
    const kills: Kill[] = [];

    const members = new Set<string>();
    for (let trial = 0; trial < TRIALS; trial++) {
      const service = start(configFile);
      try {
        members.add(await waitForNewMember(admin, groupId, members));
      } catch (error) {
        service.kill('SIGKILL');
        throw new Error(`trial ${trial}: the service never joined:\n${service.output()}`, {
          cause: error,
        });
      }
      const before = await groupProgress(admin, groupId, signalTopics);
      await replayLines(producer, waves[trial]!, topics, 200);
      const { end } = await groupProgress(admin, groupId, signalTopics);
      const target = before.committed + Math.ceil(fractions[trial]! * (end - before.committed));
      await waitFor(
        async () => (await groupProgress(admin, groupId, signalTopics)).committed >= target,
        { timeout: 60_000, delay: 5 },
      );
      await sleep(delays[trial]);
      const atKill = await groupProgress(admin, groupId, signalTopics);
      service.kill('SIGKILL');
      expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });

      // The store a SIGKILL left behind is whole on its own, and never behind the group.
      const state = await readStore(config.dataDir);
      expectConsistent(state);
      let storeAhead = 0;
      for (const t of await admin.fetchOffsets({ groupId, topics: signalTopics })) {
        for (const p of t.partitions) {
          const stored = Number(state.offsets.get(`${t.topic}:${p.partition}`) ?? 0);
          expect(stored).toBeGreaterThanOrEqual(Number(p.offset));
          storeAhead += stored - Math.max(0, Number(p.offset));
        }
      }
      kills.push({
        share: Number(fractions[trial]!.toFixed(3)),
        delay: delays[trial]!,
        end: atKill.end,
        committed: atKill.committed,
        storedEvents: state.lastSequence,
        unpublished: state.lastSequence - state.publishedSequence,
        storedSignals: state.signalIds.length,
        storeAhead,
      });
    }

    // The last start: the rest of the stream, consumed to the end, then a clean stop.
    const service = start(configFile);
    await replayLines(producer, waves[TRIALS]!, topics, 200);
    const final = await waitUntilCommitted(admin, groupId, signalTopics);
    expect(final.end).toBe(stream.length);
    await sleep(500);
    service.kill('SIGTERM');
    expect(await service.exited, service.output()).toEqual({ code: 0, signal: null });

    // Equal to the backtest of the produced lines, byte for byte.
    const { backtest, exported } = await backtestAndExport(stream, dirname(configFile), config);
    expect(backtest.code).toBe(0);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(backtest.stdout);
    expect(backtest.stdout).toContain('"type":"indicator"');

    // No signal lost or doubled: the counters stored with each batch add up exactly.
    const [, read, accepted, duplicates, rejected] =
      /read (\d+), accepted (\d+), duplicates (\d+), rejected (\d+)/
        .exec(backtest.stderr)!
        .map(Number);
    expect(read).toBe(stream.length);
    const state = await readStore(config.dataDir);
    expect(state.signalIds.length).toBe(accepted);
    expect(state.counters).toMatchObject({ accepted, duplicates, rejected });
    expect(accepted! + duplicates! + rejected!).toBe(stream.length);

    // Events 1..N without gaps or repeats, and they replay to the stored indicators.
    expectConsistent(state);
    const n = state.lastSequence;
    expect(n).toBeGreaterThan(0);
    expect(state.publishedSequence).toBe(n);

    // The indicator topic holds every event 1..N (at least once), each copy the stored event.
    const onTopic = await readIndicatorTopic(topics.indicators, (events) =>
      coversSequences(events, n),
    );
    for (const { key, value, headers, event } of onTopic) {
      const stored = state.events[event.sequence - 1];
      expect(stored, `sequence ${event.sequence} on the topic`).toBeDefined();
      const expected = eventMessage(stored!);
      expect(key).toBe(expected.key);
      expect(value?.toString()).toBe(expected.value);
      expect(headers['radar-sequence']).toBe(String(event.sequence));
    }

    // Every rejected message is on the dead-letter topic, at least once.
    const letters = await readTopic(topics.dlq, (messages) => {
      const positions = new Set(
        messages.map(
          (m) =>
            `${m.headers['radar-source-topic']}:${m.headers['radar-source-partition']}:${m.headers['radar-source-offset']}`,
        ),
      );
      return positions.size >= rejected!;
    });
    const positions = new Set(
      letters.map(
        (m) =>
          `${m.headers['radar-source-topic']}:${m.headers['radar-source-partition']}:${m.headers['radar-source-offset']}`,
      ),
    );
    expect(positions.size).toBe(rejected);

    // Every kill happened while messages were waiting to be ingested.
    for (const kill of kills)
      expect(kill.committed, JSON.stringify({ seed, kills })).toBeLessThan(kill.end);

    console.log(
      JSON.stringify({
        stream: stream.length,
        accepted,
        duplicates,
        rejected,
        skippedAfterCrashes: state.counters.skipped,
        events: n,
        eventsOnTopic: onTopic.length,
        deadLetters: letters.length,
        seed,
        kills,
      }),
    );
  });
});
