/**
 * What a RadarStore needs of the key-value store under it: ordered string
 * keys, atomic batches, and iteration over a key range from one snapshot.
 * LevelDB provides it on disk (level-store.ts), a sorted map in memory
 * (memory-store.ts); everything else about the store is written once, in
 * kv-store.ts, so both behave alike by construction.
 */
export type KvOperation =
  { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/**
 * A key range: from `gte` (inclusive) or `gt` (exclusive), up to `lt`
 * (exclusive); `reverse` walks it from the end, `limit` stops after so many.
 */
export interface KvRange {
  gte?: string;
  gt?: string;
  lt: string;
  reverse?: boolean;
  limit?: number;
}

export interface OrderedKv {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** All or nothing; `durable: false` asks for no sync to disk where the store would sync. */
  batch(operations: KvOperation[], durable?: boolean): Promise<void>;
  /** In key order (UTF-8 bytes, i.e. code points), from a snapshot taken when iteration starts. */
  entries(range: KvRange): AsyncGenerator<[string, string]>;
  /** `entries` without the values, which an index's entries do not have. */
  keys(range: KvRange): AsyncGenerator<string>;
  /** Rewrites the keys from `gte` up to `lt` so that each is found in one place; the data is unchanged. */
  compact(range: KeySlice): Promise<void>;
  /** About how many bytes the keys from `gte` up to `lt` take where they are kept for good. */
  approximateSize(range: KeySlice): Promise<number>;
}

export interface KeySlice {
  gte: string;
  lt: string;
}

/**
 * The keys of a slice that begin with `slice.gte` parted by the character
 * after it (below U+0080 one slice each, the rest together), in order and
 * with nothing left out: the first holds `slice.gte` itself, the last ends
 * where the slice does.
 */
export function nextCharacterSlices(slice: KeySlice): KeySlice[] {
  const prefix = slice.gte;
  const parts: KeySlice[] = [];
  for (let c = 0; c < 0x80; c++) {
    parts.push({
      gte: c === 0 ? prefix : prefix + String.fromCharCode(c),
      lt: prefix + String.fromCharCode(c + 1),
    });
  }
  parts.push({ gte: prefix + '\u0080', lt: slice.lt });
  return parts;
}

/** Every key that starts with `prefix` (after `prefix + after`, when given); its last character is a separator. */
export function prefixRange(prefix: string, after?: string): KvRange {
  const lt = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return after === undefined ? { gte: prefix, lt } : { gt: prefix + after, lt };
}

/** LevelDB orders keys by their UTF-8 bytes, which is Unicode code point order. */
export function byKeyOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function inRange(key: string, range: KvRange): boolean {
  if (range.gte !== undefined && byKeyOrder(key, range.gte) < 0) return false;
  if (range.gt !== undefined && byKeyOrder(key, range.gt) <= 0) return false;
  return byKeyOrder(key, range.lt) < 0;
}

/**
 * The key-value store in memory, for tests: data outlives close() and a later
 * open() of the same instance, like a directory on disk.
 */
export class MemoryKv implements OrderedKv {
  private readonly data = new Map<string, string>();

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }

  async batch(operations: KvOperation[]): Promise<void> {
    for (const op of operations) {
      if (op.type === 'put') this.data.set(op.key, op.value);
      else this.data.delete(op.key);
    }
  }

  async *entries(range: KvRange): AsyncGenerator<[string, string]> {
    const snapshot = [...this.data].filter(([key]) => inRange(key, range));
    snapshot.sort(([a], [b]) => byKeyOrder(a, b));
    if (range.reverse === true) snapshot.reverse();
    yield* snapshot.slice(0, range.limit ?? snapshot.length);
  }

  async *keys(range: KvRange): AsyncGenerator<string> {
    for await (const [key] of this.entries(range)) yield key;
  }

  /** A map has nothing to compact. */
  async compact(): Promise<void> {}

  async approximateSize(range: KeySlice): Promise<number> {
    let bytes = 0;
    for (const [key, value] of this.data)
      if (inRange(key, range)) bytes += key.length + value.length;
    return bytes;
  }
}
