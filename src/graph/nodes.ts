/**
 * The nodes of the household graph: each signal with its person records,
 * and the persons and households HouseholdIndex resolves them into. They
 * point at each other (a record at its person, a signal at its household),
 * so they are declared together, apart from the code that builds them.
 */
import { at } from '../at.js';
import { hash } from 'node:crypto';
import type { Relation } from '../signals/types.js';

export interface PersonRecord {
  readonly signal: GraphSignal;
  readonly ref: string;
  /** Only a BSN that passes the elfproef; an invalid one is ignored for identity. */
  readonly bsn: string | undefined;
  /** Normalised family name and birth date, when both are known. */
  readonly nameKey: string | undefined;
  readonly initial: string | undefined;
  /**
   * The person this record resolves to. Written by HouseholdIndex alone: a
   * slot on the record is much cheaper than a Map over millions of records.
   */
  person: Person | undefined;
  /** The index's lists of this record's BSN and name key, while it is indexed. */
  bsnList: KeyList | undefined;
  nameList: KeyList | undefined;
  /**
   * This record's place in the records HouseholdIndex is partitioning right
   * now; stale otherwise. Lets the index tell whether a record takes part
   * without a Set, and union records by number without a Map.
   */
  slot: number;
}

export interface GraphSignal {
  readonly id: string;
  /** `occurredAt` in epoch milliseconds. */
  readonly t: number;
  readonly records: readonly PersonRecord[];
  /** The signal's relations between its own person refs. */
  readonly relations: readonly Relation[];
  readonly addressKey: string | undefined;
  /** The household this signal is in; written by HouseholdIndex alone. */
  household: Household | undefined;
  /** Like `PersonRecord.slot`: this signal's place in the signals HouseholdIndex is grouping. */
  slot: number;
}

/**
 * The records that share one key: a valid BSN, or a name key. Each indexed
 * record points at its lists, so a batch need not look its keys up again.
 */
export interface KeyList {
  /** Plain arrays: most keys hold one or two records, and a Set per key costs more than it saves. */
  records: PersonRecord[];
  /** Written while collecting lists, so each is taken once. */
  mark: number;
}

/** One-shot `hash`, not `createHash`: a backtest names hundreds of thousands of households, and the Hash object cost more than the digest. */
function shortHash(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 16);
}

function minBy<T>(items: readonly T[], key: (item: T) => string): string {
  let min = key(at(items, 0));
  for (let i = 1; i < items.length; i++) {
    const k = key(at(items, i));
    if (k < min) min = k;
  }
  return min;
}

/** One resolved person: the records that are the same person by CONTRACT §2. */
export class Person {
  private cachedId: string | undefined;
  /** Written by HouseholdIndex to count distinct persons without a Set. */
  mark = 0;

  constructor(readonly records: readonly PersonRecord[]) {}

  /** Derived from the smallest record key, so backtest and live agree on it. */
  get id(): string {
    this.cachedId ??= `P-${shortHash(minBy(this.records, (r) => `${r.signal.id}\u0000${r.ref}`))}`;
    return this.cachedId;
  }
}

/**
 * A household's id, derived from its smallest signal id: a household that
 * grows keeps its id, and of two that merge the one with the smaller signal
 * id lives on.
 */
export function householdId(smallestSignalId: string): string {
  return `H-${shortHash(smallestSignalId)}`;
}

/** One cliëntsysteem: a connected component of signals, persons and address links. */
export class Household {
  private cachedMin: string | undefined;
  private cachedId: string | undefined;

  constructor(readonly signals: readonly GraphSignal[]) {}

  get smallestSignalId(): string {
    this.cachedMin ??= minBy(this.signals, (s) => s.id);
    return this.cachedMin;
  }

  /** See `householdId`. */
  get id(): string {
    this.cachedId ??= householdId(this.smallestSignalId);
    return this.cachedId;
  }
}
