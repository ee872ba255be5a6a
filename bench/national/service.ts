/**
 * `radar serve` as operators run it, driven only from outside: its own
 * process with a settings file, Kafka in, gRPC out, memory from /proc and
 * disk from its data directory. Whatever the engine inside, this side stays.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { makePki } from '../../src/api/dev-pki.js';
import { BENCH_CLIENT, REGIONS } from './api.js';
import { MemoryWatch, RADAR_BIN, stopChild } from './children.js';
import type { BenchTopics } from './kafka.js';

export interface ServiceSetup {
  dir: string;
  dataDir: string;
  configFile: string;
  pkiDir: string;
  groupId: string;
  apiPort: number;
}

export interface ServiceOptions {
  /** The consumer's session timeout in ms; the service's own default when not given. */
  sessionTimeout?: number;
  /** How long the service keeps a signal, after its `occurredAt`. */
  retentionYears: number;
}

/** A data directory, certificates and a settings file for one service under `dir`. */
export function prepareService(
  dir: string,
  brokers: string[],
  topics: BenchTopics,
  groupId: string,
  apiPort: number,
  { sessionTimeout, retentionYears }: ServiceOptions,
): ServiceSetup {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true });
  makePki(pkiDir, [BENCH_CLIENT]);
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'radar.yaml');
  writeFileSync(
    configFile,
    stringify({
      dataDir,
      // By default the service's own session timeout (30 s): at 6 s, a busy machine kept its event
      // loop from heartbeating and the service was dropped from its group.
      kafka: { brokers, groupId, topics, ...(sessionTimeout !== undefined && { sessionTimeout }) },
      retention: { years: retentionYears },
      // Info is a few lines a run (no line a batch or a call): when retention and compaction ran.
      log: { level: 'info' },
      api: {
        enabled: true,
        host: '127.0.0.1',
        port: apiPort,
        tls: {
          key: join(pkiDir, 'server.key'),
          cert: join(pkiDir, 'server.crt'),
          ca: join(pkiDir, 'radar-dev-ca.crt'),
        },
        clients: { [BENCH_CLIENT]: REGIONS },
        auditLog: join(dir, 'audit', 'audit.ndjson'),
      },
    }),
  );
  return { dir, dataDir, configFile, pkiDir, groupId, apiPort };
}

export interface RunningService {
  child: ChildProcess;
  memory: MemoryWatch;
  startedAt: number;
  /** Settles when the process ends, however. */
  exited: Promise<void>;
}

/** Starts `radar serve --config <file>`, its output appended to `service.log`. */
export function startService(setup: ServiceSetup): RunningService {
  const log = createWriteStream(join(setup.dir, 'service.log'), { flags: 'a' });
  const startedAt = performance.now();
  const child = spawn(RADAR_BIN, ['serve', '--config', setup.configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, memory: new MemoryWatch(child.pid!), startedAt, exited };
}

export interface ServicePeaks {
  peakRssMb: number;
  peakAnonymousMb: number;
  /** The load process of a first start (see MemoryWatch). */
  peakLoadProcessMb: number;
  peakLoadProcessAnonymousMb: number;
  peakTreeMb: number;
}

/** Stops it as an operator would (SIGTERM), and returns its peak memory in MB (see MemoryWatch). */
export async function stopService(service: RunningService): Promise<ServicePeaks> {
  const peakRssMb = service.memory.sample();
  service.memory.stop();
  await stopChild(service.child);
  const { peakAnonymousMb, peakDescendantMb, peakDescendantAnonymousMb, peakTreeMb } =
    service.memory;
  return {
    peakRssMb,
    peakAnonymousMb,
    peakLoadProcessMb: peakDescendantMb,
    peakLoadProcessAnonymousMb: peakDescendantAnonymousMb,
    peakTreeMb,
  };
}

/**
 * What LevelDB's files in a data directory look like now: its info log
 * grows with every compaction, and a compaction writes and deletes tables.
 */
function storeFiles(dataDir: string): string {
  // A table compacted away between the listing and its stat is a change like any other.
  const size = (name: string): number | string =>
    statSync(join(dataDir, name), { throwIfNoEntry: false })?.size ?? '-';
  return readdirSync(dataDir)
    .filter((name) => name === 'LOG' || name.endsWith('.ldb'))
    .sort()
    .map((name) => `${name}:${size(name)}`)
    .join(' ');
}

/**
 * Waits until LevelDB has compacted what an ingest left it: no table
 * written or deleted and nothing logged for `quietSeconds`, or `limitSeconds`
 * at most. A service that has just taken in years of history goes on
 * merging them for minutes on one core; a national radar, which gets a
 * signal a minute or so, is nearly always past that.
 */
export async function waitUntilSettled(
  dataDir: string,
  {
    quietSeconds,
    limitSeconds,
    abort,
  }: { quietSeconds: number; limitSeconds: number; abort?: AbortSignal },
): Promise<{ seconds: number; settled: boolean }> {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  let files = storeFiles(dataDir);
  let quietSince = elapsed();
  while (elapsed() - quietSince < quietSeconds) {
    if (elapsed() >= limitSeconds) return { seconds: Math.round(elapsed()), settled: false };
    await sleep(250, undefined, { signal: abort });
    const now = storeFiles(dataDir);
    if (now !== files) [files, quietSince] = [now, elapsed()];
  }
  return { seconds: Math.round(quietSince), settled: true };
}
