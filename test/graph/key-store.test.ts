/** Keys kept as code units must compare and hash as the strings they were. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '../../src/graph/key-store.js';

/** Each key added, with where it landed and its hash. */
function stored(keys: readonly string[], shared: boolean) {
  const store = new KeyStore(shared);
  const spans = keys.map((key) => {
    const start = store.end;
    const hash = store.add(key);
    return { start, end: store.end, hash };
  });
  return { store, spans };
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe.each([
  ['a KeyStore', false],
  ['a KeyStore in shared memory', true],
])('%s', (_, shared) => {
  it('property: compares stored keys as their strings compare, and gives them back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 40 }),
        (keys) => {
          const { store, spans } = stored(keys, shared);
          keys.forEach((a, i) => {
            expect(store.text(spans[i]!.start, spans[i]!.end)).toBe(a);
            keys.forEach((b, j) => {
              const { start, end } = spans[j]!;
              expect(Math.sign(store.compare(spans[i]!.start, spans[i]!.end, start, end))).toBe(
                byCodeUnits(a, b),
              );
            });
          });
        },
      ),
    );
  });

  it('hashes equal keys alike, as unsigned 32-bit FNV-1a', () => {
    const { spans } = stored(['9904SK|91||', ['9904SK', '91', '', ''].join('|'), '', 'a'], shared);
    expect(spans[0]!.hash).toBe(spans[1]!.hash);
    expect(spans[2]!.hash).toBe(0x811c9dc5);
    // FNV-1a of "a": (0x811c9dc5 ^ 0x61) * 0x01000193 mod 2^32.
    expect(spans[3]!.hash).toBe(0xe40c292c);
  });

  it('grows past its first array without losing a key', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `key-${i}-${'x'.repeat(i % 40)}`);
    keys.push('y'.repeat(100_000));
    const { store, spans } = stored(keys, shared);
    expect(spans.map(({ start, end }) => store.text(start, end))).toEqual(keys);
  });

  it('views its keys where they are, in shared memory when shared, and copies them out', () => {
    const { store } = stored(['jansen|1980-01-01', 'de vries'], shared);
    const view = store.view();
    expect(view.buffer instanceof SharedArrayBuffer).toBe(shared);
    expect(String.fromCharCode(...view)).toBe('jansen|1980-01-01de vries');
    const copy = store.copy();
    expect(copy.buffer instanceof SharedArrayBuffer).toBe(false);
    expect([...copy]).toEqual([...view]);
  });

  it('holds Latin-1 keys a byte a unit, and widens without changing a key when one needs two', () => {
    const { store, spans } = stored(['müller|1980-01-01', 'çelik'], shared);
    expect(store.view()).toBeInstanceOf(Uint8Array);
    // Widened in the middle of a key: the units before it in that key are kept too.
    const start = store.end;
    store.add('ab\u0131c');
    expect(store.view()).toBeInstanceOf(Uint16Array);
    expect(store.view().buffer instanceof SharedArrayBuffer).toBe(shared);
    expect(store.text(start, store.end)).toBe('ab\u0131c');
    expect(spans.map(({ start: s, end }) => store.text(s, end))).toEqual([
      'müller|1980-01-01',
      'çelik',
    ]);
    store.push(0x3b1);
    expect(store.text(store.end - 1, store.end)).toBe('\u03b1');
  });

  it('takes units from another store, widening for wide ones only', () => {
    const narrow = stored(['jansen'], false).store.copy();
    const wide = stored(['y\u0131lmaz'], false).store.copy();
    expect(narrow).toBeInstanceOf(Uint8Array);
    expect(wide).toBeInstanceOf(Uint16Array);
    const store = new KeyStore(shared);
    store.addAll(narrow);
    store.addAll(Uint16Array.from(narrow));
    expect(store.view()).toBeInstanceOf(Uint8Array);
    store.addAll(wide);
    expect(store.view()).toBeInstanceOf(Uint16Array);
    expect(store.text(0, store.end)).toBe('jansenjanseny\u0131lmaz');
  });

  it('pushes a wide unit into a narrow store', () => {
    const store = new KeyStore(shared);
    store.add('van');
    store.push(0x2019);
    expect(store.text(0, store.end)).toBe('van\u2019');
    expect(store.hashSince(0)).toBe(new KeyStore().add('van\u2019'));
  });
});
