import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATOR_VERSION, generateSignalLines } from '../src/synthetic/generate.js';
import { execFileSync } from 'node:child_process';

/** A cached synthetic signal file of `count` lines; generated once per count. */
export function ensureSignalFile(count: number): string {
  const dir = join(tmpdir(), 'radar-bench');
  const file = join(dir, `signals-v${GENERATOR_VERSION}-${count}.ndjson`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  // Generated in a child so the generator's memory never counts against a measurement.
  execFileSync(
    process.execPath,
    [new URL('./write-signal-file.js', import.meta.url).pathname, String(count), `${file}.part`],
    {
      stdio: 'inherit',
    },
  );
  renameSync(`${file}.part`, file);
  return file;
}

export async function writeSignalFile(count: number, path: string): Promise<void> {
  const out = createWriteStream(path);
  let buffer = '';
  for (const line of generateSignalLines({ count })) {
    buffer += line + '\n';
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}
