/**
 * Event time on the live path: a police signal that arrives late raises an
 * indicator back in time, and withdrawals change and remove indicators back
 * in time, each with exactly the indicator events the contract's semantics
 * dictate — in the store and on the indicator topic.
 *
 * The rule is `herhaald-partnergeweld` of the shared scenarios: three or more
 * (ex-)partner violence meldingen or police signals within 365 days. All
 * signals are about one person, so they form one household:
 *
 *   L-1 POLITIE 2022-01-15   L-2 POLITIE 2022-06-01 (late)   L-3 MELDING 2022-09-01
 *   L-5 MELDING 2023-02-01   L-4 POLITIE 2023-03-01
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndicatorEventType } from '../../src/engine/index.js';
import { replayLines } from '../../src/producers/replay.js';
import type { Indicator } from '../../src/rules/index.js';
import type { RadarService } from '../../src/service/service.js';
import type { StoredEvent } from '../../src/store/index.js';
import { runCli, ndjson } from '../backtest/run-cli.js';
import { kafka } from '../helpers/kafka.js';
import { coversSequences, readIndicatorTopic } from './indicator-events.js';
import { startService, testConfig, waitUntilConsumed } from './radar-service.js';
import { scenarioRules } from './signal-lines.js';

const RULE = 'herhaald-partnergeweld';

function report(id: string, kind: 'MELDING' | 'POLITIE', occurredAt: string, receivedAt: string) {
  return JSON.stringify({
    id,
    kind,
    occurredAt,
    receivedAt,
    region: 'VT09',
    source: kind === 'POLITIE' ? 'POLITIE' : 'HUISARTS',
    category: id === 'L-4' ? 'EX_PARTNERGEWELD' : 'PARTNERGEWELD',
    persons: [{ ref: 'a', bsn: '314159265', role: 'SLACHTOFFER' }],
  });
}

function withdrawal(id: string, retracts: string): string {
  return JSON.stringify({
    id,
    kind: 'INTREKKING',
    receivedAt: '2023-04-01T00:00:00Z',
    retracts: [retracts],
  });
}

/** The parts of an event this test computes by hand (the explanation is free text). */
interface Expected {
  sequence: number;
  type: IndicatorEventType;
  indicatorId: string;
  raisedAt: string;
  lastFiredAt: string;
  value: number;
  signalIds: string[];
}

function expected(
  sequence: number,
  type: IndicatorEventType,
  firstFiring: string,
  raisedAt: string,
  lastFiredAt: string,
  value: number,
  signalIds: string[],
): Expected {
  return {
    sequence,
    type,
    indicatorId: `${RULE}/${firstFiring}`,
    raisedAt,
    lastFiredAt,
    value,
    signalIds,
  };
}

function shape(event: StoredEvent): Expected {
  const { indicatorId, raisedAt, lastFiredAt, value, signalIds } = event.indicator;
  return {
    sequence: event.sequence,
    type: event.type,
    indicatorId,
    raisedAt,
    lastFiredAt,
    value,
    signalIds,
  };
}

// The hand computation, phase by phase (W(s) = signals at most 365 days before s, up to s).
const L3_WITH_L2 = ['2022-09-01T10:00:00.000Z', '2023-02-01T10:00:00.000Z', 3] as const;
const PHASES: { name: string; lines: string[]; events: Expected[] }[] = [
  {
    // W(L-3) = {L-1, L-3}, W(L-5) = {L-3, L-5}: 2 at most, nothing fires.
    name: 'three signals, never three within a year',
    lines: [
      report('L-3', 'MELDING', '2022-09-01T10:00:00Z', '2022-09-02T09:00:00Z'),
      report('L-1', 'POLITIE', '2022-01-15T23:00:00Z', '2022-01-17T08:00:00Z'),
      report('L-5', 'MELDING', '2023-02-01T10:00:00Z', '2023-02-02T09:00:00Z'),
    ],
    events: [],
  },
  {
    // L-2 lies between L-1 and L-3: W(L-3) = {L-1, L-2, L-3} and W(L-5) = {L-2, L-3, L-5}
    // both count 3; one episode, raised at L-3 in 2022 although L-5 (2023) came before.
    name: 'a late police signal raises an indicator back in time',
    lines: [report('L-2', 'POLITIE', '2022-06-01T22:00:00Z', '2023-03-15T08:00:00Z')],
    events: [expected(1, 'RAISED', 'L-3', ...L3_WITH_L2, ['L-1', 'L-2', 'L-3', 'L-5'])],
  },
  {
    // W(L-4) = {L-2, L-3, L-5, L-4} counts 4: the same episode fires again, later.
    name: 'a newer signal updates it',
    lines: [report('L-4', 'POLITIE', '2023-03-01T23:00:00Z', '2023-03-02T08:00:00Z')],
    events: [
      expected(2, 'UPDATED', 'L-3', '2022-09-01T10:00:00.000Z', '2023-03-01T23:00:00.000Z', 4, [
        'L-1',
        'L-2',
        'L-3',
        'L-4',
        'L-5',
      ]),
    ],
  },
  {
    // Without L-2 only W(L-4) = {L-3, L-5, L-4} counts 3 (scenario 03): the episode
    // that began at L-3 is gone, one beginning at L-4 takes its place.
    name: 'withdrawing the late signal withdraws that indicator and raises a later one',
    lines: [withdrawal('W-2', 'L-2')],
    events: [
      expected(3, 'WITHDRAWN', 'L-3', '2022-09-01T10:00:00.000Z', '2023-03-01T23:00:00.000Z', 4, [
        'L-1',
        'L-2',
        'L-3',
        'L-4',
        'L-5',
      ]),
      expected(4, 'RAISED', 'L-4', '2023-03-01T23:00:00.000Z', '2023-03-01T23:00:00.000Z', 3, [
        'L-3',
        'L-4',
        'L-5',
      ]),
    ],
  },
  {
    // Left are L-1, L-3, L-5 as in the first phase: nothing fires.
    name: 'withdrawing L-4 withdraws the last indicator',
    lines: [withdrawal('W-4', 'L-4')],
    events: [
      expected(5, 'WITHDRAWN', 'L-4', '2023-03-01T23:00:00.000Z', '2023-03-01T23:00:00.000Z', 3, [
        'L-3',
        'L-4',
        'L-5',
      ]),
    ],
  },
];

