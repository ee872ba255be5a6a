/**
 * Synthetic signal streams for benchmarks, demos and load tests: families
 * seen several times over the years, by adviesvraag, melding and police, some
 * police signals without BSN, some withdrawals and some malformed lines, all
 * deterministic for a seed. No real person is in here: BSNs are random
 * numbers that pass the elfproef.
 */
import { at } from '../at.js';
import { prng } from './prng.js';

const DAY = 86_400_000;
const START = Date.parse('2019-01-01T00:00:00Z');
const PARTICLES = ['', '', '', 'de ', 'van ', 'van der ', 'van den ', 'ter '];
const ROOTS = [
  'Vries',
  'Jans',
  'Berg',
  'Bakk',
  'Viss',
  'Smit',
  'Meij',
  'Boer',
  'Muld',
  'Yilm',
  'Amran',
  'Bos',
  'Dijk',
  'Hoek',
  'Brink',
  'Kok',
  'Wit',
  'Pieter',
  'Dekk',
  'Leeuw',
  'Hend',
  'Koster',
  'Prins',
  'Huis',
  'Peet',
  'Kuip',
  'Veen',
  'Graaf',
  'Vos',
  'Sant',
];
const ENDINGS = ['', 'en', 'er', 'ink', 'ema', 'stra', 'man', 'sen', 'ers', 'hof', 'kamp', 'ouw'];
/** About 3,000 family names with particles, so unrelated families rarely share name and birth date. */
const SURNAMES = PARTICLES.flatMap((p) => ROOTS.flatMap((r) => ENDINGS.map((e) => `${p}${r}${e}`)));
const SOURCES = [
  'POLITIE',
  'HUISARTS',
  'ONDERWIJS',
  'WIJKTEAM',
  'BURGER',
  'JGZ',
  'ZIEKENHUIS',
  'GGZ',
];
const CATEGORIES = [
  'KINDERMISHANDELING',
  'PARTNERGEWELD',
  'EX_PARTNERGEWELD',
  'OUDERENMISHANDELING',
  'OVERIG_HUISELIJK_GEWELD',
];
const VIOLENCE = [
  'LICHAMELIJK',
  'PSYCHISCH',
  'VERWAARLOZING',
  'KIND_GETUIGE',
  'FINANCIELE_UITBUITING',
  'STALKING',
];
const SAFETY = ['ONBEKEND', 'VEILIG', 'ONVEILIG_STRUCTUREEL', 'ONVEILIG_ACUUT'];

interface FamilyMember {
  bsn: string;
  familyName: string;
  initials: string;
  birthDate: string;
  role: string;
}

interface Family {
  members: FamilyMember[];
  postcode: string;
  houseNumber: number;
  region: string;
  firstDay: number;
}

/** Bumped whenever the generator's output changes, so cached benchmark files are made anew. */
export const GENERATOR_VERSION = 2;

export interface GenerateOptions {
  count: number;
  /** @defaultValue 1 */
  seed?: number;
  /** Share of lines that are malformed. @defaultValue 0.002 */
  malformed?: number;
  /** Share of signals later withdrawn. @defaultValue 0.01 */
  withdrawn?: number;
}

