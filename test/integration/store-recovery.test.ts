/**
 * A data directory corrupted and rebuilt, against the real broker, real
 * LevelDB and real processes: `radar serve` ingests, stops; its CURRENT file
 * is deleted; the next start ends with STORE_DAMAGED (exit 3) and changes
 * nothing; `radar rebuild` folds the signal topics into a new store (the old
 * directory kept aside), and `radar serve` resumes from it. The state then
 * equals `radar backtest` of every message produced, the counters add up
 * exactly, no indicator event sequence is reused, the rebuild produced no
 * event and no dead letter, and every rejected message is on the dead-letter
 * topic exactly once. Then the directory is deleted: STORE_MISSING (exit 4),
 * and a rebuild from nothing gives the same state again. Throughout,
 * readiness says ready only when everything given is committed.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/broker/free-port.js';
import { eventMessage } from '../../src/producers/publish.js';
import { replayLines } from '../../src/producers/replay.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { runCli } from '../backtest/run-cli.js';
import { brokers, createTopics, kafka } from '../helpers/kafka.js';
import {
  readIndicatorTopic,
  readStore,
  readTopic,
  replayEvents,
  type StoredState,
} from './indicator-events.js';
import { expectEqualsBacktest, testConfig } from './radar-service.js';
import {
  serviceRunner,
  waitForNewMember,
  waitUntilCommitted,
  writeConfigFile,
} from './service-process.js';
import { ReadinessWatch, watchedHttp } from './readiness-watch.js';
import { scenarioLines, scenarioRules, shuffle } from './signal-lines.js';

function thirds<T>(items: readonly T[]): [T[], T[], T[]] {
  const size = Math.ceil(items.length / 3);
  return [items.slice(0, size), items.slice(size, 2 * size), items.slice(2 * size)];
}

async function topicEnd(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
}

/**
 * Every message on the signal topics, as lines: what the service consumed.
 * The test's producer may write a message twice when it retries under load,
 * so the topics, not the stream produced, are what the backtest is of.
 */
async function topicLines(admin: Admin, topics: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const topic of topics) {
    const end = await topicEnd(admin, topic);
    const messages = await readTopic(topic, (m) => m.length >= end);
    expect(messages.length).toBe(end);
    for (const m of messages) lines.push(m.value?.toString() ?? '');
  }
  return lines;
}

