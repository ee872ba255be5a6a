/**
 * The verdicts on a data directory at start, from the facts alone: which
 * directories are a first start, which a lost or damaged store, and that no
 * message quotes more of LevelDB's text than its kind and a file name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dirContents,
  judgeDir,
  judgeStore,
  levelDbFault,
  partitionsBehind,
  STORE_FORMAT,
  type StoreFacts,
} from '../../src/service/store-check.js';

const DIR = '/var/lib/radar';
const GROUP = 'radar';
const none = new Map<string, bigint>();
const committed = new Map([['radar.meldingen:0', 12n]]);

function facts(overrides: Partial<StoreFacts> = {}): StoreFacts {
  return {
    marks: { store: STORE_FORMAT, fold: '2' },
    positions: new Map([['radar.meldingen:0', '12']]),
    lastSequence: 3,
    counters: { accepted: 10 },
    ...overrides,
  };
}

describe('dirContents', () => {
  it('tells a store, a store without CURRENT, an empty and an absent directory apart', () => {
    expect(dirContents(undefined)).toBe('absent');
    expect(dirContents([])).toBe('none');
    expect(dirContents(['signals.ndjson', 'notes'])).toBe('none');
    expect(dirContents(['CURRENT', 'LOCK', 'LOG', 'MANIFEST-000002', '000003.log'])).toBe('store');
    expect(dirContents(['LOCK', 'LOG', 'MANIFEST-000002', '000005.ldb'])).toBe('headless');
    expect(dirContents(['000007.log'])).toBe('headless');
    // A first open killed before LevelDB made its manifest current: nothing was stored.
    expect(dirContents(['LOCK', 'LOG'])).toBe('unborn');
    expect(dirContents(['LOCK', 'LOG', 'MANIFEST-000001', '000001.dbtmp'])).toBe('unborn');
  });
});

describe('judgeDir', () => {
  it('opens a store whatever the group has committed', () => {
    expect(judgeDir(DIR, 'store', committed, GROUP)).toEqual({ action: 'open' });
    expect(judgeDir(DIR, 'store', none, GROUP)).toEqual({ action: 'open' });
  });

  it('makes a store on a first start: no store and no committed offsets', () => {
    expect(judgeDir(DIR, 'absent', none, GROUP)).toEqual({ action: 'create' });
    expect(judgeDir(DIR, 'none', none, GROUP)).toEqual({ action: 'create' });
    // A first start killed while LevelDB made the store leaves a lock and a log: made anew.
    expect(judgeDir(DIR, 'unborn', none, GROUP)).toEqual({ action: 'create' });
  });

  it('says STORE_MISSING for a store never made while the group has committed offsets', () => {
    const verdict = judgeDir(DIR, 'unborn', committed, GROUP);
    expect(verdict.action === 'fail' && verdict.error.code).toBe('STORE_MISSING');
  });

  it('stops with STORE_MISSING when the group has committed offsets but there is no store', () => {
    for (const contents of ['absent', 'none'] as const) {
      const verdict = judgeDir(DIR, contents, committed, GROUP);
      expect(verdict.action).toBe('fail');
      if (verdict.action !== 'fail') return;
      expect(verdict.error.code).toBe('STORE_MISSING');
      expect(verdict.error.message).toContain(DIR);
      expect(verdict.error.message).toContain('radar rebuild --config');
    }
  });

  it('stops with STORE_DAMAGED on LevelDB files without CURRENT, first start or not', () => {
    for (const c of [none, committed]) {
      const verdict = judgeDir(DIR, 'headless', c, GROUP);
      expect(verdict.action === 'fail' && verdict.error.code).toBe('STORE_DAMAGED');
    }
  });
});

describe('judgeStore', () => {
  it('resumes from a marked store not behind the group', () => {
    expect(judgeStore(DIR, facts(), committed, GROUP)).toEqual({ action: 'resume' });
    expect(judgeStore(DIR, facts(), none, GROUP)).toEqual({ action: 'resume' });
  });

  it('marks a store from before the format mark, and makes an empty one as new', () => {
    expect(judgeStore(DIR, facts({ marks: { fold: '2' } }), committed, GROUP)).toEqual({
      action: 'mark',
    });
    const empty = facts({ marks: {}, positions: new Map(), lastSequence: 0, counters: {} });
    expect(judgeStore(DIR, empty, none, GROUP)).toEqual({ action: 'create' });
  });

  it('calls an empty store damaged when the group has committed offsets', () => {
    const empty = facts({ marks: {}, positions: new Map(), lastSequence: 0, counters: {} });
    const verdict = judgeStore(DIR, empty, committed, GROUP);
    expect(verdict.action === 'fail' && verdict.error.code).toBe('STORE_DAMAGED');
  });

  it('calls a store behind the group damaged, naming the partitions', () => {
    const verdict = judgeStore(
      DIR,
      facts({ positions: new Map([['radar.meldingen:0', '11']]) }),
      committed,
      GROUP,
    );
    expect(verdict.action).toBe('fail');
    if (verdict.action !== 'fail') return;
    expect(verdict.error.code).toBe('STORE_DAMAGED');
    expect(verdict.error.message).toContain('radar.meldingen:0');
  });

  it('refuses a store of an unknown format', () => {
    const verdict = judgeStore(DIR, facts({ marks: { store: '99' } }), none, GROUP);
    expect(verdict.action === 'fail' && verdict.error.code).toBe('STORE_DAMAGED');
  });
});

describe('partitionsBehind', () => {
  it('names exactly the partitions whose committed offset is past the stored position', () => {
    const partition = fc.constantFrom('a:0', 'a:1', 'b:0', 'b:2');
    fc.assert(
      fc.property(
        fc.dictionary(partition, fc.bigInt({ min: 0n, max: 50n })),
        fc.dictionary(partition, fc.bigInt({ min: 0n, max: 50n })),
        (stored, group) => {
          const positions = new Map(Object.entries(stored).map(([k, v]) => [k, String(v)]));
          const c = new Map(Object.entries(group));
          const behind = partitionsBehind(positions, c);
          for (const [p, offset] of c) expect(behind.includes(p)).toBe((stored[p] ?? 0n) < offset);
          expect(behind.every((p) => c.has(p))).toBe(true);
        },
      ),
    );
  });
});

describe('levelDbFault', () => {
  it('keeps the kind of failure and the file, nothing else of the text', () => {
    expect(levelDbFault('Corruption: 1 missing files; e.g.: /d/000005.ldb')).toBe(
      'Corruption in 000005.ldb',
    );
    expect(levelDbFault('IO error: /d/MANIFEST-000002: No such file or directory')).toBe(
      'IO error in MANIFEST-000002',
    );
    expect(levelDbFault('Corruption: bad block contents')).toBe('Corruption');
    fc.assert(
      fc.property(fc.string(), fc.string(), (prefix, rest) => {
        expect(levelDbFault(`${prefix}: ${rest}`)).toMatch(
          /^(Corruption|IO error|NotFound|Invalid argument|failure)( in (MANIFEST-\d+|\d+\.(ldb|sst|log)|CURRENT))?$/,
        );
      }),
    );
  });
});
