/**
 * National history files for the benchmark, made once per generator
 * version, seed and size and kept under bench/.data/ (gitignored). Beside
 * each file a small JSON sidecar holds what the generator counted and BSNs
 * known to be in the data, for the API load.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import {
  emptyStats,
  LINES_PER_YEAR,
  NATIONAL_GENERATOR_VERSION,
  nationalSignalLines,
  type NationalOptions,
  type NationalStats,
} from '../../src/synthetic/national.js';
import { isValidBsn } from '../../src/signals/bsn.js';
import { DIST_BENCH, ROOT, runNode } from './children.js';

export interface NationalFile {
  path: string;
  bytes: number;
  stats: NationalStats;
  /** Valid BSNs of persons named in meldingen, a sample spread over the history. */
  bsns: string[];
}

const BSN_SAMPLE = 2000;

export function dataDir(): string {
  return join(ROOT, 'bench', '.data');
}

function fileName(options: NationalOptions): string {
  return `national-v${NATIONAL_GENERATOR_VERSION}-seed${options.seed ?? 1}-${options.linesPerYear ?? LINES_PER_YEAR}x${options.years}y.ndjson`;
}

/** The file for these options, generated in a child process the first time. */
export async function ensureNationalFile(options: NationalOptions): Promise<NationalFile> {
  mkdirSync(dataDir(), { recursive: true });
  const path = join(dataDir(), fileName(options));
  if (!existsSync(`${path}.json`)) {
    await runNode(
      [join(DIST_BENCH, 'national', 'write-national-file.js'), JSON.stringify(options), path],
      new AbortController().signal,
    );
  }
  const sidecar = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Omit<NationalFile, 'path'>;
  // The history carries BSNs that fail the elfproef, as real streams do; a
  // case system asking for one gets INVALID_ARGUMENT, not an answer to measure.
  return { path, ...sidecar, bsns: sidecar.bsns.filter(isValidBsn) };
}

/** Streams the history to `path` and writes its sidecar last, so a half-made file is never taken for done. */
export async function writeNationalFile(options: NationalOptions, path: string): Promise<void> {
  const stats = emptyStats();
  const out = createWriteStream(`${path}.part`);
  const bsns: string[] = [];
  let seen = 0;
  let bytes = 0;
  let buffer = '';
  for (const line of nationalSignalLines(options, stats)) {
    buffer += line + '\n';
    if (line.startsWith('{"id":"S-') && line.includes('"kind":"MELDING"')) {
      const bsn = /"bsn":"(\d{9})"/.exec(line)?.[1];
      // Reservoir sampling with a hash for dice: a sample spread over the whole history.
      if (bsn !== undefined && ++seen <= BSN_SAMPLE) bsns.push(bsn);
      else if (bsn !== undefined) {
        const at = (Math.imul(seen, 0x9e3779b1) >>> 0) % seen;
        if (at < BSN_SAMPLE) bsns[at] = bsn;
      }
    }
    if (buffer.length > 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, 'finish');
  renameSync(`${path}.part`, path);
  const sidecar = { bytes, stats, bsns };
  const side = createWriteStream(`${path}.json.part`);
  side.end(JSON.stringify(sidecar));
  await once(side, 'finish');
  renameSync(`${path}.json.part`, `${path}.json`);
}
