/**
 * Whether a data directory holds state `radar serve` may resume from, decided
 * from facts gathered elsewhere (its file names, what the opened store holds,
 * the consumer group's committed offsets). No I/O here: `checked-store.ts`
 * gathers the facts and acts on the verdict.
 *
 * The store is the truth and the consumer group only follows it: a batch is
 * committed to the group after it is stored. So a group with committed
 * offsets and no store means the state was lost (STORE_MISSING), and a store
 * behind the group's offsets lost writes the consumer will never deliver
 * again (STORE_DAMAGED). Neither is repaired here; both name `radar rebuild`.
 */
import { RadarError } from '../errors.js';

/** Written when a store is made (`mark!store`); a store of another format is not resumed from. */
export const STORE_FORMAT = '1';

export type RecoveryCode = 'STORE_DAMAGED' | 'STORE_MISSING';

export class StoreStateError extends RadarError {
  declare readonly code: RecoveryCode;

  constructor(
    code: RecoveryCode,
    readonly dataDir: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** What a data directory holds, by the names of its files. */
export type DirContents =
  /** The directory does not exist. */
  | 'absent'
  /** No LevelDB file in it (it may hold other files). */
  | 'none'
  /** LevelDB's CURRENT file: a store, to be opened. */
  | 'store'
  /** LevelDB files without CURRENT: a store whose pointer to its manifest is gone. */
  | 'headless'
  /**
   * LevelDB's files of a first open that never finished (a lock, its log, a
   * manifest not yet made current) and no table or log of data: nothing was
   * ever stored in it.
   */
  | 'unborn';

const LEVELDB_FILE = /^(?:LOCK|LOG|LOG\.old|MANIFEST-\d+|\d+\.(?:ldb|sst|log|dbtmp))$/;
/** LevelDB's tables and write-ahead logs: where stored data lives. */
const DATA_FILE = /^\d+\.(?:ldb|sst|log)$/;

/** @param names the directory's entries, undefined when it does not exist */
export function dirContents(names: readonly string[] | undefined): DirContents {
  if (names === undefined) return 'absent';
  if (names.includes('CURRENT')) return 'store';
  if (!names.some((name) => LEVELDB_FILE.test(name))) return 'none';
  return names.some((name) => DATA_FILE.test(name)) ? 'headless' : 'unborn';
}

/** `topic:partition` → the group's committed offset, for partitions with one. */
export type Committed = ReadonlyMap<string, bigint>;

export type DirVerdict =
  { action: 'open' } | { action: 'create' } | { action: 'fail'; error: StoreStateError };

/** Before anything is opened: whether to open the store, make one, or stop. */
export function judgeDir(
  dataDir: string,
  contents: DirContents,
  committed: Committed,
  groupId: string,
): DirVerdict {
  if (contents === 'store') return { action: 'open' };
  if (contents === 'headless') {
    return { action: 'fail', error: damaged(dataDir, 'LevelDB files without their CURRENT file') };
  }
  if (committed.size > 0) return { action: 'fail', error: missing(dataDir, groupId, contents) };
  return { action: 'create' };
}

/** What an opened store holds that tells a radar store from an empty LevelDB. */
export interface StoreFacts {
  marks: Readonly<Record<string, string>>;
  /** The stored positions, `topic:partition` → next offset. */
  positions: ReadonlyMap<string, string>;
  lastSequence: number;
  counters: Readonly<Record<string, number>>;
}

export type StoreVerdict =
  /** A store of this format, not behind the group. */
  | { action: 'resume' }
  /** Made by a radar before the format mark existed: it gets one and is resumed from. */
  | { action: 'mark' }
  /** Holds nothing yet (a first start ended before its first batch): made as new. */
  | { action: 'create' }
  | { action: 'fail'; error: StoreStateError };

export function judgeStore(
  dataDir: string,
  facts: StoreFacts,
  committed: Committed,
  groupId: string,
): StoreVerdict {
  const format = facts.marks.store;
  const holdsState =
    Object.keys(facts.marks).length > 0 ||
    facts.positions.size > 0 ||
    facts.lastSequence > 0 ||
    Object.keys(facts.counters).length > 0;
  if (!holdsState) {
    // Every batch stores its positions, and a first start writes the marks: nothing was kept.
    if (committed.size > 0) {
      return {
        action: 'fail',
        error: damaged(
          dataDir,
          `it holds no radar state, yet group ${groupId} has committed offsets`,
        ),
      };
    }
    return { action: 'create' };
  }
  if (format !== undefined && format !== STORE_FORMAT) {
    return {
      action: 'fail',
      error: damaged(dataDir, `an unknown store format ${JSON.stringify(format)}`),
    };
  }
  const behind = partitionsBehind(facts.positions, committed);
  if (behind.length > 0) {
    return {
      action: 'fail',
      error: damaged(
        dataDir,
        `its positions are behind the offsets group ${groupId} committed on ${behind.join(', ')}, ` +
          'so writes it acknowledged are gone',
      ),
    };
  }
  return { action: format === undefined ? 'mark' : 'resume' };
}

/** Partitions whose committed offset is past the stored position (none stored: 0). */
export function partitionsBehind(
  positions: ReadonlyMap<string, string>,
  committed: Committed,
): string[] {
  const behind: string[] = [];
  for (const [partition, offset] of committed) {
    const stored = BigInt(positions.get(partition) ?? '0');
    if (stored < offset) behind.push(partition);
  }
  return behind.sort();
}

/**
 * LevelDB's kind of failure and the first file it names, for a message: the
 * rest of its text may quote a stored key, and keys hold BSNs.
 */
export function levelDbFault(message: string): string {
  const kind = /^(Corruption|IO error|NotFound|Invalid argument)/.exec(message)?.[1] ?? 'failure';
  const file = /(?:MANIFEST-\d+|\d+\.(?:ldb|sst|log)|CURRENT)\b/.exec(message)?.[0];
  return file === undefined ? kind : `${kind} in ${file}`;
}

export function rebuildHint(): string {
  return 'stop every radar using it, then run `radar rebuild --config <your settings file>` (docs/operating.md, "Recovery")';
}

export function damaged(dataDir: string, reason: string): StoreStateError {
  return new StoreStateError(
    'STORE_DAMAGED',
    dataDir,
    `The data directory ${dataDir} is damaged: ${reason}. Nothing was changed; ${rebuildHint()}`,
  );
}

function missing(dataDir: string, groupId: string, contents: DirContents): StoreStateError {
  const what = contents === 'absent' ? 'does not exist' : 'holds no store';
  return new StoreStateError(
    'STORE_MISSING',
    dataDir,
    `The data directory ${dataDir} ${what}, but consumer group ${groupId} has already committed ` +
      `offsets on the signal topics: the state was lost (a first start finds no offsets). ${capitalised(rebuildHint())}`,
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
