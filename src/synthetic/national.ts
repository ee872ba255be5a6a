/**
 * A seeded national history for the benchmark: N years of the three signal
 * streams of all Veilig Thuis regions, about 380,000 lines a year, in arrival
 * order (`receivedAt`), with the mess real streams carry: police signals
 * without BSN known by name and birth date written variously, late police
 * registrations, shelters and briefadressen gathering strangers, withdrawals
 * (some arriving before what they withdraw), redeliveries and a small share
 * of malformed lines. Lines are made one at a time and nothing grows with
 * the history, so 20 years (7.6 million lines) stream to a file in constant
 * memory. No real person is in here: BSNs are random numbers that pass the
 * elfproef.
 */
import { at } from '../at.js';
import { RadarError } from '../errors.js';
import { DUTCH_NAMES, VARIOUS_NAMES, type NameSpellings } from './national-names.js';
import { prng } from './prng.js';

/** Bumped whenever the output changes, so cached benchmark files are made anew. */
export const NATIONAL_GENERATOR_VERSION = 2;
/** CBS: about 127,000 meldingen, 120,000–170,000 adviezen, 100,000 police registrations a year. */
export const LINES_PER_YEAR = 380_000;
export const MAX_YEARS = 20;

export interface NationalOptions {
  /** Years of history, more than 0 and at most 20. */
  years: number;
  /** @defaultValue 1 */
  seed?: number;
  /** Lines a year, every kind of line counted. @defaultValue 380,000 */
  linesPerYear?: number;
  /** The last moment of the history. @defaultValue `2026-12-01T00:00:00Z` */
  end?: string;
}

/** What was generated, counted as it was made. */
export interface NationalStats {
  lines: number;
  adviesvragen: number;
  meldingen: number;
  politie: number;
  /** INTREKKING lines, and of those the ones that name a signal still to come. */
  withdrawals: number;
  withdrawalsAhead: number;
  /** Exact copies of an earlier line, as Kafka redelivers. */
  redeliveries: number;
  /** Lines the contract rejects as they stand. */
  malformed: number;
  /** An earlier id again with other content (`DUPLICATE_ID_CONFLICT`). */
  conflicts: number;
  /** Signals about a family already seen. */
  repeats: number;
  shelterSignals: number;
  /** Police signals that name nobody by BSN. */
  policeWithoutBsn: number;
  /** Police signals whose incident lies more than 30 days before registration. */
  latePolice: number;
  invalidBsns: number;
  unknownFields: number;
}

export function emptyStats(): NationalStats {
  return {
    lines: 0,
    adviesvragen: 0,
    meldingen: 0,
    politie: 0,
    withdrawals: 0,
    withdrawalsAhead: 0,
    redeliveries: 0,
    malformed: 0,
    conflicts: 0,
    repeats: 0,
    shelterSignals: 0,
    policeWithoutBsn: 0,
    latePolice: 0,
    invalidBsns: 0,
    unknownFields: 0,
  };
}

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
const DEFAULT_END = '2026-12-01T00:00:00Z';

/** Shares of all lines. The rest are signals about families. */
const MALFORMED = 0.002;
const CONFLICT = 0.0003;
const REDELIVERY = 0.01;
const WITHDRAWAL = 0.01;
/** Shares of signals. */
const ADVIESVRAAG = 0.38;
const MELDING = 0.34;
const SHELTER = 0.015;
/** A signal about a family seen before; hermeldingen are about 38% of meldingen. */
const REPEAT = 0.45;
/** Families come back mostly within the three years CBS counts hermeldingen over. */
const REPEAT_YEARS = 3;
const WITHDRAWAL_AHEAD = 0.2;
const POLICE_WITHOUT_BSN = 0.4;
const UNKNOWN_FIELD = 0.004;
const INVALID_BSN = 0.003;
const RECENT = 4096;

