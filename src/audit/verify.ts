/**
 * `radar audit verify`: walks the whole chain and names the first line that
 * breaks it. A log that was cut short at the end still verifies — only an
 * anchor kept elsewhere (the `seq` and `hash` this prints) reveals that.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { GENESIS_HASH, parseRecordLine, recordHash } from './record.js';

export type AuditVerification =
  | { ok: true; records: number; lastSeq: number; lastHash: string }
  | { ok: false; line: number; reason: string };

async function endsWithNewline(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await file.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await file.close();
  }
}

export async function verifyAuditLog(path: string): Promise<AuditVerification> {
  const terminated = await endsWithNewline(path);
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let lineNumber = 0;
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      const record = parseRecordLine(line);
      if (typeof record === 'string') return { ok: false, line: lineNumber, reason: record };
      if (record.seq !== prevSeq + 1) {
        return {
          ok: false,
          line: lineNumber,
          reason: `seq ${record.seq} follows ${prevSeq}: a record was removed, inserted or moved`,
        };
      }
      if (record.prevHash !== prevHash) {
        return {
          ok: false,
          line: lineNumber,
          reason: 'prevHash does not match the previous record: the chain is broken here',
        };
      }
      if (recordHash(record) !== record.hash) {
        return {
          ok: false,
          line: lineNumber,
          reason: 'hash does not match the record: the record was altered',
        };
      }
      prevHash = record.hash;
      prevSeq = record.seq;
    }
  } finally {
    lines.close();
  }
  if (!terminated)
    return { ok: false, line: lineNumber, reason: 'last line is not terminated: a torn write' };
  return { ok: true, records: lineNumber, lastSeq: prevSeq, lastHash: prevHash };
}
