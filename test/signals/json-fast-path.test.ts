/**
 * The JSON fast path against the full path it stands in for: on any line it
 * either steps aside or packs exactly the prepared signal that `decodeJson`
 * and `prepareSignal` give, and it never takes a line the full path would
 * reject or warn about. The prepared signal carries the fingerprint, which
 * hashes every field of the signal, so a field read wrong shows there too.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  prepareSignal,
  WireReader,
  WireWriter,
  type PreparedSignal,
} from '../../src/engine/index.js';
import { decodeJson, readPlainLine } from '../../src/signals/index.js';
import { generateSignalLines } from '../../src/synthetic/generate.js';
import { spelledName } from '../graph/spellings.js';
import { contractSignal, reorderKeys } from './arbitraries.js';
import { melding, type Loose } from './samples.js';

/**
 * What the fast path makes of a whole line, as `decodeChunk` offers it one
 * (its UTF-8 bytes, and the bytes read as Latin-1), read back off the wire.
 * In a Buffer, as `decodeChunk` gives it, or in a plain Uint8Array, whose
 * strings outside ASCII are decoded another way.
 */
function fast(line: string | Buffer, inBuffer = true): PreparedSignal | undefined {
  const buffer = Buffer.from(line);
  const bytes = inBuffer ? buffer : new Uint8Array(buffer);
  const writer = new WireWriter();
  const read = readPlainLine(bytes, 0, bytes.length, buffer.toString('latin1'), 0, (plain) =>
    writer.writePlain(plain),
  );
  return read ? new WireReader(writer.finish()).read() : undefined;
}

/**
 * What the full path makes of the line's UTF-8 bytes, when it accepts them
 * without a warning. From the bytes, as the fast path reads them: a string
 * with half a surrogate pair, which an edit can make, has no UTF-8 of its
 * own, and its bytes say U+FFFD instead.
 */
function full(line: string | Buffer): PreparedSignal | undefined {
  try {
    const { signal, warnings } = decodeJson(Buffer.from(line));
    return warnings.length === 0 ? prepareSignal(signal) : undefined;
  } catch {
    return undefined;
  }
}

function agree(line: string | Buffer): void {
  const read = fast(line);
  if (read !== undefined) expect(read).toEqual(full(line));
}

/** Characters that make or break JSON and the contract, for mutations. */
const EDIT_CHARS = [
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  ' ',
  '\t',
  '0',
  '1',
  '9',
  'n',
  't',
  'e',
  '.',
  '-',
  'E',
  'é',
  '\u0000',
  'x',
];

const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'insert', 'replace'),
  char: fc.constantFrom(...EDIT_CHARS),
});

function applyEdit(
  line: string,
  { at, kind, char }: { at: number; kind: string; char: string },
): string {
  const i = at % (line.length + 1);
  if (kind === 'delete') return line.slice(0, i) + line.slice(i + 1);
  if (kind === 'insert') return line.slice(0, i) + char + line.slice(i);
  return line.slice(0, i) + char + line.slice(i + 1);
}

/** Free text in the generators is any Unicode; this keeps some of it plain ASCII, which JSON writes without escapes, so the fast path has lines to read. */
function asciiOnly(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/[^\x20-\x7e]|["\\]/g, 'a') || 'a';
  if (Array.isArray(value)) return value.map(asciiOnly);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asciiOnly(v)]));
}

/**
 * Strings JSON writes without escapes, which the fast path leaves to the
 * full path; and without controls, as DEL, which it leaves too.
 */
function unescaped(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\p{Cc}|["\\]|\p{Cs}/gu, 'a');
  if (Array.isArray(value)) return value.map(unescaped);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescaped(v)]));
}

const lines = fc
  .record({ signal: contractSignal, seed: fc.integer(), ascii: fc.boolean() })
  .map(({ signal, seed, ascii }) =>
    JSON.stringify(reorderKeys(ascii ? asciiOnly(signal) : signal, seed)),
  );

