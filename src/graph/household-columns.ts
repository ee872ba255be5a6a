/**
 * Signals as the household graph needs them, held as columns of numbers:
 * every BSN, name key, initial and address key interned to a dense id as
 * the signal arrives. A bulk formation (`formHouseholds`) then links
 * numbers in typed arrays instead of looking strings up in maps, and the
 * signals need no objects of their own: at millions of signals those
 * objects were most of a backtest's heap and much of its time.
 */
import type { GraphSignal } from './model.js';

/** Strings to dense ids, 0 upwards, in the order first seen. */
class Interner {
  private readonly ids = new Map<string, number>();

  get size(): number {
    return this.ids.size;
  }

  /** -1 for an absent key. */
  idOf(key: string | undefined): number {
    if (key === undefined) return -1;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }
}

export class HouseholdColumns {
  /** Per row (signal), in the order added. */
  readonly ids: string[] = [];
  /** `occurredAt` in epoch milliseconds. */
  readonly times: number[] = [];
  /** Interned address key, or -1. */
  readonly addresses: number[] = [];
  /** Where each row's records end in the record columns; they start where the previous row's end. */
  readonly recordEnds: number[] = [];
  /** Per record: interned valid BSN, name key and first initial, or -1. */
  readonly bsns: number[] = [];
  readonly names: number[] = [];
  readonly initials: number[] = [];
  /** Per address id: configured as institutional, whatever its signals say. */
  readonly configured: boolean[] = [];
  private readonly bsnIds = new Interner();
  private readonly nameIds = new Interner();
  private readonly initialIds = new Interner();
  private readonly addressIds = new Interner();

  constructor(private readonly institutionalAddresses: ReadonlySet<string>) {}

  get rows(): number {
    return this.ids.length;
  }

  get bsnCount(): number {
    return this.bsnIds.size;
  }

  get nameCount(): number {
    return this.nameIds.size;
  }

  get initialCount(): number {
    return this.initialIds.size;
  }

  get addressCount(): number {
    return this.addressIds.size;
  }

  /** Adds a signal as the next row and returns the row. */
  add(signal: GraphSignal): number {
    const row = this.ids.length;
    this.ids.push(signal.id);
    this.times.push(signal.t);
    this.addresses.push(this.addressIdOf(signal.addressKey));
    for (const record of signal.records) {
      this.bsns.push(this.bsnIds.idOf(record.bsn));
      this.names.push(this.nameIds.idOf(record.nameKey));
      this.initials.push(this.initialIds.idOf(record.initial));
    }
    this.recordEnds.push(this.bsns.length);
    return row;
  }

  private addressIdOf(key: string | undefined): number {
    const known = this.addressIds.size;
    const id = this.addressIds.idOf(key);
    if (id === known) this.configured.push(this.institutionalAddresses.has(key!));
    return id;
  }
}
