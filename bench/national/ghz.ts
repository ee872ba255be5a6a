/**
 * The API load from ghz (https://ghz.sh), a Go load generator, when it is
 * installed (`go install github.com/bojand/ghz/cmd/ghz@latest`): the
 * outside client a case system's operator would use. The grpc-js client in
 * the benchmark's own process spends about as much CPU on a call as the
 * service does, and on 2 cores it takes that from the service; ghz costs a
 * fraction of it, so the service's rate is measured, not the client's.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_CLIENT, type LoadResult } from './api.js';
import { round } from './children.js';

const run = promisify(execFile);

/** ghz on the PATH, else where `go install` puts it; undefined when neither has it. */
export function findGhz(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), 'go', 'bin')];
  for (const dir of dirs) {
    const path = join(dir, 'ghz');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** ghz's JSON report (`-O json`), the fields read here. */
interface GhzReport {
  count: number;
  total: number;
  rps: number;
  statusCodeDistribution?: Record<string, number>;
  errorDistribution?: Record<string, number>;
  latencyDistribution?: { percentage: number; latency: number }[] | null;
}

/**
 * ghz stops the calls still in flight when its time is up, and counts them
 * as UNAVAILABLE "transport is closing": an end of the load, not an answer.
 */
const STOPPED_BY_GHZ = /transport is closing/;

/** `NotFound` → `NOT_FOUND`, the names grpc-js's `status` gives. */
function statusName(ghzName: string): string {
  return ghzName.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

export function loadResultOf(report: GhzReport, concurrency: number): LoadResult {
  const stopped = Object.entries(report.errorDistribution ?? {})
    .filter(([message]) => STOPPED_BY_GHZ.test(message))
    .reduce((sum, [, n]) => sum + n, 0);
  const errorsByStatus: Record<string, number> = {};
  for (const [name, n] of Object.entries(report.statusCodeDistribution ?? {})) {
    const count = name === 'Unavailable' ? n - stopped : n;
    if (name !== 'OK' && count > 0) errorsByStatus[statusName(name)] = count;
  }
  const quantileMs = (percentage: number): number =>
    round(
      (report.latencyDistribution?.find((d) => d.percentage === percentage)?.latency ?? NaN) / 1e6,
      2,
    );
  const seconds = report.total / 1e9;
  const calls = report.count - stopped;
  return {
    concurrency,
    calls,
    errors: Object.values(errorsByStatus).reduce((sum, n) => sum + n, 0),
    errorsByStatus,
    seconds: round(seconds, 2),
    perSecond: round(calls / seconds),
    p50Ms: quantileMs(50),
    p99Ms: quantileMs(99),
    client: 'ghz',
  };
}

export interface GhzLoad {
  ghz: string;
  port: number;
  pkiDir: string;
  /** e.g. `GetHousehold`: a method of radar.v1.RadarService, found by server reflection. */
  method: string;
  /** Request messages as JSON, called in turn. */
  requests: readonly object[];
  concurrency: number;
  seconds: number;
  /** Calls a second in all; without it each caller calls again as soon as it is answered. */
  rate?: number;
  /** Where the requests are written for ghz to read. */
  dataFile: string;
}

/** `concurrency` callers for `seconds`, as fast as they are answered or at `rate` in all. */
export async function ghzLoad(options: GhzLoad): Promise<LoadResult> {
  writeFileSync(options.dataFile, JSON.stringify(options.requests));
  const { stdout } = await run(
    options.ghz,
    [
      '--cacert',
      join(options.pkiDir, 'radar-dev-ca.crt'),
      '--cert',
      join(options.pkiDir, `${BENCH_CLIENT}.crt`),
      '--key',
      join(options.pkiDir, `${BENCH_CLIENT}.key`),
      '--cname',
      'localhost',
      '--call',
      `radar.v1.RadarService/${options.method}`,
      '-D',
      options.dataFile,
      '-m',
      JSON.stringify({ 'x-radar-user': 'benchmark', 'x-radar-purpose': 'national benchmark' }),
      '-c',
      String(options.concurrency),
      '-z',
      `${options.seconds}s`,
      ...(options.rate === undefined ? [] : ['--rps', String(options.rate)]),
      '-O',
      'json',
      `localhost:${options.port}`,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return loadResultOf(JSON.parse(stdout) as GhzReport, options.concurrency);
}