describe('readPlainLine', () => {
  it('gives what decodeJson gives, for any contract signal in any key order', () => {
    fc.assert(fc.property(lines, agree), { numRuns: 2000 });
  });

  it('reads every report without escapes that the full path accepts without a warning', () => {
    // An empty address object means no address; the fast path leaves it to the full path (see below).
    const emptyAddress = (signal: object): boolean =>
      'address' in signal &&
      typeof signal.address === 'object' &&
      signal.address !== null &&
      Object.keys(signal.address).length === 0;
    fc.assert(
      fc.property(
        fc.record({ signal: contractSignal, seed: fc.integer(), ascii: fc.boolean() }),
        ({ signal, seed, ascii }) => {
          fc.pre(!emptyAddress(signal));
          const line = JSON.stringify(
            reorderKeys(ascii ? asciiOnly(signal) : unescaped(signal), seed),
          );
          const expected = full(line);
          fc.pre(expected !== undefined && expected.rule !== undefined);
          expect(fast(line)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads a character outside ASCII in a string as the full path does, wherever it stands', () => {
    fc.assert(
      fc.property(
        lines,
        fc.nat(),
        fc.constantFrom('é', 'ß', 'ı', '’', '\u2028', '\u{1F600}', '\u00a0', '\ufeff', '\u0085'),
        (line, at, char) => {
          const i = at % (line.length + 1);
          agree(line.slice(0, i) + char + line.slice(i));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads lines with diacritics in names, cities, ids and refs', () => {
    const line = JSON.stringify({
      ...melding(),
      id: 'M-Öz’1',
      persons: [
        { ref: 'ı', familyName: 'van ’t Hek', initials: 'Ł.', birthDate: '1988-04-12' },
        { ref: 'k', familyName: 'Yılmaz', initials: 'Ö.', birthDate: '2015-06-01' },
        { ref: '𝒜', familyName: 'Wis\u0301niewski', bsn: '123456782' },
      ],
      relations: [{ from: 'ı', to: '𝒜', type: 'OUDER_VAN' }],
      address: { postcode: '3511 AB', houseNumber: 12, city: 'Zoë’s Çay' },
      retracts: ['M-Ø'],
    });
    const read = fast(line);
    expect(read).toBeDefined();
    expect(read).toEqual(full(line));
    expect(fast(line, false)).toEqual(read);
    expect(read?.graph?.keys).toEqual([
      ...['ı', undefined, 'hek|1988-04-12', 'l'],
      ...['k', undefined, 'yilmaz|2015-06-01', 'o'],
      ...['𝒜', '123456782', undefined, undefined],
    ]);
  });

  it('steps aside from ill-formed UTF-8 anywhere, which the full path rejects', () => {
    // Bytes no UTF-8 text has: continuation bytes alone, overlong forms, surrogates, past U+10FFFF, cut sequences.
    const illFormed = fc.constantFrom(
      [0x80],
      [0xbf],
      [0xc0, 0xaf],
      [0xc1, 0x81],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf0, 0x80, 0x80, 0xaf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xff],
      [0xc3],
      [0xe2, 0x80],
      [0xf0, 0x9d, 0x92],
    );
    fc.assert(
      fc.property(lines, fc.nat(), illFormed, (line, at, sequence) => {
        const bytes = Buffer.from(line);
        const i = at % (bytes.length + 1);
        const edited = Buffer.concat([
          bytes.subarray(0, i),
          Buffer.from(sequence),
          bytes.subarray(i),
        ]);
        expect(full(edited)).toBeUndefined();
        expect(fast(edited)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('never takes a line the full path rejects or warns about, whatever is edited', () => {
    fc.assert(
      fc.property(lines, fc.array(edit, { minLength: 1, maxLength: 3 }), (line, edits) => {
        agree(edits.reduce(applyEdit, line));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads JSON whitespace anywhere between tokens', () => {
    fc.assert(
      fc.property(lines, fc.constantFrom(' ', '\t', '\r', ' \t '), (line, space) => {
        const spaced = JSON.stringify(JSON.parse(line), null, 1).replace(/\n */g, space);
        agree(spaced);
        if (full(line) !== undefined && fast(line) !== undefined) {
          expect(fast(spaced)).toEqual(full(line));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('normalises names, initials and addresses from the bytes as the full path does from the text', () => {
    const piece = fc.constantFrom(
      ...['van', 'De', 'DER', "'t", 'T', 'Ten', 'op', 'Berg', 'jansen', 'VRIES', 'o.', 'x1', ''],
      ...[' ', '-', ',', "'", '  ', ' - ', '.'],
    );
    const familyName = fc
      .array(piece, { minLength: 1, maxLength: 6 })
      .map((pieces) => pieces.join(''))
      .filter((name) => name !== '');
    const initials = fc.stringMatching(/^[ -!#-[\]-~]{1,4}$/);
    const address = fc.record(
      {
        postcode: fc.constantFrom('1234AB', '1234 ab', ' 1234aB ', ' ', 'ab'),
        houseNumber: fc.integer({ min: 1, max: 99_999 }),
        houseLetter: fc.constantFrom('a', 'B'),
        addition: fc.constantFrom('a', 'B', '2', '-b', '2 HG', 'A/1', 'bis', '--'),
        city: fc.constantFrom('Zwolle', "'s-Hertogenbosch"),
      },
      { requiredKeys: ['houseNumber'] },
    );
    fc.assert(
      fc.property(familyName, initials, address, fc.boolean(), (name, first, place, born) => {
        const [person, ...others] = melding().persons as Loose[];
        const changed = { ...person, familyName: name, initials: first };
        if (!born) delete changed.birthDate;
        const line = JSON.stringify({
          ...melding(),
          persons: [changed, ...others],
          address: place,
        });
        const read = fast(line);
        expect(read).toBeDefined();
        expect(read).toEqual(full(line));
      }),
      { numRuns: 2000 },
    );
  });

  it('makes one name key of every spelling of a name, as the full path does', () => {
    fc.assert(
      fc.property(spelledName, ({ normal, spellings }) => {
        const [first, second] = melding().persons as Loose[];
        const line = JSON.stringify({
          ...melding(),
          persons: [
            { ...first, familyName: spellings[0], bsn: undefined },
            { ...second, familyName: spellings[1], birthDate: first.birthDate, bsn: undefined },
          ],
        });
        const expected = full(line);
        expect(expected?.graph?.keys[2]).toBe(`${normal}|${first.birthDate}`);
        expect(expected?.graph?.keys[6]).toBe(expected?.graph?.keys[2]);
        expect(fast(line)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads nearly every line of the synthetic stream, and only what the full path accepts', () => {
    const all = [
      ...generateSignalLines({ count: 3000, seed: 11, malformed: 0.05, withdrawn: 0.03 }),
    ];
    let read = 0;
    for (const line of all) {
      agree(line);
      if (fast(line) !== undefined) read++;
    }
    expect(read).toBeGreaterThan(0.9 * all.length);
  });

  it.each<[string, (s: Loose) => unknown]>([
    ['a repeated key', (s) => JSON.stringify(s).replace('{', '{"region":"VT01",')],
    ['a key outside the contract', (s) => ({ ...s, note: 'x' })],
    ['null', (s) => ({ ...s, safety: null })],
    ['an empty string', (s) => ({ ...s, safety: '' })],
    ['an escape', (s) => JSON.stringify(s).replace('"M-1"', '"M\\u002d1"')],
    [
      'a house number with a fraction',
      (s) => JSON.stringify(s).replace(/"houseNumber":(\d+)/, '"houseNumber":$1.0'),
    ],
    [
      'a house number with a leading zero',
      (s) => JSON.stringify(s).replace(/"houseNumber":(\d+)/, '"houseNumber":0$1'),
    ],
    ['an invalid BSN', (s) => ({ ...s, persons: [{ ...s.persons[0], bsn: '123456789' }] })],
    [
      'a withdrawal',
      () => ({
        id: 'W-1',
        kind: 'INTREKKING',
        receivedAt: '2024-01-01T00:00:00Z',
        retracts: ['M-1'],
      }),
    ],
    ['an empty address', (s) => ({ ...s, address: {} })],
    ['text after the object', (s) => `${JSON.stringify(s)} x`],
    [
      'occurredAt over a day after receivedAt',
      (s) => ({ ...s, occurredAt: '2023-03-03T09:00:01Z' }),
    ],
    ['a timestamp that is not RFC 3339', (s) => ({ ...s, receivedAt: '2023-03-02 09:00:00' })],
    ['an unknown enum value', (s) => ({ ...s, source: 'BUURMAN' })],
    ['a region outside VT01 to VT26', (s) => ({ ...s, region: 'VT27' })],
    ['a MELDING without category', (s) => ({ ...s, category: undefined })],
    [
      'a relation to no person of the signal',
      (s) => ({ ...s, relations: [{ from: 'm', to: 'x', type: 'PARTNER' }] }),
    ],
    ['a repeated person ref', (s) => ({ ...s, persons: [s.persons[0], s.persons[0]] })],
    ['no persons', (s) => ({ ...s, persons: [] })],
    ['an id over 128 characters', (s) => ({ ...s, id: 'x'.repeat(129) })],
    ['an id over 128 characters outside ASCII', (s) => ({ ...s, id: 'é'.repeat(129) })],
    ['an id over 128 UTF-16 code units', (s) => ({ ...s, id: '\u{1d49c}'.repeat(65) })],
    ['a character outside ASCII between tokens', (s) => JSON.stringify(s).replace(',', ',\u00a0')],
    ['a postcode outside ASCII', (s) => ({ ...s, address: { ...s.address, postcode: '3511 ÅB' } })],
    ['an addition outside ASCII', (s) => ({ ...s, address: { ...s.address, addition: 'é' } })],
    [
      'a birth date in other digits',
      (s) => ({ ...s, persons: [{ ...s.persons[0], birthDate: '１９８８-04-12' }] }),
    ],
    [
      'a birth date not in the calendar',
      (s) => ({ ...s, persons: [{ ...s.persons[0], birthDate: '2023-02-29' }] }),
    ],
    [
      'a house letter of two letters',
      (s) => ({ ...s, address: { ...s.address, houseLetter: 'ab' } }),
    ],
    [
      'an addition of five characters',
      (s) => ({ ...s, address: { ...s.address, addition: 'ABCDE' } }),
    ],
    [
      'a house number over 99999',
      (s) => ({ ...s, address: { ...s.address, houseNumber: 100000 } }),
    ],
    ['a string where a list belongs', (s) => ({ ...s, violenceTypes: 'PSYCHISCH' })],
    ['a number where a boolean belongs', (s) => ({ ...s, childrenPresent: 1 })],
  ])('steps aside for %s', (_, change) => {
    const changed = change(melding());
    const line = typeof changed === 'string' ? changed : JSON.stringify(changed);
    expect(fast(JSON.stringify(melding()))).toEqual(full(JSON.stringify(melding())));
    expect(fast(line)).toBeUndefined();
  });
});
