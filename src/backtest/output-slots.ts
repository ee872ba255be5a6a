/**
 * Buffers in shared memory that the workers write their parts of the
 * indicator lines into and this thread writes out, each used again once
 * written. A buffer transferred from a worker is memory outside this
 * thread's heap that V8 counts towards its next full collection, and this
 * thread's heap is the radar's, large: a megabyte transferred in for every
 * megabyte written brought a mark-compact of it about every second
 * (docs/performance-history.md). The slots are made once.
 */
import { outOfRange } from '../at.js';
import type { ByteBuffers } from './utf8-writer.js';

export interface OutputSlots {
  /** `SLOTS` slots of `SLOT_BYTES`, one after the other. */
  bytes: Uint8Array;
  /** `FREE` or `TAKEN`, a slot each. */
  states: Int32Array;
}

/** More than a worker fills while this thread makes a part of its own (a part is a few megabytes). */
const SLOTS = 32;
const SLOT_BYTES = 1 << 20;
const FREE = 0;
const TAKEN = 1;

export function outputSlots(): OutputSlots {
  return {
    bytes: new Uint8Array(new SharedArrayBuffer(SLOTS * SLOT_BYTES)),
    states: new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT)),
  };
}

/** Slot `slot`'s bytes. */
export function slotBytes({ bytes }: OutputSlots, slot: number): Uint8Array {
  return bytes.subarray(slot * SLOT_BYTES, (slot + 1) * SLOT_BYTES);
}

/** Gives a slot back once its bytes are written out. */
export function releaseSlot({ states }: OutputSlots, slot: number): void {
  Atomics.store(states, slot, FREE);
}

/**
 * A filled buffer: slot `slot` of the shared ones, or, when every slot was
 * taken, `bytes`, a buffer of its own (`slot` is then -1).
 */
export type FilledBuffer =
  | { slot: number; bytes?: undefined; length: number }
  | { slot: -1; bytes: Uint8Array<ArrayBuffer>; length: number };

/**
 * A worker's side: buffers taken from the free slots, or made when none is
 * free rather than waiting for one (this thread writes parts in order, so a
 * worker waiting on it while another holds slots of later parts could wait
 * for ever); each filled one handed to `filled`.
 */
export class SlotBuffers implements ByteBuffers {
  private readonly views: Uint8Array[];
  /** The slot `take` last gave, -1 for a buffer of its own. */
  private current = -1;

  constructor(
    private readonly slots: OutputSlots,
    private readonly onFilled: (buffer: FilledBuffer) => void,
  ) {
    this.views = Array.from({ length: SLOTS }, (_, slot) => slotBytes(slots, slot));
  }

  take(): Uint8Array {
    for (let slot = 0; slot < SLOTS; slot++) {
      if (Atomics.compareExchange(this.slots.states, slot, FREE, TAKEN) === FREE) {
        this.current = slot;
        return this.views[slot] ?? outOfRange(this.views, slot);
      }
    }
    this.current = -1;
    return new Uint8Array(SLOT_BYTES);
  }

  filled(bytes: Uint8Array, length: number): void {
    this.onFilled(
      this.current === -1
        ? { slot: -1, bytes: bytes as Uint8Array<ArrayBuffer>, length }
        : { slot: this.current, length },
    );
  }
}