async function storedEvents(service: RadarService): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const e of service.state.store.events(0)) events.push(e);
  return events;
}

async function storedIndicators(service: RadarService): Promise<Indicator[]> {
  const indicators: Indicator[] = [];
  for await (const i of service.state.store.indicators()) indicators.push(i);
  return indicators;
}

describe('late and withdrawn signals on the live path', () => {
  let producer: Producer;

  beforeAll(async () => {
    producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  it('raise, update and withdraw indicators back in time, with exactly the matching events', async () => {
    const config = await testConfig({ rules: scenarioRules });
    const service = await startService(config);
    const sent: string[] = [];
    const events: StoredEvent[] = [];
    try {
      for (const phase of PHASES) {
        await replayLines(producer, phase.lines, config.kafka.topics);
        sent.push(...phase.lines);
        await waitUntilConsumed(service, sent.length);
        const stored = await storedEvents(service);
        const fresh = stored.slice(events.length);
        expect(fresh.map(shape), phase.name).toEqual(phase.events);
        events.push(...fresh);
        // The current indicators are what the events say they are.
        const current = new Map<string, Indicator>();
        for (const e of events) {
          if (e.type === 'WITHDRAWN') current.delete(e.indicator.indicatorId);
          else current.set(e.indicator.indicatorId, e.indicator);
        }
        expect(await storedIndicators(service), phase.name).toEqual([...current.values()]);
      }
      expect(service.status.counts).toMatchObject({ accepted: 7, rejected: 0, duplicates: 0 });
    } finally {
      await service.stop();
    }

    // Every indicator of one household, identified throughout by its smallest signal.
    expect(new Set(events.map((e) => e.indicator.householdId)).size).toBe(1);
    expect(events.every((e) => e.indicator.ruleVersion === 1 && e.indicator.level === 'hoog')).toBe(
      true,
    );

    // The indicator topic carries the same five events, in the stored form.
    const onTopic = await readIndicatorTopic(config.kafka.topics.indicators, (read) =>
      coversSequences(read, events.length),
    );
    expect(onTopic).toHaveLength(events.length);
    for (const message of onTopic) {
      const stored = events[message.event.sequence - 1]!;
      expect(message.event).toEqual(stored);
      expect(message.key).toBe(stored.indicator.indicatorId);
      expect(message.headers['radar-sequence']).toBe(String(stored.sequence));
    }

    // And the end state is the backtest's: one household, no indicator left.
    const file = join(await mkdtemp(join(tmpdir(), 'radar-late-')), 'signals.ndjson');
    await writeFile(file, sent.join('\n') + '\n');
    const backtest = await runCli(['backtest', '--signals', file, '--rules', config.rules]);
    const exported = await runCli(['export', '--data', config.dataDir]);
    expect(exported.stdout).toBe(backtest.stdout);
    expect(ndjson(exported.stdout)).toEqual([
      {
        type: 'household',
        householdId: events[0]!.indicator.householdId,
        signalIds: ['L-1', 'L-3', 'L-5'],
        personCount: 1,
      },
    ]);
  });
});
