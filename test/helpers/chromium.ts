/**
 * Debian's headless Chromium for the tests that open a page, fetched the way
 * the Kafka tests fetch their jars: when `/usr/bin/chromium` is missing it is
 * installed with apt-get (as root, or through `sudo -n`), and when that
 * cannot be done the error says what to install.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const CHROMIUM = '/usr/bin/chromium';

function aptGet(args: string[]): { ok: boolean; output: string } {
  const asRoot = process.getuid?.() === 0;
  const [command, ...rest] = asRoot ? ['apt-get', ...args] : ['sudo', '-n', 'apt-get', ...args];
  const result = spawnSync(command, rest, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 900_000,
  });
  return {
    ok: result.status === 0,
    output: `${result.error?.message ?? ''}${result.stdout ?? ''}${result.stderr ?? ''}`,
  };
}

/** The path of a headless Chromium, installing Debian's package first when it is missing. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  console.log(`[chromium] ${CHROMIUM} is missing: apt-get install -y chromium`);
  let install = aptGet(['install', '-y', '--no-install-recommends', 'chromium']);
  if (!install.ok) {
    // A fresh machine may not have read the package lists yet.
    aptGet(['update']);
    install = aptGet(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (!install.ok || !existsSync(CHROMIUM)) {
    throw new Error(
      `The report's browser test needs Debian's chromium at ${CHROMIUM} and could not install it ` +
        `(apt-get install -y chromium, as root or with passwordless sudo): ${install.output.slice(-2000)}`,
    );
  }
  return CHROMIUM;
}

export interface OpenedPage {
  /** The DOM once the page has loaded and its scripts have run. */
  dom: string;
  /** Every message the page logged to its console, errors, warnings and refused loads included. */
  console: string[];
  /** The URLs other than `file:` and `data:` the page asked for (the browser's own requests left out). */
  network: string[];
}

interface NetLog {
  events: { params?: { url?: string; network_isolation_key?: string } }[];
}

/**
 * The requests of a page opened from a file: those the browser made on
 * behalf of a `file://` top frame (its network isolation key), as the
 * browser also calls out for itself (updates, time, accounts).
 */
function pageRequests(netLog: string): string[] {
  // Written as the browser exits; should it not finish, the event list lacks its close.
  let log: NetLog;
  try {
    log = JSON.parse(netLog) as NetLog;
  } catch {
    log = JSON.parse(`${netLog.replace(/,?\s*$/, '')}]}`) as NetLog;
  }
  const urls = new Set<string>();
  for (const { params } of log.events) {
    const url = params?.url;
    if (url === undefined || /^(file|data):/.test(url)) continue;
    if (params?.network_isolation_key?.startsWith('file://')) urls.add(url);
  }
  return [...urls];
}

/**
 * Opens a local file in headless Chromium with no network at all (every
 * host name fails to resolve) and returns its DOM, its console and the
 * requests it made.
 */
export async function openHeadless(chromium: string, file: string): Promise<OpenedPage> {
  const dir = await mkdtemp(join(tmpdir(), 'radar-chromium-'));
  const netLog = join(dir, 'net-log.json');
  try {
    const { stdout, stderr } = await promisify(execFile)(
      chromium,
      [
        '--headless',
        '--disable-gpu',
        '--no-sandbox',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--host-resolver-rules=MAP * ~NOTFOUND',
        `--log-net-log=${netLog}`,
        '--enable-logging=stderr',
        '--v=0',
        '--dump-dom',
        `file://${file}`,
      ],
      { timeout: 120_000, maxBuffer: 64 << 20 },
    );
    return {
      dom: stdout,
      console: stderr.split('\n').filter((line) => line.includes(':CONSOLE')),
      network: pageRequests(await readFile(netLog, 'utf8')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
