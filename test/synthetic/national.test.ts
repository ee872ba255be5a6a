import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJson, parseTimestamp } from '../../src/signals/index.js';
import { DUTCH_NAMES, VARIOUS_NAMES } from '../../src/synthetic/national-names.js';
import {
  emptyStats,
  NATIONAL_GENERATOR_VERSION,
  nationalLineCount,
  nationalSignalLines,
  type NationalOptions,
} from '../../src/synthetic/national.js';

const DAY = 86_400_000;
/** A year at a tenth of the national rate: enough lines for every kind of mess to show. */
const SAMPLE: NationalOptions = { years: 1, linesPerYear: 40_000, seed: 7 };

function digest(options: NationalOptions, lines: number): string {
  const hash = createHash('sha256');
  let n = 0;
  for (const line of nationalSignalLines(options)) {
    hash.update(line + '\n');
    if (++n === lines) break;
  }
  return hash.digest('hex');
}

interface Parsed {
  line: string;
  json: Record<string, unknown> | undefined;
  rejected: string | undefined;
}

function parseAll(options: NationalOptions): Parsed[] {
  return [...nationalSignalLines(options)].map((line) => {
    let json: Record<string, unknown> | undefined;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        json = value as Record<string, unknown>;
      }
    } catch {
      json = undefined;
    }
    let rejected: string | undefined;
    try {
      decodeJson(line);
    } catch (error) {
      rejected = (error as { code?: string }).code ?? 'THROWN';
    }
    return { line, json, rejected };
  });
}

interface PersonJson {
  bsn?: string;
  familyName?: string;
  birthDate?: string;
}

