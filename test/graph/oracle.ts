/**
 * CONTRACT §2 read literally, for tests only: pairwise "same person" and
 * "same address within 365 days" over all signals at once, O(n²), no
 * incremental cleverness. The incremental index must always agree with it.
 */
import { addressKey, firstInitial, normalizeFamilyName } from '../../src/graph/normalize.js';
import { isValidBsn } from '../../src/signals/bsn.js';
import type { Signal } from '../../src/signals/types.js';

export interface OracleOptions {
  institutionalAddresses?: string[];
  institutionalPersonThreshold?: number;
}

export interface OracleHousehold {
  signalIds: string[];
  personCount: number;
}

interface Rec {
  signalIndex: number;
  bsn: string | undefined;
  nameKey: string | undefined;
  initial: string | undefined;
}

function components(n: number, linked: (a: number, b: number) => boolean): number[] {
  const label = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => (label[x] === x ? x : (label[x] = find(label[x]!)));
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) if (linked(a, b)) label[find(a)] = find(b);
  }
  return label.map((_, i) => find(i));
}

export function householdsFromScratch(
  all: readonly Signal[],
  options: OracleOptions = {},
): OracleHousehold[] {
  const retracted = new Set(all.flatMap((s) => s.retracts));
  const signals = all.filter((s) => s.kind !== 'INTREKKING' && !retracted.has(s.id));
  const recs: Rec[] = [];
  signals.forEach((s, signalIndex) => {
    for (const p of s.persons) {
      const name = p.familyName === undefined ? '' : normalizeFamilyName(p.familyName);
      recs.push({
        signalIndex,
        bsn: p.bsn !== undefined && isValidBsn(p.bsn) ? p.bsn : undefined,
        nameKey: name !== '' && p.birthDate !== undefined ? `${name}|${p.birthDate}` : undefined,
        initial: firstInitial(p.initials),
      });
    }
  });
  const bsnsOfName = new Map<string, Set<string>>();
  for (const r of recs) {
    if (r.nameKey !== undefined && r.bsn !== undefined) {
      const set = bsnsOfName.get(r.nameKey) ?? new Set();
      set.add(r.bsn);
      bsnsOfName.set(r.nameKey, set);
    }
  }
  const person = components(recs.length, (i, j) => {
    const a = recs[i]!;
    const b = recs[j]!;
    if (a.bsn !== undefined && a.bsn === b.bsn) return true;
    if (a.bsn !== undefined && b.bsn !== undefined && a.bsn !== b.bsn) return false;
    if (a.nameKey === undefined || a.nameKey !== b.nameKey) return false;
    if ((bsnsOfName.get(a.nameKey)?.size ?? 0) >= 2) return false;
    return a.initial === undefined || b.initial === undefined || a.initial === b.initial;
  });

  const keys = signals.map((s) => addressKey(s.address));
  const personsAt = new Map<string, Set<number>>();
  recs.forEach((r, i) => {
    const key = keys[r.signalIndex];
    if (key === undefined) return;
    const set = personsAt.get(key) ?? new Set();
    set.add(person[i]!);
    personsAt.set(key, set);
  });
  const threshold = options.institutionalPersonThreshold ?? 12;
  const configured = new Set(options.institutionalAddresses ?? []);
  const institutional = (key: string): boolean =>
    configured.has(key) || personsAt.get(key)!.size > threshold;
  const times = signals.map((s) => Date.parse(s.occurredAt!));
  const personsOfSignal = signals.map(() => new Set<number>());
  recs.forEach((r, i) => personsOfSignal[r.signalIndex]!.add(person[i]!));

  const household = components(signals.length, (a, b) => {
    for (const p of personsOfSignal[a]!) if (personsOfSignal[b]!.has(p)) return true;
    const key = keys[a];
    return (
      key !== undefined &&
      key === keys[b] &&
      !institutional(key) &&
      Math.abs(times[a]! - times[b]!) <= 365 * 24 * 3600 * 1000
    );
  });
  const byLabel = new Map<number, number[]>();
  household.forEach((label, i) => byLabel.set(label, [...(byLabel.get(label) ?? []), i]));
  return [...byLabel.values()]
    .map((members) => ({
      signalIds: members.map((i) => signals[i]!.id).sort(),
      personCount: new Set(members.flatMap((i) => [...personsOfSignal[i]!])).size,
    }))
    .sort((a, b) => (a.signalIds[0]! < b.signalIds[0]! ? -1 : 1));
}
