/**
 * Linking person records by name key and first initial, from the records'
 * own arrays: what a backtest's worker does while its main thread groups by
 * BSN. The households property tests hold the whole of forming to the
 * incremental index; these pin the name rules down one by one.
 */
import { describe, expect, it } from 'vitest';
import { BacktestWorkers } from '../../src/backtest/workers.js';
import { linkNames, type NameRecords } from '../../src/graph/name-links.js';
import { UnionFind } from '../../src/graph/union-find.js';

interface Entry {
  name: string;
  initial?: string;
  bsn?: number;
  /** A hash of the test's choosing, to make two names collide. */
  hash?: number;
}

/** Entry j is record 100 + j, the columns indexed by record, so that a link given as an entry index would show. */
function nameRecords(entries: readonly Entry[]): NameRecords {
  const size = FIRST + entries.length;
  const units: number[] = [];
  const names = {
    records: Int32Array.from(entries, (_, j) => FIRST + j),
    bsns: new Int32Array(size).fill(-1),
    initials: new Int32Array(size).fill(-1),
    hashes: new Uint32Array(size),
    starts: new Int32Array(size).fill(-1),
    ends: new Int32Array(size).fill(-1),
  };
  entries.forEach((e, j) => {
    const r = FIRST + j;
    if (e.bsn !== undefined) names.bsns[r] = e.bsn;
    if (e.initial !== undefined) names.initials[r] = e.initial.charCodeAt(0) - 0x61;
    names.hashes[r] = e.hash ?? e.name.length;
    names.starts[r] = units.length;
    for (const c of e.name) units.push(c.charCodeAt(0));
    names.ends[r] = units.length;
  });
  return { ...names, units: Uint16Array.from(units) };
}

const FIRST = 100;

/** The persons the links make, as sets of entry indexes, in a canonical order. */
function persons(entries: readonly Entry[]): number[][] {
  const links = linkNames(nameRecords(entries));
  const sets = new UnionFind(entries.length);
  for (let k = 0; k < links.length; k += 2) sets.union(links[k]! - FIRST, links[k + 1]! - FIRST);
  const byRoot = new Map<number, number[]>();
  entries.forEach((_, j) => byRoot.set(sets.find(j), [...(byRoot.get(sets.find(j)) ?? []), j]));
  return [...byRoot.values()].sort((a, b) => a[0]! - b[0]!);
}

describe('linkNames', () => {
  it('links records with one name key by first initial', () => {
    expect(
      persons([
        { name: 'jansen', initial: 'p' },
        { name: 'jansen', initial: 'q' },
        { name: 'jansen', initial: 'p' },
        { name: 'bakker', initial: 'p' },
      ]),
    ).toEqual([[0, 2], [1], [3]]);
  });

  it('joins a record without initials to its whole name group', () => {
    expect(
      persons([
        { name: 'jansen', initial: 'p' },
        { name: 'jansen', initial: 'q' },
        { name: 'jansen' },
      ]),
    ).toEqual([[0, 1, 2]]);
  });

  it('tells apart two names with one hash by their keys', () => {
    expect(
      persons([
        { name: 'jansen', initial: 'p', hash: 7 },
        { name: 'bakker', initial: 'p', hash: 7 },
        { name: 'jansen', initial: 'p', hash: 7 },
      ]),
    ).toEqual([[0, 2], [1]]);
  });

  it('turns name matching off for a name seen with two valid BSNs', () => {
    expect(
      persons([
        { name: 'jansen', initial: 'p', bsn: 111222333 },
        { name: 'jansen', initial: 'p', bsn: 111222345 },
        { name: 'jansen', initial: 'p' },
      ]),
    ).toEqual([[0], [1], [2]]);
    expect(
      persons([
        { name: 'jansen', initial: 'p', bsn: 111222333 },
        { name: 'jansen', initial: 'p', bsn: 111222333 },
        { name: 'jansen', initial: 'p' },
      ]),
    ).toEqual([[0, 1, 2]]);
  });
});

describe('BacktestWorkers.linkNames', () => {
  it('links in a worker what linkNames links here', async () => {
    const entries = Array.from({ length: 2000 }, (_, j) => ({
      name: `n${j % 300}`,
      ...(j % 7 === 0 ? {} : { initial: String.fromCharCode(0x61 + (j % 5)) }),
      ...(j % 11 === 0 ? { bsn: 100000000 + (j % 3) } : {}),
      hash: j % 250,
    }));
    const here = linkNames(nameRecords(entries));
    expect(here.length).toBeGreaterThan(500);
    const workers = new BacktestWorkers(1);
    try {
      expect(await workers.linkNames(nameRecords(entries))).toEqual(here);
    } finally {
      await workers.close();
    }
  });
});