/** NDJSON lines, one signal each. */
export function* generateSignalLines(options: GenerateOptions): Generator<string> {
  const random = prng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => at(items, Math.floor(random() * items.length));
  const int = (n: number): number => Math.floor(random() * n);
  const date = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  const bsn = (): string => {
    for (;;) {
      const digits = Array.from({ length: 8 }, () => int(10));
      const sum = digits.reduce((s, d, i) => s + d * (9 - i), 0);
      const check = sum % 11;
      if (check < 10 && digits.some((d) => d !== 0)) return digits.join('') + check;
    }
  };
  const family = (): Family => {
    const familyName = pick(SURNAMES);
    const firstDay = int(6 * 365);
    const parentBirth = START - (25 + int(30)) * 365 * DAY;
    const members: FamilyMember[] = [
      {
        bsn: bsn(),
        familyName,
        initials: at('ABCDEFGHJKLMNPRSTW', int(18)) + '.',
        birthDate: date(parentBirth),
        role: 'SLACHTOFFER',
      },
      {
        bsn: bsn(),
        familyName: pick(SURNAMES),
        initials: at('ABCDEFGHJKLMNPRSTW', int(18)) + '.',
        birthDate: date(parentBirth - int(2000) * DAY),
        role: 'PLEGER',
      },
    ];
    for (let c = int(4); c > 0; c--) {
      members.push({
        bsn: bsn(),
        familyName,
        initials: '',
        birthDate: date(START + int(3000) * DAY - 6 * 365 * DAY),
        role: 'BETROKKENE',
      });
    }
    return {
      members,
      postcode: `${1000 + int(9000)}${String.fromCharCode(65 + int(26))}${String.fromCharCode(65 + int(26))}`,
      houseNumber: 1 + int(300),
      region: `VT${String(1 + int(26)).padStart(2, '0')}`,
      firstDay,
    };
  };

  const families: Family[] = [];
  const ids: string[] = [];
  for (let n = 0; n < options.count; n++) {
    const id = `S-${n.toString(36).padStart(6, '0')}`;
    if (random() < (options.malformed ?? 0.002)) {
      yield pick([
        `{"id":"${id}","kind":"MELDING"`,
        `{"id":"${id}","kind":"ONBEKEND_SOORT","receivedAt":"2024-01-01T00:00:00Z"}`,
        'not json',
      ]);
      continue;
    }
    if (ids.length > 0 && random() < (options.withdrawn ?? 0.01)) {
      yield JSON.stringify({
        id: `W-${id}`,
        kind: 'INTREKKING',
        receivedAt: '2025-06-01T00:00:00Z',
        retracts: [pick(ids)],
      });
      continue;
    }
    // About three signals per family: a new family a third of the time.
    let f: Family;
    if (families.length === 0 || random() < 0.34) {
      f = family();
      families.push(f);
      if (families.length > 200) families.shift();
    } else {
      f = at(families, families.length - 1 - int(Math.min(families.length, 50)));
    }
    const occurred = START + (f.firstDay + int(900)) * DAY + int(DAY);
    const kind = pick(['MELDING', 'POLITIE', 'POLITIE', 'ADVIESVRAAG']);
    const police = kind === 'POLITIE';
    const named = f.members.slice(0, 1 + int(f.members.length));
    const persons = named.map((m, i) => ({
      ref: String(i + 1),
      ...(police && random() < 0.4 ? {} : { bsn: m.bsn }),
      familyName:
        police && random() < 0.3 ? m.familyName.split(' ').reverse().join(', ') : m.familyName,
      ...(m.initials === '' ? {} : { initials: m.initials }),
      birthDate: m.birthDate,
      role: m.role,
    }));
    const signal: Record<string, unknown> = {
      id,
      kind,
      occurredAt: new Date(occurred).toISOString(),
      receivedAt: new Date(occurred + int(20) * DAY).toISOString(),
      region: f.region,
      source: police ? 'POLITIE' : pick(SOURCES),
      ...(police && random() < 0.5 ? {} : { category: pick(CATEGORIES) }),
      violenceTypes: [pick(VIOLENCE)],
      safety: pick(SAFETY),
      childrenPresent: f.members.length > 2 && random() < 0.6,
      ...(police && random() < 0.2 ? { substantiated: false } : {}),
      persons,
      relations: persons.length > 1 ? [{ from: '1', to: '2', type: 'PARTNER' }] : [],
      address: {
        postcode: random() < 0.5 ? f.postcode : `${f.postcode.slice(0, 4)} ${f.postcode.slice(4)}`,
        houseNumber: f.houseNumber,
      },
    };
    ids.push(id);
    if (ids.length > 10_000) ids.splice(0, 5_000);
    yield JSON.stringify(signal);
  }
}
