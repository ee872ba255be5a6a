/**
 * The start's check on real LevelDB directories: a first start makes a
 * marked store; a store whose CURRENT is gone, whose table is garbled or
 * missing, or whose newest log lost its tail is STORE_DAMAGED; no store while
 * the group has committed offsets is STORE_MISSING; and none of them changes
 * a byte of the directory.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCheckedStore } from '../../src/service/checked-store.js';
import { STORE_FORMAT, type Committed } from '../../src/service/store-check.js';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../store/temp-dir.js';

const dirs: { remove: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await d.remove();
});

async function freshDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir.path;
}

function check(dataDir: string, committed: Committed = new Map()) {
  return openCheckedStore({
    dataDir,
    sync: false,
    groupId: 'radar',
    committed: () => Promise.resolve(committed),
  });
}

/** A store as `radar serve` leaves it: marked, positions at 10 on one partition, in a table file. */
async function servedStore(dataDir: string): Promise<void> {
  const store = await check(dataDir);
  await store.write({ marks: { fold: '2' }, offsets: new Map([['t:0', '4']]) });
  await store.close();
  // Opened again, LevelDB turns its log into a table file.
  const again = await check(dataDir);
  await again.write({ offsets: new Map([['t:0', '10']]), counters: { accepted: 10 } });
  await again.close();
}

/** Every file's name, size and digest: what "nothing was changed" means. */
async function fingerprint(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n !== 'LOCK' && !n.startsWith('LOG'));
  return Promise.all(
    names.sort().map(async (n) => {
      const bytes = await readFile(join(dir, n));
      return `${n} ${bytes.length} ${createHash('sha256').update(bytes).digest('hex')}`;
    }),
  );
}

/**
 * Refused, and the directory kept: byte for byte when LevelDB cannot open it;
 * when it can, its opening turns the log into a table as at every start, so
 * then every table that was there is still there, unchanged.
 */
async function expectRefused(
  dataDir: string,
  code: string,
  committed?: Committed,
  kept: 'exactly' | 'tables' = 'exactly',
) {
  const before = await fingerprint(dataDir).catch(() => undefined);
  const error: unknown = await check(dataDir, committed).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toContain(dataDir);
  expect((error as Error).message).toContain('radar rebuild');
  const after = await fingerprint(dataDir).catch(() => undefined);
  if (kept === 'exactly') expect(after).toEqual(before);
  else
    expect(after).toEqual(expect.arrayContaining(before?.filter((f) => f.includes('.ldb ')) ?? []));
}

const committedTen: Committed = new Map([['t:0', 10n]]);

describe('openCheckedStore', () => {
  it('makes a marked store on a first start, absent directory or empty', async () => {
    const parent = await freshDir();
    for (const dataDir of [join(parent, 'absent'), await freshDir()]) {
      const store = await check(dataDir);
      expect(await store.marks()).toEqual({ store: STORE_FORMAT });
      await store.close();
    }
  });

  it('resumes from a store it made, and marks one made before the mark', async () => {
    const dataDir = await freshDir();
    await servedStore(dataDir);
    const resumed = await check(dataDir, committedTen);
    expect(await resumed.offsets()).toEqual(new Map([['t:0', '10']]));
    await resumed.close();

    const old = await freshDir();
    const store = await openStore({ dataDir: old, sync: false });
    await store.write({ offsets: new Map([['t:0', '3']]) });
    await store.close();
    const adopted = await check(old, new Map([['t:0', 3n]]));
    expect((await adopted.marks()).store).toBe(STORE_FORMAT);
    await adopted.close();
  });

  it('STORE_MISSING: no store, or an empty directory, while the group has committed offsets', async () => {
    const parent = await freshDir();
    await expectRefused(join(parent, 'gone'), 'STORE_MISSING', committedTen);
    await expect(stat(join(parent, 'gone'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expectRefused(await freshDir(), 'STORE_MISSING', committedTen);
  });

  it('STORE_DAMAGED: CURRENT deleted', async () => {
    const dataDir = await freshDir();
    await servedStore(dataDir);
    await rm(join(dataDir, 'CURRENT'));
    await expectRefused(dataDir, 'STORE_DAMAGED', committedTen);
    await expectRefused(dataDir, 'STORE_DAMAGED');
  });

  it('STORE_DAMAGED: CURRENT names a manifest that is gone', async () => {
    const dataDir = await freshDir();
    await servedStore(dataDir);
    const manifest = (await readFile(join(dataDir, 'CURRENT'), 'utf8')).trim();
    await rm(join(dataDir, manifest));
    await expectRefused(dataDir, 'STORE_DAMAGED', committedTen);
  });

  it('STORE_DAMAGED: a table file garbled, or deleted', async () => {
    for (const harm of ['garble', 'delete'] as const) {
      const dataDir = await freshDir();
      await servedStore(dataDir);
      const tables = (await readdir(dataDir)).filter((n) => n.endsWith('.ldb'));
      expect(tables.length).toBeGreaterThan(0);
      const newest = join(dataDir, tables.sort().at(-1) ?? '');
      if (harm === 'delete') await rm(newest);
      else await writeFile(newest, Buffer.alloc((await stat(newest)).size, 0x5a));
      await expectRefused(
        dataDir,
        'STORE_DAMAGED',
        committedTen,
        harm === 'delete' ? 'exactly' : 'tables',
      );
    }
  });

  it('STORE_DAMAGED: the newest log cut short, losing writes the group had committed', async () => {
    const dataDir = await freshDir();
    await servedStore(dataDir);
    const logs = (await readdir(dataDir)).filter((n) => n.endsWith('.log')).sort();
    const newest = join(dataDir, logs.at(-1) ?? '');
    expect((await stat(newest)).size).toBeGreaterThan(0);
    await truncate(newest, Math.floor((await stat(newest)).size / 2));
    await expectRefused(dataDir, 'STORE_DAMAGED', committedTen, 'tables');
  });

  it('keeps STORE_LOCKED for a store another store holds open', async () => {
    const dataDir = await freshDir();
    const holder = await check(dataDir);
    try {
      await expect(check(dataDir)).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    } finally {
      await holder.close();
    }
  });
});
