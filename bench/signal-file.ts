import { once } from 'node:events';
import {
  appendFileSync,
  copyFileSync,
  createReadStream,
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
import { createInterface } from 'node:readline';

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

/**
 * The generator's family names as people with names from elsewhere write
 * them: most roots carry a diacritic or one of the letters the contract
 * transliterates, some are other names altogether, `van der` is sometimes
 * `van ’t`, and initials A and S are Å and Ş. Each root keeps its own
 * spelling, so the families and households are those of the plain file.
 */
const DIACRITIC_ROOTS: readonly (readonly [string, string])[] = [
  ['Vries', 'Vriës'],
  ['Jans', 'Jåns'],
  ['Berg', 'Bérg'],
  ['Bakk', 'Bäkk'],
  ['Viss', 'Wiśniewsk'],
  ['Smit', 'Śmit'],
  ['Meij', 'Męij'],
  ['Boer', 'Böer'],
  ['Muld', 'Müld'],
  ['Yilm', 'Yılmaz'],
  ['Amran', 'Amrän'],
  ['Dijk', 'Dıjk'],
  ['Hoek', 'Høek'],
  ['Kok', 'Çelik'],
  ['Wit', 'Zoë'],
  ['Leeuw', 'Łeeuw'],
  ['Graaf', 'Gräaf'],
  ['Veen', 'Veën'],
  ['Vos', 'Öztürk'],
  ['Sant', 'Şant'],
];

function withDiacritics(line: string): string {
  let out = line;
  for (const [plain, spelled] of DIACRITIC_ROOTS) out = out.replaceAll(plain, spelled);
  return out
    .replaceAll('"van der ', '"van ’t ')
    .replaceAll(', van der"', ', van ’t"')
    .replaceAll('"initials":"A.', '"initials":"Å.')
    .replaceAll('"initials":"S.', '"initials":"Ş.');
}

/** `file` with its names written with diacritics (`withDiacritics`); made once. */
export function ensureDiacriticSignalFile(file: string): string {
  const spelled = file.replace(/\.ndjson$/, '-diacritics.ndjson');
  if (existsSync(spelled)) return spelled;
  execFileSync(
    process.execPath,
    [
      new URL('./write-signal-file.js', import.meta.url).pathname,
      '--diacritics',
      file,
      `${spelled}.part`,
    ],
    { stdio: 'inherit' },
  );
  renameSync(`${spelled}.part`, spelled);
  return spelled;
}

export async function writeDiacriticSignalFile(from: string, path: string): Promise<void> {
  const out = createWriteStream(path);
  for await (const line of createInterface({
    input: createReadStream(from),
    crlfDelay: Infinity,
  })) {
    if (!out.write(withDiacritics(line) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
