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
 * Appends are serialised in call order, so `seq` is gapless. The records
 * never go to the application log: they hold who looked at which household,
 * which is itself sensitive.
 */
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

export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

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
    const next = this.queue.then(() => this.write(entry));
    // A failed append must not block the ones after it.
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.file.close();
  }

  private async write(entry: AuditEntry): Promise<AuditRecord> {
    if (this.closed) throw new AuditError('AUDIT_LOG_CLOSED', 'the audit log is closed');
    const record = chain(entry, this.seq + 1, this.prevHash);
    try {
      await this.file.appendFile(`${recordLine(record)}\n`, 'utf8');
      if (this.sync) await this.file.datasync();
    } catch (error) {
      throw new AuditError('AUDIT_WRITE_FAILED', 'could not append to the audit log', error);
    }
    this.seq = record.seq;
    this.prevHash = record.hash;
    return record;
  }
}