const CATEGORIES_OF_MELDINGEN: readonly [string, number][] = [
  ['KINDERMISHANDELING', 0.5],
  ['PARTNERGEWELD', 0.24],
  ['EX_PARTNERGEWELD', 0.14],
  ['OUDERENMISHANDELING', 0.02],
  ['OUDERMISHANDELING', 0.03],
  ['OVERIG_HUISELIJK_GEWELD', 0.07],
];
const VIOLENCE_BY_CATEGORY: Record<string, readonly string[]> = {
  KINDERMISHANDELING: ['LICHAMELIJK', 'PSYCHISCH', 'VERWAARLOZING', 'KIND_GETUIGE', 'SEKSUEEL'],
  PARTNERGEWELD: ['LICHAMELIJK', 'PSYCHISCH', 'KIND_GETUIGE', 'SEKSUEEL', 'EERGERELATEERD'],
  EX_PARTNERGEWELD: ['STALKING', 'PSYCHISCH', 'LICHAMELIJK', 'KIND_GETUIGE'],
  OUDERENMISHANDELING: ['FINANCIELE_UITBUITING', 'VERWAARLOZING', 'PSYCHISCH'],
  OUDERMISHANDELING: ['LICHAMELIJK', 'PSYCHISCH'],
  OVERIG_HUISELIJK_GEWELD: ['LICHAMELIJK', 'PSYCHISCH', 'HUWELIJKSDWANG', 'MENSENHANDEL', 'VGV'],
};
const ADVICE_SOURCES = [
  'HUISARTS',
  'ONDERWIJS',
  'WIJKTEAM',
  'BURGER',
  'ANONIEM',
  'JGZ',
  'KINDEROPVANG',
  'GGZ',
  'MAATSCHAPPELIJK_WERK',
  'JEUGDZORG',
];
const REPORT_SOURCES = [
  'HUISARTS',
  'ZIEKENHUIS',
  'ONDERWIJS',
  'WIJKTEAM',
  'BURGER',
  'JGZ',
  'GGZ',
  'JEUGDZORG',
  'JUSTITIE',
  'OVERIG',
];
const CITIES = [
  'Groningen',
  'Leeuwarden',
  'Assen',
  'Zwolle',
  'Enschede',
  'Arnhem',
  'Nijmegen',
  'Utrecht',
  'Amersfoort',
  'Amsterdam',
  'Haarlem',
  'Zaandam',
  'Alkmaar',
  'Den Haag',
  'Leiden',
  'Rotterdam',
  'Dordrecht',
  'Middelburg',
  "'s-Hertogenbosch",
  'Eindhoven',
  'Tilburg',
  'Breda',
  'Maastricht',
  'Venlo',
  'Lelystad',
  'Almere',
];
const INITIALS = 'ABCDEFGHIJKLMNOPRSTWYZ';

/** murmur3's finaliser over seed and index: a family's own seed. */
function mix(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

class Dice {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return at(items, this.int(items.length));
  }
  weighted(table: readonly [string, number][]): string {
    let u = this.random();
    for (const [value, weight] of table) {
      u -= weight;
      if (u < 0) return value;
    }
    return at(table, table.length - 1)[0];
  }
  bsn(): string {
    for (;;) {
      let sum = 0;
      let digits = '';
      for (let i = 0; i < 8; i++) {
        const d = this.int(10);
        sum += d * (9 - i);
        digits += d;
      }
      const check = sum % 11;
      if (check < 10 && digits !== '00000000') return digits + check;
    }
  }
}

interface Member {
  bsn: string;
  name: NameSpellings;
  initials: string;
  birthDate: string;
  adult: boolean;
}

interface Address {
  postcode: string;
  houseNumber: number;
  houseLetter?: string;
  addition?: string;
  city: string;
}

