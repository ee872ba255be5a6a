/**
 * Bad input on the live path: one Kafka batch holding a message for every
 * reason code the door produces, a conflicting redelivery, a key that is not
 * the signal id and protobuf both good and garbage, between valid signals.
 * Every rejected message lands on the dead-letter topic with its reason, its
 * original bytes and where it came from, and nothing personal in the headers;
 * everything else is as if the bad messages had never been sent.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { RadarService } from '../../src/service/service.js';
import { decodeJson, encodeProtobuf, type Signal } from '../../src/signals/index.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../backtest/run-cli.js';
import { brokers, createTopics, kafka } from '../helpers/kafka.js';
import { readTopic } from './indicator-events.js';
import { testConfig, waitUntilConsumed } from './radar-service.js';
import { scenarioDir, scenarioRules } from './signal-lines.js';

type Json = Record<string, unknown>;
// A test breaks one field at a time by path; typing each path would only add casts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const PROTOBUF = 'application/x-protobuf';

/** A melding full of personal data, which no header or log line may ever show. */
function melding(id: string): Json {
  return {
    id,
    kind: 'MELDING',
    occurredAt: '2023-03-01T09:00:00Z',
    receivedAt: '2023-03-02T09:00:00Z',
    region: 'VT09',
    source: 'HUISARTS',
    category: 'PARTNERGEWELD',
    persons: [
      {
        ref: 'a',
        bsn: '314159265',
        familyName: 'Oosterhuis-Verbeek',
        initials: 'J.',
        birthDate: '1979-11-23',
        role: 'SLACHTOFFER',
      },
      {
        ref: 'b',
        bsn: '161803398',
        familyName: 'Zwanenburg',
        initials: 'K.',
        birthDate: '1977-02-14',
        role: 'PLEGER',
      },
    ],
    relations: [{ from: 'a', to: 'b', type: 'PARTNER' }],
    address: { postcode: '3511 AB', houseNumber: 12, city: 'Utrecht' },
  };
}

function broken(id: string, change: (s: Loose) => void): string {
  const signal = melding(id);
  change(signal);
  return JSON.stringify(signal);
}

/** The same members in another key order: identical content, so a no-op. */
function reordered(signal: Json): string {
  return JSON.stringify(Object.fromEntries(Object.entries(signal).reverse()));
}

/** Every BSN, family name and birth date any message of the batch carries. */
const PERSONAL = [
  '314159265',
  '161803398',
  '234567806',
  'Oosterhuis-Verbeek',
  'Oosterhuis',
  'Verbeek',
  'Zwanenburg',
  'Kraaijeveld',
  '1979-11-23',
  '1977-02-14',
  '1990-07-07',
];

interface Rejected {
  reason: string;
  field?: string;
}

interface Sent {
  message: Message;
  /** What the service must do with it: undefined = keep it (or ignore a redelivery). */
  rejected?: Rejected;
  /** The JSON line the backtest gets for a kept signal. */
  line?: string;
}