describe('a data directory corrupted and rebuilt', () => {
  let admin: Admin;
  let producer: Producer;
  const { start, killAll } = serviceRunner();
  const members = new Set<string>();

  beforeAll(async () => {
    admin = kafka().admin();
    await admin.connect();
    producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    killAll();
    await producer?.disconnect();
    await admin?.disconnect();
  });

  /**
   * Starts `radar serve`, waits until the group has committed everything and
   * readiness says so, stops it gracefully.
   */
  async function serveToEnd(
    configFile: string,
    signalTopics: string[],
    groupId: string,
    watch: ReadinessWatch,
  ) {
    const service = start(configFile);
    members.add(await waitForNewMember(admin, groupId, members));
    await waitUntilCommitted(admin, groupId, signalTopics).catch((error: unknown) => {
      throw new Error(`not consumed:\n${service.output()}`, { cause: error });
    });
    expect(await watch.untilReady()).toBe(0);
    service.kill('SIGTERM');
    expect(await service.exited, service.output()).toEqual({ code: 0, signal: null });
  }

  async function rebuildCli(configFile: string) {
    const result = await runCli(['rebuild', '--config', configFile]);
    expect(result.code, result.stderr).toBe(0);
    return result;
  }

  it('stops on the damage, rebuilds, resumes, and equals the backtest', async () => {
    const config = await testConfig({ rules: scenarioRules });
    const { topics, groupId } = config.kafka;
    const signalTopics = [topics.adviesvragen, topics.meldingen, topics.politie];
    await createTopics(brokers(), [...signalTopics, topics.dlq, topics.indicators]);
    const httpPort = await freePort();
    const configFile = await writeConfigFile(config, {
      log: { level: 'warn' },
      http: watchedHttp(httpPort),
    });
    const { dataDir } = config;
    const watch = new ReadinessWatch({ admin, port: httpPort, groupId, signalTopics });

    const signals = [
      ...scenarioLines(),
      ...generateSignalLines({ count: 1500, seed: 17, malformed: 0.02 }),
    ];
    const stream = shuffle([...signals, ...signals.filter((_, i) => i % 6 === 0)], 5);
    const [before, meanwhile, after] = thirds(stream);

    // 1. The service ingests the first third and stops.
    await replayLines(producer, before, topics, 200);
    await watch.given();
    await serveToEnd(configFile, signalTopics, groupId, watch);
    const first: StoredState = await readStore(dataDir);
    const produced = first.lastSequence;
    expect(produced).toBeGreaterThan(0);
    expect(first.publishedSequence).toBe(produced);

    // 2. Its CURRENT file is deleted: the start stops with STORE_DAMAGED, exit 3, and changes nothing.
    await rm(join(dataDir, 'CURRENT'));
    const files = (await readdir(dataDir)).sort();
    const damaged = start(configFile);
    expect(await damaged.exited, damaged.output()).toEqual({ code: 3, signal: null });
    expect(damaged.output()).toContain('STORE_DAMAGED');
    expect(damaged.output()).toContain(dataDir);
    expect(damaged.output()).toContain('radar rebuild --config');
    expect((await readdir(dataDir)).sort()).toEqual(files);

    // 3. More signals arrive while it is down; the rebuild folds all of them.
    await replayLines(producer, meanwhile, topics, 200);
    await watch.given();
    const rebuilt = await rebuildCli(configFile);
    const aside = /kept at (\S+)/.exec(rebuilt.stderr)?.[1];
    expect(aside, rebuilt.stderr).toBeDefined();
    expect((await readdir(aside ?? '')).sort()).toEqual(files);
    const atRebuild = await readStore(dataDir);
    // Numbered after the last event produced, marked produced, and they replay to the indicators.
    expect(atRebuild.events[0]?.sequence).toBe(produced + 1);
    expect(atRebuild.publishedSequence).toBe(atRebuild.lastSequence);
    expect(replayEvents(atRebuild.events)).toEqual(atRebuild.indicators);
    const ends = new Map<string, string>();
    for (const topic of signalTopics)
      for (const p of await admin.fetchTopicOffsets(topic))
        if (p.high !== '0') ends.set(`${topic}:${p.partition}`, p.high);
    expect(atRebuild.offsets).toEqual(ends);

    // 4. The service resumes from the rebuilt store and takes the last third.
    await replayLines(producer, after, topics, 200);
    await watch.given();
    await serveToEnd(configFile, signalTopics, groupId, watch);

    const consumed = await topicLines(admin, signalTopics);
    expect(consumed.length).toBeGreaterThanOrEqual(stream.length);
    const { accepted, duplicates, rejected } = await expectEqualsBacktest(
      consumed,
      dirname(configFile),
      config,
    );
    const counts = { accepted, duplicates, rejected };
    expect(counts.accepted + counts.duplicates + counts.rejected).toBe(consumed.length);
    const final = await readStore(dataDir);
    expect(final.signalIds.length).toBe(counts.accepted);
    expect(
      final.counters,
      JSON.stringify({ atRebuild: atRebuild.counters, rebuilt: rebuilt.stderr }),
    ).toMatchObject(counts);
    expect(final.publishedSequence).toBe(final.lastSequence);

    // No sequence reused: the topic holds the first run's events as they were; of the
    // rebuild's, those of the messages the group had not committed (the second third's),
    // not the history; and every event the service made after it.
    const producedByRebuild = Number(/produced: (\d+) events/.exec(rebuilt.stderr)?.[1]);
    expect(producedByRebuild).toBeGreaterThan(0);
    expect(producedByRebuild).toBeLessThan(atRebuild.lastSequence - produced);
    const indicatorsEnd = await topicEnd(admin, topics.indicators);
    const onTopic = await readIndicatorTopic(topics.indicators, (e) => e.length >= indicatorsEnd);
    expect(onTopic.length).toBe(indicatorsEnd);
    const bySequence = new Map(onTopic.map((e) => [e.event.sequence, e]));
    for (const e of onTopic) {
      const stored =
        e.event.sequence <= produced
          ? first.events[e.event.sequence - 1]
          : final.events.find((s) => s.sequence === e.event.sequence);
      expect(stored, `sequence ${e.event.sequence} on the topic`).toBeDefined();
      expect(e.value?.toString()).toBe(eventMessage(stored!).value);
    }
    const rebuildOnTopic = onTopic.filter(
      (e) => e.event.sequence > produced && e.event.sequence <= atRebuild.lastSequence,
    );
    expect(rebuildOnTopic.length).toBe(producedByRebuild);
    for (const e of final.events)
      if (e.sequence > atRebuild.lastSequence) expect(bySequence.has(e.sequence)).toBe(true);

    // Every rejected message dead-lettered exactly once: the rebuild sent those of the second
    // third, which no service had seen, and none of the first.
    const dlqEnd = await topicEnd(admin, topics.dlq);
    const letters = await readTopic(topics.dlq, (m) => m.length >= dlqEnd);
    const positions = new Set(
      letters.map(
        (m) =>
          `${m.headers['radar-source-topic']}:${m.headers['radar-source-partition']}:${m.headers['radar-source-offset']}`,
      ),
    );
    expect(letters.length).toBe(counts.rejected);
    expect(positions.size).toBe(counts.rejected);

    // 5. The directory deleted while the group has committed offsets: STORE_MISSING, exit 4.
    await rm(dataDir, { recursive: true });
    const missing = start(configFile);
    expect(await missing.exited, missing.output()).toEqual({ code: 4, signal: null });
    expect(missing.output()).toContain('STORE_MISSING');
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });

    // A rebuild from nothing gives the same state, its events after every one produced.
    const again = await rebuildCli(configFile);
    expect(again.stderr).toContain('there was no data directory to move aside');
    await expectEqualsBacktest(consumed, dirname(configFile), config);
    const second = await readStore(dataDir);
    expect(second.events[0]?.sequence).toBe(final.lastSequence + 1);
    expect(second.counters).toMatchObject(counts);

    // And the service starts on it.
    await serveToEnd(configFile, signalTopics, groupId, watch);
    // Ready only when caught up, every answer held to the broker; nothing answered while down.
    const readiness = await watch.stop();
    expect(readiness.lies, JSON.stringify(readiness)).toEqual([]);
    expect(readiness.unverified, JSON.stringify(readiness)).toBe(0);
    expect(readiness.ready).toBeGreaterThan(0);
    expect(readiness.noAnswer).toBeGreaterThan(0);

    console.log(
      JSON.stringify({
        stream: stream.length,
        onTopics: consumed.length,
        ...counts,
        producedBeforeDamage: produced,
        rebuildEvents: atRebuild.lastSequence - produced,
        finalSequence: final.lastSequence,
        deadLetters: letters.length,
      }),
    );
  });
});