interface Family {
  adults: Member[];
  children: Member[];
  /** The violence this family keeps coming back for. */
  theme: string;
  partners: 'PARTNER' | 'EX_PARTNER';
  address: Address;
  region: string;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** RFC 3339 to the second, mostly in UTC, now and then in Dutch winter time as some producers send it. */
function timestamp(ms: number, dice: Dice): string {
  const whole = Math.floor(ms / 1000) * 1000;
  if (!dice.chance(0.03)) return new Date(whole).toISOString().slice(0, 19) + 'Z';
  return new Date(whole + 3_600_000).toISOString().slice(0, 19) + '+01:00';
}

function regionOf(postcodeNumber: number): string {
  const n = 1 + Math.floor(((postcodeNumber - 1000) * 26) / 9000);
  return `VT${String(n).padStart(2, '0')}`;
}

function makeAddress(dice: Dice): Address {
  const digits = 1000 + dice.int(9000);
  const letters = String.fromCharCode(65 + dice.int(26), 65 + dice.int(26));
  const address: Address = {
    postcode: `${digits}${letters}`,
    houseNumber: 1 + dice.int(dice.chance(0.9) ? 200 : 2000),
    city: at(CITIES, Math.floor(((digits - 1000) * 26) / 9000)),
  };
  if (dice.chance(0.1)) address.houseLetter = String.fromCharCode(65 + dice.int(8));
  else if (dice.chance(0.08)) address.addition = dice.pick(['1', '2', '3', 'bis', 'hs']);
  return address;
}

function member(dice: Dice, name: NameSpellings, birthMs: number, adult: boolean): Member {
  return {
    bsn: dice.bsn(),
    name,
    initials: adult || dice.chance(0.5) ? dice.pick([...INITIALS]) : '',
    birthDate: isoDate(birthMs),
    adult,
  };
}

function familyName(dice: Dice): NameSpellings {
  return dice.chance(0.12) ? dice.pick(VARIOUS_NAMES) : dice.pick(DUTCH_NAMES);
}

/** A family is a pure function of the seed and its index, so none has to be kept. */
function makeFamily(seed: number, index: number, createdMs: number): Family {
  const dice = new Dice(prng(mix(seed, index)));
  const theme = dice.weighted(CATEGORIES_OF_MELDINGEN);
  const name = familyName(dice);
  const adults: Member[] = [];
  const children: Member[] = [];
  if (theme === 'OUDERENMISHANDELING') {
    adults.push(member(dice, name, createdMs - (66 + dice.int(25)) * YEAR, true));
    adults.push(member(dice, name, createdMs - (30 + dice.int(25)) * YEAR, true));
  } else {
    const parentAge = 20 + dice.int(30);
    adults.push(member(dice, name, createdMs - parentAge * YEAR - dice.int(365) * DAY, true));
    if (dice.chance(0.8)) {
      const partnerAge = parentAge - 5 + dice.int(11);
      adults.push(member(dice, familyName(dice), createdMs - partnerAge * YEAR, true));
    }
    const kids = theme === 'KINDERMISHANDELING' ? 1 + dice.int(4) : dice.int(4);
    for (let k = 0; k < kids; k++) {
      const age = dice.int(Math.min(17, parentAge - 18));
      children.push(member(dice, name, createdMs - age * YEAR - dice.int(365) * DAY, false));
    }
  }
  const address = makeAddress(dice);
  return {
    adults,
    children,
    theme,
    partners: theme === 'EX_PARTNERGEWELD' || dice.chance(0.2) ? 'EX_PARTNER' : 'PARTNER',
    address,
    region: regionOf(Number(address.postcode.slice(0, 4))),
  };
}

/** Shelters and briefadressen: one address each, at which families that never met are registered. */
function institutions(seed: number): Address[] {
  const dice = new Dice(prng(mix(seed, -1)));
  return Array.from({ length: 60 }, () => makeAddress(dice));
}

/** How the address is written this time: postcode spacing and case, a house letter in the addition field. */
function writtenAddress(address: Address, dice: Dice): Record<string, unknown> {
  const pc = address.postcode;
  const out: Record<string, unknown> = {
    postcode: dice.pick([pc, pc, `${pc.slice(0, 4)} ${pc.slice(4)}`, pc.toLowerCase()]),
    houseNumber: address.houseNumber,
  };
  if (address.houseLetter !== undefined) {
    if (dice.chance(0.4)) out.addition = address.houseLetter.toLowerCase();
    else out.houseLetter = address.houseLetter;
  }
  if (address.addition !== undefined) {
    out.addition = dice.chance(0.3) ? `-${address.addition}` : address.addition;
  }
  if (dice.chance(0.7)) out.city = address.city;
  return out;
}

/** A BSN with its check digit off by one: kept by the radar, ignored for identity, warned about. */
function mistyped(bsn: string): string {
  return bsn.slice(0, 8) + ((Number(bsn[8]) + 1) % 10);
}

/** The lines in arrival order; `stats`, when given, counts what was made. */
export function* nationalSignalLines(
  options: NationalOptions,
  stats: NationalStats = emptyStats(),
): Generator<string> {
  if (!(options.years > 0 && options.years <= MAX_YEARS)) {
    throw new RangeError(`years must be more than 0 and at most ${MAX_YEARS}`);
  }
  const seed = options.seed ?? 1;
  const perYear = options.linesPerYear ?? LINES_PER_YEAR;
  const total = nationalLineCount(options);
  const endMs = Date.parse(options.end ?? DEFAULT_END);
  const startMs = endMs - options.years * YEAR;
  const step = (endMs - startMs) / total;
  const dice = new Dice(prng(seed));
  const shelters = institutions(seed);

  /** Creation times of the families that may still come back, by index modulo the window. */
  const window = Math.max(16, Math.ceil(REPEAT_YEARS * perYear * (1 - REPEAT)));
  const createdAt = new Float64Array(window);
  let families = 0;
  let signalSeq = 0;
  let withdrawalSeq = 0;
  let malformedSeq = 0;
  const recentIds: string[] = [];
  const recentLines: string[] = [];
  /** Mistyped BSNs in the signal being made, counted once it is known to be a signal. */
  let invalidBsns = 0;
  /** The police signal being made names nobody by BSN, only by name and birth date. */
  let bsnless = false;
  const signalId = (seq: number): string => `S-${seq.toString(36).padStart(6, '0')}`;

  const newFamily = (nowMs: number): Family => {
    const index = families++;
    createdAt[index % window] = nowMs;
    return makeFamily(seed, index, nowMs);
  };
  const knownFamily = (): Family => {
    const reach = Math.min(families, window);
    const u = dice.random();
    const index = families - 1 - Math.floor(reach * u * u);
    return makeFamily(seed, index, at(createdAt, index % window));
  };

  const personJson = (
    m: Member,
    ref: number,
    role: string,
    kind: string,
  ): Record<string, unknown> => {
    const police = kind === 'POLITIE';
    const withBsn = !bsnless && dice.chance(police ? 0.9 : kind === 'MELDING' ? 0.95 : 0.75);
    const spelling = dice.chance(police ? 0.45 : 0.15)
      ? dice.pick(m.name.spellings)
      : at(m.name.spellings, 0);
    const person: Record<string, unknown> = { ref: String(ref) };
    if (withBsn) {
      if (dice.chance(INVALID_BSN)) {
        person.bsn = mistyped(m.bsn);
        invalidBsns++;
      } else {
        person.bsn = m.bsn;
      }
    }
    person.familyName = spelling;
    if (m.initials !== '') {
      person.initials = dice.pick([
        `${m.initials}.`,
        m.initials,
        `${m.initials}.${dice.pick([...INITIALS])}.`,
      ]);
    }
    if (police || kind === 'MELDING' || dice.chance(0.9)) person.birthDate = m.birthDate;
    person.role = role;
    return person;
  };

  /** A signal about a family; `counted` says whether it enters the stats as a signal of its kind. */
  const makeSignal = (id: string, receivedMs: number, counted = true): Record<string, unknown> => {
    invalidBsns = 0;
    const u = dice.random();
    const kind =
      u < ADVIESVRAAG ? 'ADVIESVRAAG' : u < ADVIESVRAAG + MELDING ? 'MELDING' : 'POLITIE';
    const police = kind === 'POLITIE';
    bsnless = police && dice.chance(POLICE_WITHOUT_BSN);
    let family: Family;
    let address: Address;
    let region: string;
    const shelter = dice.chance(SHELTER);
    if (shelter) {
      family = newFamily(receivedMs);
      address = dice.pick(shelters);
      region = regionOf(Number(address.postcode.slice(0, 4)));
    } else if (families > 0 && dice.chance(REPEAT)) {
      family = knownFamily();
      address = family.address;
      region = family.region;
    } else {
      family = newFamily(receivedMs);
      address = family.address;
      region = family.region;
    }

    let lagMs: number;
    if (kind === 'ADVIESVRAAG') lagMs = dice.int(2 * DAY);
    else if (kind === 'MELDING') lagMs = dice.int(10 * DAY);
    else if (dice.chance(0.04)) lagMs = (30 + dice.int(240)) * DAY + dice.int(DAY);
    else lagMs = 3_600_000 + dice.int(30 * DAY);
    const category = dice.chance(0.7) ? family.theme : dice.weighted(CATEGORIES_OF_MELDINGEN);

    const persons: Record<string, unknown>[] = [];
    const relations: Record<string, unknown>[] = [];
    const first = at(family.adults, 0);
    const second = family.adults[1];
    const aboutChildren = category === 'KINDERMISHANDELING' && family.children.length > 0;
    const adultRole = (i: number): string =>
      aboutChildren ? (i === 0 ? 'PLEGER' : 'BETROKKENE') : i === 0 ? 'SLACHTOFFER' : 'PLEGER';
    persons.push(personJson(first, 1, adultRole(0), kind));
    if (second !== undefined && dice.chance(0.75)) {
      persons.push(personJson(second, 2, adultRole(1), kind));
      relations.push({
        from: '1',
        to: '2',
        type: category === 'OUDERENMISHANDELING' ? 'OUDER_VAN' : family.partners,
      });
    }
    for (const child of family.children) {
      if (!aboutChildren && !dice.chance(0.5)) continue;
      const ref = persons.length + 1;
      persons.push(personJson(child, ref, aboutChildren ? 'SLACHTOFFER' : 'BETROKKENE', kind));
      relations.push({ from: '1', to: String(ref), type: 'OUDER_VAN' });
    }
    if (counted) {
      stats.invalidBsns += invalidBsns;
      if (police && persons.every((p) => p.bsn === undefined)) stats.policeWithoutBsn++;
      if (police && lagMs > 30 * DAY) stats.latePolice++;
      if (shelter) stats.shelterSignals++;
      if (kind === 'ADVIESVRAAG') stats.adviesvragen++;
      else if (kind === 'MELDING') stats.meldingen++;
      else stats.politie++;
    }

    const signal: Record<string, unknown> = {
      id,
      kind,
      occurredAt: timestamp(receivedMs - lagMs, dice),
      receivedAt: timestamp(receivedMs, dice),
      region,
      source: police
        ? 'POLITIE'
        : kind === 'MELDING' && dice.chance(2 / 3)
          ? 'POLITIE'
          : dice.pick(kind === 'ADVIESVRAAG' ? ADVICE_SOURCES : REPORT_SOURCES),
    };
    if (!police || dice.chance(0.5)) signal.category = category;
    const violence = VIOLENCE_BY_CATEGORY[category];
    if (violence === undefined) {
      throw new RadarError('VALUE_OUTSIDE_CONTRACT', `category ${category} has no violence types`);
    }
    signal.violenceTypes = dice.chance(0.3)
      ? [...new Set([dice.pick(violence), dice.pick(violence)])]
      : [dice.pick(violence)];
    if (kind === 'MELDING') {
      signal.safety = dice.weighted([
        ['ONBEKEND', 0.3],
        ['VEILIG', 0.35],
        ['ONVEILIG_STRUCTUREEL', 0.28],
        ['ONVEILIG_ACUUT', 0.07],
      ]);
    } else if (dice.chance(0.1)) {
      signal.safety = dice.pick(['ONBEKEND', 'ONVEILIG_STRUCTUREEL', 'ONVEILIG_ACUUT']);
    }
    if (police) {
      if (family.children.length > 0 && dice.chance(0.8)) signal.childrenPresent = true;
      if (dice.chance(0.2)) signal.substantiated = false;
    }
    signal.persons = persons;
    if (relations.length > 0) signal.relations = relations;
    if (shelter || dice.chance(0.85)) signal.address = writtenAddress(address, dice);
    if (dice.chance(UNKNOWN_FIELD)) {
      signal.nationaliteit = 'onbekend';
      if (counted) stats.unknownFields++;
    }
    return signal;
  };

  /** A signal the contract rejects, each way producers get it wrong. */
  const malformed = (receivedMs: number): string => {
    const id = `X-${(malformedSeq++).toString(36).padStart(5, '0')}`;
    const signal = makeSignal(id, receivedMs, false);
    const persons = signal.persons as Record<string, unknown>[];
    switch (dice.int(8)) {
      case 0: {
        const text = JSON.stringify(signal);
        return text.slice(0, 1 + dice.int(text.length - 2));
      }
      case 1:
        return dice.pick(['not json', '{}', '[]', 'null', '{"id":']);
      case 2:
        return JSON.stringify({ ...signal, kind: 'ONBEKEND_SOORT' });
      case 3:
        return JSON.stringify({ ...signal, region: 'VT27' });
      case 4:
        return JSON.stringify({ ...signal, occurredAt: '31-12-2023 10:00' });
      case 5:
        return JSON.stringify({ ...signal, persons: [] });
      case 6:
        return JSON.stringify({
          ...signal,
          persons: [...persons, { ...persons[0], role: 'PLEGER' }],
        });
      default:
        return JSON.stringify({
          ...signal,
          relations: [{ from: '1', to: String(persons.length + 7), type: 'PARTNER' }],
        });
    }
  };

  const remember = <T>(ring: T[], item: T): void => {
    if (ring.length === RECENT) ring[dice.int(RECENT)] = item;
    else ring.push(item);
  };

  for (let n = 0; n < total; n++) {
    const receivedMs = startMs + (n + dice.random()) * step;
    const u = dice.random();
    let line: string;
    if (u < MALFORMED) {
      line = malformed(receivedMs);
      stats.malformed++;
    } else if (u < MALFORMED + CONFLICT && recentIds.length > 0) {
      line = JSON.stringify(makeSignal(dice.pick(recentIds), receivedMs, false));
      stats.conflicts++;
    } else if (u < MALFORMED + CONFLICT + REDELIVERY && recentLines.length > 0) {
      line = dice.pick(recentLines);
      stats.redeliveries++;
    } else if (u < MALFORMED + CONFLICT + REDELIVERY + WITHDRAWAL && recentIds.length > 0) {
      const ahead = dice.chance(WITHDRAWAL_AHEAD);
      const target = ahead ? signalId(signalSeq + 1 + dice.int(40)) : dice.pick(recentIds);
      line = JSON.stringify({
        id: `W-${(withdrawalSeq++).toString(36).padStart(5, '0')}`,
        kind: 'INTREKKING',
        receivedAt: timestamp(receivedMs, dice),
        retracts: [target],
      });
      stats.withdrawals++;
      if (ahead) stats.withdrawalsAhead++;
      remember(recentLines, line);
    } else {
      const familiesBefore = families;
      const id = signalId(signalSeq++);
      line = JSON.stringify(makeSignal(id, receivedMs));
      if (families === familiesBefore) stats.repeats++;
      remember(recentIds, id);
      remember(recentLines, line);
    }
    stats.lines++;
    yield line;
  }
}

/** How many lines `nationalSignalLines` yields for these options. */
export function nationalLineCount(options: NationalOptions): number {
  return Math.round(options.years * (options.linesPerYear ?? LINES_PER_YEAR));
}