function scenario(name: string): string[] {
  return readFileSync(join(scenarioDir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

function batch(): Sent[] {
  const valid = (line: string): Sent => ({
    message: { key: (JSON.parse(line) as Json).id as string, value: line },
    line,
  });
  const json = (key: string | null, value: string, reason: string, field?: string): Sent => ({
    message: { key, value },
    rejected: { reason, ...(field !== undefined && { field }) },
  });
  const original = JSON.stringify(melding('DL-1'));
  const police = decodeJson(
    Buffer.from(
      JSON.stringify({
        id: 'DL-PB',
        kind: 'POLITIE',
        occurredAt: '2023-04-11T22:30:00Z',
        receivedAt: '2023-04-12T08:00:00Z',
        region: 'VT09',
        source: 'POLITIE',
        category: 'PARTNERGEWELD',
        childrenPresent: true,
        persons: [
          { ref: '1', bsn: '314159265', familyName: 'Oosterhuis-Verbeek', birthDate: '1979-11-23' },
        ],
      }),
    ),
  ).signal;
  const [first, ...others] = scenario('03-late-and-withdrawn.ndjson');
  return [
    valid(first!),
    json('DL-2', '{"id":"DL-2","kind":"MELDING",', 'MALFORMED'),
    valid(original),
    { message: { key: 'DL-3', value: null }, rejected: { reason: 'MALFORMED' } },
    json(
      'DL-4',
      broken('DL-4', (s) => delete s.receivedAt),
      'MISSING_FIELD',
      'receivedAt',
    ),
    ...scenario('01-one-family-three-sources.ndjson').map(valid),
    json(
      'DL-5',
      broken('DL-5', (s) => (s.category = 'BURENRUZIE')),
      'UNKNOWN_ENUM',
      'category',
    ),
    json(
      'DL-6',
      broken('DL-6', (s) => (s.occurredAt = '1 maart 2023')),
      'BAD_TIMESTAMP',
      'occurredAt',
    ),
    json(
      'DL-7',
      broken('DL-7', (s) => (s.region = 'VT27')),
      'BAD_VALUE',
      'region',
    ),
    json(
      'DL-8',
      broken('DL-8', (s) => {
        s.persons[1].ref = 'a';
        delete s.relations;
      }),
      'DUPLICATE_PERSON_REF',
      'persons[1].ref',
    ),
    json(
      'DL-9',
      broken('DL-9', (s) => (s.relations[0].to = 'z')),
      'UNKNOWN_PERSON_REF',
      'relations[0].to',
    ),
    // Same id, other content: rejected, the first version stays.
    json(
      'DL-1',
      broken('DL-1', (s) => (s.persons[1].familyName = 'Kraaijeveld')),
      'DUPLICATE_ID_CONFLICT',
      'id',
    ),
    // Same id, same content in another key order: a redelivery, silently a no-op.
    { message: { key: 'DL-1', value: reordered(melding('DL-1')) } },
    // A valid signal under a Kafka key that is not its id.
    json(
      'DL-OTHER',
      broken('DL-10', (s) => (s.persons[1].bsn = '234567806')),
      'BAD_VALUE',
      'key',
    ),
    {
      message: {
        key: 'DL-PB',
        value: Buffer.from(encodeProtobuf(police)),
        headers: { 'content-type': PROTOBUF },
      },
      line: JSON.stringify(police),
    },
    {
      message: {
        key: 'DL-11',
        value: Buffer.from('garbage, not protobuf'),
        headers: { 'content-type': PROTOBUF },
      },
      rejected: { reason: 'MALFORMED' },
    },
    ...others.map(valid),
  ];
}

describe('dead letters', () => {
  it('every reason code lands on the DLQ with its headers and bytes; the rest of the batch is kept', async () => {
    const config = await testConfig({ rules: scenarioRules });
    const { topics } = config.kafka;
    await createTopics(brokers(), Object.values(topics));
    const sent = batch();
    const rejected = sent.filter((s) => s.rejected !== undefined);
    const kept = sent.filter((s) => s.line !== undefined);
    expect(sent).toHaveLength(24);
    expect(rejected).toHaveLength(11);
    expect(kept).toHaveLength(12);

    // All in one partition and produced before the service starts: one batch.
    const producer = kafka().producer();
    await producer.connect();
    const [meta] = await producer.send({
      topic: topics.meldingen,
      messages: sent.map((s) => ({ ...s.message, partition: 0 })),
    });
    await producer.disconnect();
    const baseOffset = Number(meta!.baseOffset);

    const logs: string[] = [];
    const service = new RadarService(
      config,
      createLogger('debug', { write: (line: string) => void logs.push(line) }),
    );
    await service.start();
    try {
      await waitUntilConsumed(service, sent.length);
    } finally {
      await service.stop();
    }
    expect(service.status.counts).toMatchObject({
      accepted: 12,
      duplicates: 1,
      rejected: 11,
      skipped: 0,
    });

    const letters = await readTopic(topics.dlq, (m) => m.length >= rejected.length);
    expect(letters).toHaveLength(11);
    const byOffset = new Map(letters.map((l) => [Number(l.headers['radar-source-offset']), l]));
    sent.forEach((s, i) => {
      const letter = byOffset.get(baseOffset + i);
      if (s.rejected === undefined) {
        expect(letter, `message ${i} is not a dead letter`).toBeUndefined();
        return;
      }
      expect(letter, `message ${i} (${s.rejected.reason}) is a dead letter`).toBeDefined();
      const { key, value, headers } = letter!;
      expect(headers['radar-reason'], `message ${i}`).toBe(s.rejected.reason);
      expect(headers['radar-field'], `message ${i}`).toBe(s.rejected.field);
      expect(headers['radar-message']).toMatch(/\S/);
      expect(headers['radar-source-topic']).toBe(topics.meldingen);
      expect(headers['radar-source-partition']).toBe('0');
      expect(key).toBe(s.message.key);
      // The original bytes; a tombstone stays a tombstone.
      const original = s.message.value;
      if (original === null) expect(value).toBeNull();
      else expect(value?.equals(Buffer.from(original))).toBe(true);
      const contentType = (s.message.headers as Record<string, string> | undefined)?.[
        'content-type'
      ];
      expect(headers['content-type']).toBe(contentType);
    });
    expect(new Set(letters.map((l) => l.headers['radar-reason']))).toEqual(
      new Set([
        'MALFORMED',
        'MISSING_FIELD',
        'UNKNOWN_ENUM',
        'BAD_TIMESTAMP',
        'BAD_VALUE',
        'DUPLICATE_PERSON_REF',
        'UNKNOWN_PERSON_REF',
        'DUPLICATE_ID_CONFLICT',
      ]),
    );

    // Nothing personal in any header, nor in what the service logged.
    const headerText = letters.flatMap((l) => Object.entries(l.headers).flat()).join('\n');
    const logText = logs.join('');
    expect(logText).toContain('DUPLICATE_ID_CONFLICT');
    for (const value of PERSONAL) {
      expect(headerText, `a header shows ${value}`).not.toContain(value);
      expect(logText, `the log shows ${value}`).not.toContain(value);
    }

    // The kept signals, and only they, make the state: the first DL-1 stays.
    const dir = await mkdtemp(join(tmpdir(), 'radar-dlq-'));
    const file = join(dir, 'valid.ndjson');
    await writeFile(file, kept.map((s) => s.line).join('\n') + '\n');
    const backtest = await runCli(['backtest', '--signals', file, '--rules', config.rules]);
    expect(backtest.stderr).toMatch(/read 12, accepted 12, duplicates 0, rejected 0/);
    const exported = await runCli(['export', '--data', config.dataDir]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(backtest.stdout);
    expect(exported.stdout).toContain('"DL-1"');
    expect(exported.stdout).toContain('"DL-PB"');
    expect(exported.stdout).toContain('"indicatorId":"herhaald-partnergeweld/V-4"');
    expect(exported.stdout).toContain('"indicatorId":"advies-dan-politie/');
    const dl1 = await readStoredSignal(config.dataDir, 'DL-1');
    expect(dl1?.persons[1]?.familyName).toBe('Zwanenburg');
  });
});

async function readStoredSignal(dataDir: string, id: string): Promise<Signal | undefined> {
  const store = await openStore({ dataDir, createIfMissing: false });
  try {
    for await (const signal of store.signals()) if (signal.id === id) return signal;
    return undefined;
  } finally {
    await store.close();
  }
}
