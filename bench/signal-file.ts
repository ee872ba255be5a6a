import { once } from 'node:events';
import {
  appendFileSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
} from 'node:fs';
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

/** The same signals delivered twice over: every line of the second half is an exact redelivery. */
export function ensureTwiceDelivered(file: string): string {
  const twice = file.replace(/\.ndjson$/, '-twice.ndjson');
  if (existsSync(twice)) return twice;
  copyFileSync(file, `${twice}.part`);
  appendFileSync(`${twice}.part`, readFileSync(file));
  renameSync(`${twice}.part`, twice);
  return twice;
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