/** CONTRACT §2 names, written out from the contract's text as the reference the spellings must meet. */
const TRANSLITERATED: Record<string, string> = {
  ı: 'i',
  İ: 'i',
  ł: 'l',
  Ł: 'l',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ß: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  þ: 'th',
  Þ: 'th',
};
const PARTICLES = new Set(
  'van de der den het t ter ten te op in la le du von'.split(' ').filter(Boolean),
);
function contractName(name: string): string {
  return [...name]
    .map((c) => TRANSLITERATED[c] ?? c)
    .join('')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .split(/[\s\-,'’‘ʼ]+/)
    .filter((part) => part !== '' && !PARTICLES.has(part))
    .join('')
    .replace(/[^a-z]/g, '');
}

describe('the national history generator', () => {
  const parsed = parseAll(SAMPLE);
  const signals = parsed.filter(
    (p) => p.rejected === undefined && p.json !== undefined && p.json.kind !== 'INTREKKING',
  );
  const share = (n: number, of: number): number => n / of;

  it('is deterministic for a seed and differs between seeds', () => {
    expect(digest(SAMPLE, 5000)).toBe(digest(SAMPLE, 5000));
    expect(digest({ ...SAMPLE, seed: 8 }, 5000)).not.toBe(digest(SAMPLE, 5000));
  });

  it('makes what it made before: a change of output bumps NATIONAL_GENERATOR_VERSION', () => {
    // Benchmark files are cached by that version; update this digest together with it.
    expect(NATIONAL_GENERATOR_VERSION).toBe(2);
    expect(digest(SAMPLE, 5000)).toBe(
      '56070d9bdf8c673e7cff16cfe8796d67bc0cf6cb07e6699a20fae2e0b7606ab0',
    );
  });

  it('makes as many lines as it says and counts them as it goes', () => {
    const stats = emptyStats();
    let n = 0;
    for (const line of nationalSignalLines(SAMPLE, stats)) n += line === '' ? 0 : 1;
    expect(n).toBe(nationalLineCount(SAMPLE));
    expect(stats.lines).toBe(n);
    expect(stats.malformed).toBe(parsed.filter((p) => p.rejected !== undefined).length);
  });

  it('streams: the first lines of twenty years come without making the rest', () => {
    const started = performance.now();
    let n = 0;
    for (const line of nationalSignalLines({ years: 20 })) {
      expect(line.length).toBeGreaterThan(0);
      if (++n === 2000) break;
    }
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects between 0.1 and 0.5% of lines, and every other line passes the validator', () => {
    const rejected = parsed.filter((p) => p.rejected !== undefined);
    expect(share(rejected.length, parsed.length)).toBeGreaterThan(0.001);
    expect(share(rejected.length, parsed.length)).toBeLessThan(0.005);
    // Only the deliberately malformed lines (ids `X-`, or no JSON object at all) fail alone.
    for (const p of rejected) {
      if (p.json !== undefined && typeof p.json.id === 'string') expect(p.json.id).toMatch(/^X-/);
    }
    expect(new Set(rejected.map((p) => p.rejected)).size).toBeGreaterThanOrEqual(5);
  });

  it('delivers the mix of DOMAIN.md: adviesvragen, meldingen (two thirds by police) and police', () => {
    const kinds = new Map<string, number>();
    for (const s of signals)
      kinds.set(String(s.json!.kind), (kinds.get(String(s.json!.kind)) ?? 0) + 1);
    expect(share(kinds.get('ADVIESVRAAG')!, signals.length)).toBeCloseTo(0.38, 1);
    expect(share(kinds.get('MELDING')!, signals.length)).toBeCloseTo(0.34, 1);
    expect(share(kinds.get('POLITIE')!, signals.length)).toBeCloseTo(0.28, 1);
    const meldingen = signals.filter((s) => s.json!.kind === 'MELDING');
    const byPolice = meldingen.filter((s) => s.json!.source === 'POLITIE');
    expect(share(byPolice.length, meldingen.length)).toBeCloseTo(2 / 3, 1);
    const children = meldingen.filter((s) => s.json!.category === 'KINDERMISHANDELING');
    expect(share(children.length, meldingen.length)).toBeGreaterThan(0.4);
  });

  it('arrives in receivedAt order, with late police registrations', () => {
    let last = -Infinity;
    let late = 0;
    let police = 0;
    const seen = new Set<string>();
    for (const p of parsed) {
      if (p.rejected !== undefined || p.json === undefined || seen.has(p.line)) continue;
      seen.add(p.line);
      const received = parseTimestamp(String(p.json.receivedAt));
      expect(received).toBeGreaterThanOrEqual(last - 1000);
      last = Math.max(last, received);
      if (p.json.kind === 'POLITIE') {
        police++;
        if (received - parseTimestamp(String(p.json.occurredAt)) > 30 * DAY) late++;
      }
    }
    expect(share(late, police)).toBeGreaterThan(0.02);
    expect(share(late, police)).toBeLessThan(0.1);
  });

  it('redelivers about 1% of lines as exact copies', () => {
    const seen = new Set<string>();
    let copies = 0;
    for (const p of parsed) {
      if (seen.has(p.line)) copies++;
      seen.add(p.line);
    }
    expect(share(copies, parsed.length)).toBeGreaterThan(0.005);
    expect(share(copies, parsed.length)).toBeLessThan(0.02);
  });

  it('withdraws about 1% of signals, some before they arrive', () => {
    const withdrawals = parsed.filter(
      (p) => p.json?.kind === 'INTREKKING' && p.rejected === undefined,
    );
    expect(share(new Set(withdrawals.map((w) => w.line)).size, parsed.length)).toBeGreaterThan(
      0.005,
    );
    expect(share(withdrawals.length, parsed.length)).toBeLessThan(0.02);
    const arrivedAt = new Map<string, number>();
    parsed.forEach((p, i) => {
      const id = p.json?.id;
      if (typeof id === 'string' && id.startsWith('S-') && !arrivedAt.has(id)) arrivedAt.set(id, i);
    });
    let ahead = 0;
    let behind = 0;
    parsed.forEach((p, i) => {
      if (p.json?.kind !== 'INTREKKING') return;
      const target = (p.json.retracts as string[])[0]!;
      const at = arrivedAt.get(target);
      if (at === undefined) return;
      if (at > i) ahead++;
      else behind++;
    });
    expect(ahead).toBeGreaterThan(0);
    expect(behind).toBeGreaterThan(ahead);
  });

  it('has police signals without BSN, known by name and birth date', () => {
    const police = signals.filter((s) => s.json!.kind === 'POLITIE');
    const nameOnly = police.filter((s) =>
      (s.json!.persons as PersonJson[]).every(
        (p) => p.bsn === undefined && p.familyName !== undefined && p.birthDate !== undefined,
      ),
    );
    expect(share(nameOnly.length, police.length)).toBeGreaterThan(0.3);
    expect(share(nameOnly.length, police.length)).toBeLessThan(0.5);
  });

  it('brings families back: many signals name a BSN seen before', () => {
    const seen = new Set<string>();
    let repeats = 0;
    for (const s of signals) {
      const bsns = (s.json!.persons as PersonJson[]).flatMap((p) => (p.bsn ? [p.bsn] : []));
      if (bsns.some((b) => seen.has(b))) repeats++;
      for (const b of bsns) seen.add(b);
    }
    expect(share(repeats, signals.length)).toBeGreaterThan(0.2);
  });

  it('gathers strangers at shelters: addresses naming more than 12 people', () => {
    const people = new Map<string, Set<string>>();
    for (const s of signals) {
      const a = s.json!.address as { postcode: string; houseNumber: number } | undefined;
      if (a === undefined) continue;
      const key = `${a.postcode.replace(/\s/g, '').toUpperCase()}|${a.houseNumber}`;
      const set = people.get(key) ?? new Set<string>();
      for (const p of s.json!.persons as PersonJson[]) {
        set.add(p.bsn ?? `${contractName(p.familyName ?? '')}|${p.birthDate}`);
      }
      people.set(key, set);
    }
    const crowded = [...people.values()].filter((s) => s.size > 12);
    expect(crowded.length).toBeGreaterThanOrEqual(10);
  });

  it('spells names as in practice: diacritics, particles in every order, typographic apostrophes', () => {
    const names = signals.flatMap((s) =>
      (s.json!.persons as PersonJson[]).map((p) => p.familyName ?? ''),
    );
    expect(names.some((n) => /[^ -~]/.test(n))).toBe(true);
    expect(names.some((n) => n.includes('’'))).toBe(true);
    expect(names.some((n) => /, (van|de|ter)/.test(n))).toBe(true);
    for (const s of ['Yılmaz', 'Yilmaz', 'Øster', 'Łukasz', "van 't Hek", 'van ’t Hek']) {
      expect(VARIOUS_NAMES.some((n) => n.spellings.includes(s))).toBe(true);
    }
  });

  it('writes every spelling of a name so that CONTRACT §2 makes them one name', () => {
    for (const name of [...VARIOUS_NAMES, ...DUTCH_NAMES]) {
      const keys = new Set(name.spellings.map(contractName));
      expect([...keys], name.spellings.join(' / ')).toHaveLength(1);
      expect([...keys][0]).not.toBe('');
    }
  });
});
