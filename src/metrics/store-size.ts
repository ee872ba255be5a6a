import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes the files under `dir` take, followed into subdirectories. A file
 * LevelDB compacts away between listing and `stat` counts as nothing; a
 * directory that does not exist (yet) as zero.
 */
export async function directoryBytes(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isGone(error)) return 0;
    throw error;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      total += await directoryBytes(path);
    } else if (entry.isFile()) {
      try {
        total += (await stat(path)).size;
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    }
  }
  return total;
}

function isGone(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
