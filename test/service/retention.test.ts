import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { Ingestor } from '../../src/consumers/ingestor.js';
import type { InboundMessage } from '../../src/consumers/messages.js';
import { StoreFold } from '../../src/engine/store-fold.js';
import { parseRules } from '../../src/rules/index.js';
import {
  bringOccurredIndexUpToDate,
  OCCURRED_INDEX_MARK,
  pastRetention,
  retentionAuditEntry,
  retentionCutoff,
  signalTopicSettings,
} from '../../src/service/retention.js';
import type { Signal } from '../../src/signals/types.js';
import { MemoryStore } from '../../src/store/index.js';
import { scenarioFile } from '../fixtures/scenarios.js';

function signal(id: string, occurredAt: string): Signal {
  return {
    id,
    kind: 'MELDING',
    occurredAt,
    receivedAt: occurredAt,
    region: 'VT09',
    source: 'HUISARTS',
    category: 'PARTNERGEWELD',
    violenceTypes: [],
    safety: 'ONBEKEND',
    childrenPresent: false,
    substantiated: true,
    persons: [{ ref: 'a', role: 'SLACHTOFFER', bsn: '314159265' }],
    relations: [],
    retracts: [],
  };
}

function message(offset: number, value: object): InboundMessage {
  return {
    topic: 'radar.meldingen',
    partition: 0,
    offset: String(offset),
    key: null,
    value: Buffer.from(JSON.stringify(value)),
    headers: {},
  };
}

describe('retention cutoff', () => {
  it('is the same instant the configured number of UTC calendar years before', () => {
    expect(retentionCutoff(new Date('2026-12-03T15:00:00Z'), 20).toISOString()).toBe(
      '2006-12-03T15:00:00.000Z',
    );
    // A 29 February with no counterpart falls on 1 March.
    expect(retentionCutoff(new Date('2024-02-29T00:00:00Z'), 1).toISOString()).toBe(
      '2023-03-01T00:00:00.000Z',
    );
  });

  it('is never before what the signal topics the service creates still hold', () => {
    for (const years of [1, 4, 20, 100]) {
      const retentionMs = Number(
        signalTopicSettings(years).find((s) => s.name === 'retention.ms')?.value,
      );
      for (const now of ['2024-02-29T00:00:00Z', '2026-12-03T15:00:00Z', '2100-03-01T00:00:00Z']) {
        const at = new Date(now);
        expect(at.getTime() - retentionCutoff(at, years).getTime()).toBeLessThanOrEqual(
          retentionMs,
        );
      }
    }
    expect(signalTopicSettings(20)).toContainEqual({ name: 'cleanup.policy', value: 'delete' });
  });

  it('expires a signal that occurred before it, never one at it, never a withdrawal', () => {
    const cutoff = Date.parse('2006-12-03T15:00:00Z');
    expect(pastRetention(signal('a', '2006-12-03T14:59:59.999Z'), cutoff)).toBe(true);
    expect(pastRetention(signal('b', '2006-12-03T15:00:00Z'), cutoff)).toBe(false);
    const withdrawal: Signal = {
      ...signal('w', '2000-01-01T00:00:00Z'),
      kind: 'INTREKKING',
      occurredAt: undefined,
      retracts: ['a'],
    };
    expect(pastRetention(withdrawal, cutoff)).toBe(false);
  });
});

describe('a signal arriving past its retention', () => {
  it('is counted as expired: not folded, not a dead letter, its offset passed', async () => {
    const store = new MemoryStore();
    await store.open();
    const ruleset = parseRules(readFileSync(scenarioFile('rules.yaml'), 'utf8'), 'rules.yaml');
    const fold = new StoreFold(store, { ruleset });
    const cutoff = Date.parse('2020-01-01T00:00:00Z');
    const ingestor = new Ingestor(fold, new Map(), 0, () => cutoff);
    const processed = await ingestor.process([
      message(0, signal('old', '2019-12-31T00:00:00Z')),
      message(1, signal('new', '2020-06-01T00:00:00Z')),
      message(2, {
        id: 'w',
        kind: 'INTREKKING',
        receivedAt: '2020-07-01T00:00:00Z',
        retracts: ['old'],
      }),
    ]);
    expect(processed.counts).toMatchObject({ accepted: 2, expired: 1, rejected: 0 });
    expect(processed.deadLetters).toEqual([]);
    expect(processed.state.signals?.map((s) => s.id)).toEqual(['new', 'w']);
    expect(processed.state.offsets).toEqual(new Map([['radar.meldingen:0', '3']]));
    await store.close();
  });
});

describe('the occurredAt index of a store from before it', () => {
  it('is written once, from the stored signals, and read as a range', async () => {
    const store = new MemoryStore();
    await store.open();
    const signals = [
      signal('s1', '2010-05-01T00:00:00Z'),
      signal('s2', '1969-07-20T20:17:00Z'),
      signal('s3', '2030-01-01T00:00:00Z'),
    ];
    await store.write({ signals });
    expect(await store.occurredBefore(Date.parse('2100-01-01T00:00:00Z'), 10)).toEqual([]);

    expect(await bringOccurredIndexUpToDate(store)).toBe(3);
    expect((await store.marks())[OCCURRED_INDEX_MARK]).toBeDefined();
    expect(await bringOccurredIndexUpToDate(store)).toBeUndefined();
    expect(await store.occurredBefore(Date.parse('2020-01-01T00:00:00Z'), 10)).toEqual([
      { id: 's2', t: Date.parse('1969-07-20T20:17:00Z') },
      { id: 's1', t: Date.parse('2010-05-01T00:00:00Z') },
    ]);
    expect(await store.occurredBefore(Date.parse('2020-01-01T00:00:00Z'), 1)).toHaveLength(1);
    expect(await store.occurredBefore(Date.parse('2010-05-01T00:00:00Z'), 10)).toHaveLength(1);
    await store.close();
  });
});

describe('the audit record of a retention pass', () => {
  it('chains with the records of calls, and a changed count breaks the chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'radar-retention-audit-'));
    try {
      const path = join(dir, 'audit.ndjson');
      const log = await AuditLog.open(path, { sync: false });
      const pass = retentionAuditEntry(
        {
          cutoff: '2006-12-03T15:00:00.000Z',
          signalsRemoved: 12,
          householdsChanged: 3,
          indicatorsWithdrawn: 1,
          indicatorsUpdated: 2,
          indicatorsRaised: 0,
        },
        new Date('2026-12-03T15:00:00.000Z'),
      );
      await log.append({ ...pass, retention: undefined, method: 'radar.v1.RadarService/Get' });
      await log.append(pass);
      await log.close();
      expect(await verifyAuditLog(path)).toMatchObject({ ok: true, records: 2 });
      const text = await readFile(path, 'utf8');
      expect(text.split('\n')[0]).not.toContain('"retention":');
      await writeFile(path, text.replace('"signalsRemoved":12', '"signalsRemoved":11'));
      expect(await verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
