/**
 * Corruption that LevelDB reports outside the start's check, here while
 * `radar export` reads every household, ends `radar` with exit status 3 and
 * the way out, as a damaged directory at start does.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { EXIT_STORE_DAMAGED } from '../../src/cli/main.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../backtest/run-cli.js';
import { household } from '../store/samples.js';
import { tempDir } from '../store/temp-dir.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => cleanup?.());

it('exits 3 with STORE_CORRUPT and `radar rebuild` when a table file is garbled', async () => {
  const dir = await tempDir();
  cleanup = dir.remove;
  const store = await openStore({ dataDir: dir.path, sync: false });
  await store.write({
    householdsPut: Array.from({ length: 200 }, (_, i) => household(`H-${i}`, [`S-${i}`])),
  });
  await store.close();
  // Opened again, LevelDB turns its log into a table file.
  await (await openStore({ dataDir: dir.path, sync: false })).close();
  const tables = (await readdir(dir.path)).filter((n) => n.endsWith('.ldb'));
  expect(tables.length).toBeGreaterThan(0);
  for (const table of tables) {
    const path = join(dir.path, table);
    await writeFile(path, Buffer.alloc((await stat(path)).size, 0x5a));
  }

  const result = await runCli(['export', '--data', dir.path]);
  expect(result.code).toBe(EXIT_STORE_DAMAGED);
  expect(result.stderr).toContain('STORE_CORRUPT');
  expect(result.stderr).toContain('radar rebuild --config');
});
