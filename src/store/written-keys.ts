/**
 * The keys a store has written since it was made, as a Bloom filter: "not
 * written" is certain, "written" may be wrong at a rate set by the size.
 * A backlog's load writes millions of keys into a store made empty, and
 * most of what its writes read (a new household's view, a BSN's list, an
 * indicator's record) is not there yet: each such read answered here costs
 * two hashes instead of a round trip to LevelDB and a cached "absent".
 */
export class WrittenKeys {
  private readonly bits: Int32Array;
  private readonly mask: number;

  /** Sized for `expected` keys at about one false "written" in a hundred. */
  constructor(expected: number) {
    // 10 bits a key and 3 probes: about 1%. A power of two, so a probe is a mask.
    const wanted = Math.max(1024, expected * 10);
    const size = 2 ** Math.min(31, Math.ceil(Math.log2(wanted)));
    this.bits = new Int32Array(size / 32);
    this.mask = size - 1;
  }

  add(key: string): void {
    const [a, b] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (a + i * b) & this.mask;
      const word = bit >>> 5;
      this.bits[word] = (this.bits[word] ?? 0) | (1 << (bit & 31));
    }
  }

  /** False when the key was certainly never added. */
  mayHave(key: string): boolean {
    const [a, b] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (a + i * b) & this.mask;
      if (((this.bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const PROBES = 3;

/** Two 32-bit FNV-1a hashes with different offsets, the second odd (Kirsch–Mitzenmacher probing). */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a ^= a >>> 15;
  b ^= b >>> 13;
  return [a >>> 0, (b | 1) >>> 0];
}
