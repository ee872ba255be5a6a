import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuditLog,
  auditVerifyCommand,
  verifyAuditLog,
  type AuditEntry,
} from '../../src/audit/index.js';
import { main } from '../../src/cli/main.js';

function entry(n: number): AuditEntry {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    client: 'vt09-case-system',
    user: `user-${n}`,
    purpose: 'casus 42',
    method: 'radar.v1.RadarService/GetHousehold',
    households: [`H-${n}`],
    indicators: [],
    outcome: 'OK',
  };
}

function sink(): Writable & { text: string } {
  const out = new Writable({
    write(chunk, _enc, done) {
      out.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  out.text = '';
  return out;
}

describe('audit log', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'radar-audit-'));
    path = join(dir, 'audit.ndjson');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeRecords(n: number): Promise<string[]> {
    const log = await AuditLog.open(path, { sync: false });
    await Promise.all(Array.from({ length: n }, (_, i) => log.append(entry(i + 1))));
    await log.close();
    return (await readFile(path, 'utf8')).trimEnd().split('\n');
  }

  it('chains records with gapless sequence numbers, also after reopening', async () => {
    await writeRecords(3);
    const again = await AuditLog.open(path, { sync: true });
    const fourth = await again.append(entry(4));
    await again.close();
    expect(fourth.seq).toBe(4);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(lines[3]!).prevHash).toBe(JSON.parse(lines[2]!).hash);
    expect(await verifyAuditLog(path)).toEqual({
      ok: true,
      records: 4,
      lastSeq: 4,
      lastHash: fourth.hash,
    });
  });

  it('lets concurrent appends share one fdatasync, each answered only once written', async () => {
    const log = await AuditLog.open(path, { sync: true });
    const records = await Promise.all(
      Array.from({ length: 16 }, (_, i) => log.append(entry(i + 1))),
    );
    await log.close();
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    // The first append is written alone; the other 15 arrived while it was, and form one group.
    expect(log.stats).toEqual({ records: 16, syncs: 2 });
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(16);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true });
  });

  it('refuses appends once closed, with a code', async () => {
    const log = await AuditLog.open(path, { sync: false });
    await log.close();
    await expect(log.append(entry(1))).rejects.toMatchObject({ code: 'AUDIT_LOG_CLOSED' });
  });

  it('verifies an empty log', async () => {
    await writeFile(path, '');
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, records: 0 });
  });

  it('detects an altered record at its line', async () => {
    const lines = await writeRecords(4);
    lines[1] = lines[1]!.replace('user-2', 'user-x');
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await verifyAuditLog(path)).toMatchObject({
      ok: false,
      line: 2,
      reason: expect.stringMatching(/altered/),
    });
  });

  it('detects an altered record whose hash was recomputed, at the next line', async () => {
    const lines = await writeRecords(3);
    const { recordHash } = await import('../../src/audit/record.js');
    const second = JSON.parse(lines[1]!);
    second.outcome = 'NOT_FOUND';
    second.hash = recordHash(second);
    lines[1] = JSON.stringify(second);
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: false, line: 3 });
  });

  it('detects a deleted record', async () => {
    const lines = await writeRecords(4);
    lines.splice(1, 1);
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await verifyAuditLog(path)).toMatchObject({
      ok: false,
      line: 2,
      reason: expect.stringMatching(/seq 3 follows 1/),
    });
  });

  it('detects reordered records', async () => {
    const lines = await writeRecords(4);
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
  });

  it('detects a torn last line and refuses to append after it', async () => {
    const lines = await writeRecords(2);
    await writeFile(path, `${lines[0]}\n${lines[1]!.slice(0, 20)}`);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
    await expect(AuditLog.open(path)).rejects.toMatchObject({ code: 'AUDIT_LOG_CORRUPT' });
  });

  it('`radar audit verify` exits 0 on an intact log and 1 naming the line otherwise', async () => {
    const lines = await writeRecords(3);
    const out = sink();
    const err = sink();
    expect(await auditVerifyCommand(path, { stdout: out, stderr: err })).toBe(0);
    expect(out.text).toMatch(/3 records, chain intact/);
    lines[2] = lines[2]!.replace('"OK"', '"DENIED"');
    await writeFile(path, `${lines.join('\n')}\n`);
    expect(await auditVerifyCommand(path, { stdout: out, stderr: err })).toBe(1);
    expect(err.text).toContain(`${path}:3: `);
  });

  it('is wired into the radar command as `radar audit verify <file>`', async () => {
    const lines = await writeRecords(2);
    const io = () => ({ stdin: Readable.from([]), stdout: sink(), stderr: sink() });
    const good = io();
    expect(await main(['audit', 'verify', path], good)).toBe(0);
    expect(good.stdout.text).toMatch(/2 records, chain intact/);
    await writeFile(path, `${lines[1]}\n${lines[0]}\n`);
    const bad = io();
    expect(await main(['audit', 'verify', path], bad)).toBe(1);
    expect(bad.stderr.text).toContain(`${path}:1: seq 2 follows 0`);
  });
});
