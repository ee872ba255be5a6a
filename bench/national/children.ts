/**
 * Everything the national benchmark measures runs in a process of its own
 * and is measured from outside: wall time from spawn, peak memory from the
 * kernel's high-water mark (`VmHWM` in /proc/<pid>/status), and a limit
 * after which the step is recorded as not finished instead of waited for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

/** The repository root, found the same way from `bench/national` and `dist/bench/national`. */
export const ROOT = (() => {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the repository root');
    dir = parent;
  }
  return dir;
})();
/** The `radar` command as users run it: it starts node with the heap its command needs. */
export const RADAR_BIN = join(ROOT, 'bin', 'radar');
export const DIST_BENCH = join(ROOT, 'dist', 'bench');

/**
 * The V8 flags `bin/radar` gives a backtest, for the floor it is measured
 * against (test/cli/launcher.test.ts holds the two equal).
 */
export const BACKTEST_NODE_FLAGS = ['--max-old-space-size=12288', '--max-semi-space-size=64'];

/** A running process's memory in MB from /proc, or undefined once it is gone. */
export function processMemoryMb(
  pid: number,
): { peakRss: number; rss: number; anonymous: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (field: string): number =>
      Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024);
    return { peakRss: mb('VmHWM'), rss: mb('VmRSS'), anonymous: mb('RssAnon') };
  } catch {
    return undefined;
  }
}

/** The processes a process has started, and theirs, while they run. */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const visit = (parent: number): void => {
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${parent}/task`);
    } catch {
      return;
    }
    for (const thread of threads) {
      let children = '';
      try {
        children = readFileSync(`/proc/${parent}/task/${thread}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter((c) => c !== '')) {
        found.push(Number(child));
        visit(Number(child));
      }
    }
  };
  visit(pid);
  return found;
}

/** Bytes under a directory, every file counted once. */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(path);
    // A file LevelDB deleted since the listing takes no room.
    else if (entry.isFile()) total += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}

/**
 * Follows a child's memory while it runs, since /proc forgets it at exit: the
 * kernel's high-water mark of its resident size, and the largest anonymous
 * part of it seen (heap and native allocations, sampled every 100 ms). The
 * rest of a resident size is file-backed: for the service, the store's table
 * files LevelDB maps into memory to read them, pages the kernel reclaims when
 * it needs them, as it does the page cache.
 *
 * The processes it starts are followed too (a first start's load runs in
 * one of its own): the largest high-water mark among them and the largest
 * anonymous part seen (the load maps the tables of the store it writes as
 * the service does), and the largest sum of the resident sizes of the
 * whole tree seen in one sample.
 */
export class MemoryWatch {
  peakMb = 0;
  peakAnonymousMb = 0;
  peakDescendantMb = 0;
  peakDescendantAnonymousMb = 0;
  peakTreeMb = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  sample(): number {
    const now = processMemoryMb(this.pid);
    if (now !== undefined) {
      this.peakMb = Math.max(this.peakMb, now.peakRss);
      this.peakAnonymousMb = Math.max(this.peakAnonymousMb, now.anonymous);
      let tree = now.rss;
      for (const pid of descendants(this.pid)) {
        const child = processMemoryMb(pid);
        if (child === undefined) continue;
        this.peakDescendantMb = Math.max(this.peakDescendantMb, child.peakRss);
        this.peakDescendantAnonymousMb = Math.max(this.peakDescendantAnonymousMb, child.anonymous);
        tree += child.rss;
      }
      this.peakTreeMb = Math.max(this.peakTreeMb, tree);
    }
    return this.peakMb;
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peakMb;
  }
}

export type StepResult<T> =
  | ({ status: 'ok' } & T)
  | { status: 'timeout'; limitSeconds: number; note?: string }
  | { status: 'failed'; error: string }
  | { status: 'skipped'; reason: string };

export class StepTimeout extends Error {
  constructor(readonly limitSeconds: number) {
    super(`not finished within ${limitSeconds} s`);
  }
}

/**
 * Runs a step with a limit. The step gets an AbortSignal that fires at the
 * limit, so it can kill its children and let go; a step that ignores it is
 * abandoned all the same.
 */
export async function step<T extends object>(
  name: string,
  limitSeconds: number,
  run: (abort: AbortSignal) => Promise<T>,
): Promise<StepResult<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new StepTimeout(limitSeconds));
      reject(new StepTimeout(limitSeconds));
    }, limitSeconds * 1000);
  });
  const started = performance.now();
  process.stderr.write(`bench: ${name} (limit ${limitSeconds} s)\n`);
  try {
    const result = await Promise.race([run(controller.signal), limit]);
    process.stderr.write(
      `bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return { status: 'ok', ...result };
  } catch (error) {
    if (error instanceof StepTimeout) {
      process.stderr.write(`bench: ${name} not finished within ${limitSeconds} s\n`);
      return { status: 'timeout', limitSeconds };
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${name} failed: ${message}\n`);
    return { status: 'failed', error: message };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

export interface ChildRun {
  seconds: number;
  peakRssMb: number;
  stdout: string;
  /** The last lines of stderr, for counts and for failures. */
  stderrTail: string;
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  log?: string;
  /** A file for the child's output, instead of `ChildRun.stdout` (which holds it in memory). */
  stdout?: string;
  onSpawn?: (pid: number) => void;
}

/** Runs `node <args>` to its end (or until `abort`, which kills it) and measures it. */
export function runNode(args: string[], abort: AbortSignal, options: RunOptions = {}) {
  return run(process.execPath, args, abort, options);
}

/** Runs `radar <args>` as `runNode` runs node. */
export function runRadar(args: string[], abort: AbortSignal, options: RunOptions = {}) {
  return run(RADAR_BIN, args, abort, options);
}

async function run(
  file: string,
  args: string[],
  abort: AbortSignal,
  options: RunOptions,
): Promise<ChildRun> {
  const started = performance.now();
  const child = spawn(file, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const memory = new MemoryWatch(child.pid!);
  options.onSpawn?.(child.pid!);
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  abort.addEventListener('abort', kill, { once: true });
  const out: Buffer[] = [];
  let tail = '';
  const log = options.log === undefined ? undefined : createWriteStream(options.log);
  const written =
    options.stdout === undefined
      ? undefined
      : finished(child.stdout.pipe(createWriteStream(options.stdout)));
  if (written === undefined) child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => {
    log?.write(c);
    tail = (tail + c.toString()).slice(-4000);
  });
  // Together, so that a failed write is handled as soon as it fails.
  const [[code, signal]] = (await Promise.all([once(child, 'close'), written])) as [
    [number | null, string | null],
    unknown,
  ];
  const seconds = (performance.now() - started) / 1000;
  abort.removeEventListener('abort', kill);
  log?.end();
  memory.stop();
  if (abort.aborted) throw abort.reason;
  if (code !== 0) {
    throw new Error(`exit ${code ?? signal}: ${tail.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return {
    seconds,
    peakRssMb: memory.peakMb,
    stdout: Buffer.concat(out).toString(),
    stderrTail: tail,
  };
}

/** Resolves when the child has exited; SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 60_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
