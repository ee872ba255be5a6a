/**
 * The NEN 7513 audit log: one NDJSON file, opened for appending only, each
 * line a record hash-chained to the one before (see record.ts).
 *
 * Durability: with `sync` (the default) every record is written and
 * `fdatasync`ed before `append` resolves, and the API answers a call only
 * after its record is appended — so no read is ever answered that the log
 * does not hold, even across a power cut. Without `sync` the operating
 * system decides when records reach the disk (tests, development).
 *
 * Group commit: appends that arrive while a write is under way wait for the
 * next one and share its single write and `fdatasync`, so concurrent calls
 * pay one disk flush between them instead of one each, and none is answered
 * before its record is durable.
 *
 * Appends are chained in call order, so `seq` is gapless. The records
 * never go to the application log: they hold who looked at which household,
 * which is itself sensitive.
 */
import { at } from '../at.js';
import { open, type FileHandle } from 'node:fs/promises';
import { AuditError } from './errors.js';
import {
  chain,
  GENESIS_HASH,
  parseRecordLine,
  recordHash,
  recordLine,
  type AuditEntry,
  type AuditRecord,
} from './record.js';

export interface AuditLogOptions {
  /**
   * fdatasync every record before `append` resolves.
   * @defaultValue true
   */
  sync?: boolean;
}

/** Reads the file's last line, without reading the whole file. */
async function lastLine(file: FileHandle): Promise<string | undefined> {
  const { size } = await file.stat();
  if (size === 0) return undefined;
  let chunk = 64 * 1024;
  for (;;) {
    const start = Math.max(0, size - chunk);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    if (!text.endsWith('\n')) {
      throw new AuditError(
        'AUDIT_LOG_CORRUPT',
        'the audit log ends in an unterminated line (a torn write); run `radar audit verify`',
      );
    }
    const from = text.lastIndexOf('\n', text.length - 2);
    if (from >= 0 || start === 0) return text.slice(from + 1, -1);
    chunk *= 4;
  }
}

interface Pending {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (error: unknown) => void;
}

export class AuditLog {
  /** Appends waiting for the next group write, in call order. */
  private pending: Pending[] = [];
  /** The group write under way, if any. */
  private writing: Promise<void> | undefined;
  private closed = false;
  /** Records appended and disk flushes made since open: for metrics, and to see groups form. */
  readonly stats = { records: 0, syncs: 0 };

  private constructor(
    private readonly file: FileHandle,
    private readonly sync: boolean,
    private seq: number,
    private prevHash: string,
  ) {}

  /**
   * Opens (or creates, mode 0600) the log and continues its chain. The last
   * record must be intact; the whole chain is checked by `verifyAuditLog`.
   */
  static async open(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    const file = await open(path, 'a+', 0o600);
    try {
      const line = await lastLine(file);
      if (line === undefined) return new AuditLog(file, options.sync ?? true, 0, GENESIS_HASH);
      const record = parseRecordLine(line);
      if (typeof record === 'string' || recordHash(record) !== record.hash) {
        throw new AuditError(
          'AUDIT_LOG_CORRUPT',
          'the last audit record is damaged; run `radar audit verify`',
        );
      }
      return new AuditLog(file, options.sync ?? true, record.seq, record.hash);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** Appends one record; resolves once it is written (and synced, with `sync`). */
  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.closed)
      return Promise.reject(new AuditError('AUDIT_LOG_CLOSED', 'the audit log is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing;
    await this.file.close();
  }

  /** Writes groups until no append waits; each group is one write and one sync. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      await this.writeGroup(group);
    }
    this.writing = undefined;
  }

  private async writeGroup(group: readonly Pending[]): Promise<void> {
    let seq = this.seq;
    let prevHash = this.prevHash;
    const records: AuditRecord[] = [];
    let text = '';
    for (const { entry } of group) {
      const record = chain(entry, ++seq, prevHash);
      prevHash = record.hash;
      records.push(record);
      text += `${recordLine(record)}\n`;
    }
    try {
      await this.file.appendFile(text, 'utf8');
      if (this.sync) {
        await this.file.datasync();
        this.stats.syncs++;
      }
    } catch (error) {
      // The chain goes on from the last record known written, so a failed group leaves no gap.
      const failure = new AuditError(
        'AUDIT_WRITE_FAILED',
        'could not append to the audit log',
        error,
      );
      for (const { reject } of group) reject(failure);
      return;
    }
    this.seq = seq;
    this.prevHash = prevHash;
    this.stats.records += group.length;
    group.forEach(({ resolve }, i) => resolve(at(records, i)));
  }
}
