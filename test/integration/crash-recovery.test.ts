/**
 * Crash safety of `radar serve`, against the real broker, real LevelDB and a
 * real process: the service is SIGKILLed at random moments, while it ingests
 * or while it is still starting (opening the store, joining the group), and
 * started again. After every kill the store it left is consistent on its
 * own, and once everything is consumed the service shows exactly what
 * `radar backtest` computes: no signal lost or doubled, no indicator event
 * sequence number reused or skipped, every event on the indicator topic.
 * `/readyz` is polled throughout and every "ready" held to the broker.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/broker/free-port.js';
import { eventMessage } from '../../src/producers/publish.js';
import { replayLines } from '../../src/producers/replay.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { brokers, createTopics, kafka, waitFor } from '../helpers/kafka.js';
import { seeded, testSeed } from '../helpers/seed.js';
import {
  coversSequences,
  readIndicatorTopic,
  readStore,
  countByReason,
  readDeadLetters,
  replayEvents,
  type StoredState,
} from './indicator-events.js';
import { expectEqualsBacktest, testConfig } from './radar-service.js';
import { ReadinessWatch, watchedHttp } from './readiness-watch.js';
import {
  groupProgress,
  serviceRunner,
  type GroupProgress,
  waitForNewMember,
  waitUntilCommitted,
  writeConfigFile,
} from './service-process.js';
import { doorRejections, scenarioLines, scenarioRules, shuffle } from './signal-lines.js';

const TRIALS = 6;
const GENERATED = 3000;
/**
 * A kill while ingesting lands when the group has committed a random share
 * (10–60 %) of what is waiting, plus a random 0–24 ms, so it hits some phase
 * of a batch: decoding, dead letters, the store write, publishing events or
 * the commit.
 */
const MIN_SHARE = 0.1;
const MAX_SHARE = 0.6;
const MAX_KILL_DELAY = 25;
/** About one kill in three lands this many ms (at random) after the start, while it starts up. */
const STARTUP_KILL_SHARE = 0.34;
const MAX_STARTUP_KILL_MS = 2500;

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
  /** While starting up (`delay` ms after the spawn), or while ingesting (`share` committed, then `delay` ms). */
  phase: 'startup' | 'ingesting';
  share?: number;
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

  it(`SIGKILLed ${TRIALS} times while starting or ingesting and restarted, it still equals the backtest`, async () => {
    const config = await testConfig({ rules: scenarioRules });
    const { topics, groupId } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(brokers(), [...signalTopics, topics.dlq, topics.indicators]);
    const httpPort = await freePort();
    const configFile = await writeConfigFile(config, {
      kafka: { sessionTimeout: 6000 },
      store: { sync: true },
      http: watchedHttp(httpPort),
    });
    const watch = new ReadinessWatch({
      admin,
      port: httpPort,
      groupId,
      signalTopics,
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

    const phases = Array.from({ length: TRIALS }, () =>
      random() < STARTUP_KILL_SHARE ? ('startup' as const) : ('ingesting' as const),
    );
    const startupDelays = phases.map(() => Math.floor(random() * MAX_STARTUP_KILL_MS));
    const kills: Kill[] = [];

    const members = new Set<string>();
    for (let trial = 0; trial < TRIALS; trial++) {
      const phase = phases[trial]!;
      if (phase === 'startup') {
        // Its wave waits for it, so the kill finds messages to be ingested.
        await replayLines(producer, waves[trial]!, topics, 200);
        await watch.given();
      }
      const service = start(configFile);
      let atKill: GroupProgress;
      if (phase === 'startup') {
        await sleep(startupDelays[trial]);
        atKill = await groupProgress(admin, groupId, signalTopics);
      } else {
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
        await watch.given();
        const { end } = await groupProgress(admin, groupId, signalTopics);
        const target = before.committed + Math.ceil(fractions[trial]! * (end - before.committed));
        await waitFor(
          async () => (await groupProgress(admin, groupId, signalTopics)).committed >= target,
          { timeout: 60_000, delay: 5 },
        );
        await sleep(delays[trial]);
        atKill = await groupProgress(admin, groupId, signalTopics);
      }
      service.kill('SIGKILL');
      expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });

      // Killed before its very first start made the store: nothing was stored or committed.
      if (!existsSync(join(config.dataDir, 'CURRENT'))) {
        expect(phase).toBe('startup');
        expect(atKill.committed).toBe(0);
        kills.push({
          phase,
          delay: startupDelays[trial]!,
          end: atKill.end,
          committed: 0,
          storedEvents: 0,
          unpublished: 0,
          storedSignals: 0,
          storeAhead: 0,
        });
        continue;
      }
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
        phase,
        ...(phase === 'ingesting' && { share: Number(fractions[trial]!.toFixed(3)) }),
        delay: phase === 'startup' ? startupDelays[trial]! : delays[trial]!,
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
    expect(await watch.given()).toBe(stream.length);
    const final = await waitUntilCommitted(admin, groupId, signalTopics);
    expect(final.end).toBe(stream.length);
    // Caught up, it says so; never before (checked on every answer).
    expect(await watch.untilReady()).toBe(0);
    const readiness = await watch.stop();
    service.kill('SIGTERM');
    expect(await service.exited, service.output()).toEqual({ code: 0, signal: null });
    expect(readiness.lies, JSON.stringify(readiness)).toEqual([]);
    expect(readiness.unverified, JSON.stringify(readiness)).toBe(0);
    expect(readiness.noAnswer).toBeGreaterThan(0);
    // A restarted service joins the group within its start (after the dead member's session): STARTING.
    expect(readiness.reasons).toEqual(expect.arrayContaining(['STARTING', 'CATCHING_UP']));

    // Equal to the backtest of the produced lines, byte for byte; no signal lost or doubled:
    // the counters stored with each batch add up exactly.
    const { accepted, duplicates, rejected } = await expectEqualsBacktest(
      stream,
      dirname(configFile),
      config,
    );
    const state = await readStore(config.dataDir);
    expect(state.signalIds.length).toBe(accepted);
    expect(state.counters).toMatchObject({ accepted, duplicates, rejected });
    expect(accepted + duplicates + rejected).toBe(stream.length);

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

    // Every rejected message is on the dead-letter topic (at least once), with its reason.
    const letters = await readDeadLetters(topics.dlq, rejected);
    expect(letters.size).toBe(rejected);
    expect(countByReason(letters.values())).toEqual(doorRejections(stream));

    // Every kill mid-ingestion happened while messages were waiting to be ingested (one while
    // starting up may find its wave consumed already, if the start was quick).
    for (const kill of kills.filter((k) => k.phase === 'ingesting'))
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
        deadLetters: letters.size,
        seed,
        kills,
        readiness,
      }),
    );
  });
});
