/**
 * Runs a first start's initial load (initial-load.ts) in a child process:
 * the load holds every household of the backlog at once, which the
 * service's own heap (bounded for serving) has no room for, and it
 * allocates fast, which a large young generation serves best, while the
 * service keeps a small one for the API's tail. V8's heap settings are the
 * process's: a worker thread's own limits are capped by the flags the
 * service runs with (a 2 GiB heap, 8 MiB semi-spaces), under which the
 * load's collections took twice the time. Its memory goes back with the
 * process when the load is done.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RadarConfig } from '../config/config.js';
import { RadarError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { workerScript } from '../worker-script.js';

export interface LoadRequest {
  config: RadarConfig;
  nowMs: number;
  level: string;
}

export type LoadReply =
  | { type: 'log'; line: string }
  | { type: 'done'; loaded: boolean }
  | { type: 'failed'; message: string; code?: string };

/**
 * Semi-spaces of 64 MiB and an old generation of up to 1.5 GiB. At twenty
 * years the load's heap holds about 1.3 GB live while it forms the
 * households (its columns are typed arrays, outside it), 0.9 GB once
 * formed, and 0.7 GB while it folds, the plan let go. V8 grows a heap
 * towards its limit before it collects: under 8 GiB the load's heap
 * reached 3.9 GB at twenty years; under 2 GiB 1.6 GB, folding as fast, and
 * the process peaked at 4.4 GB resident, a little past 4 GiB. See
 * docs/performance-history.md, "A first start on a long history", "A
 * backlog formed once and written without reading", "The load within
 * 4 GiB" and "What bounds the first start's fold".
 */
const V8_FLAGS = ['--max-semi-space-size=64', '--max-old-space-size=1536'];

function relog(log: Logger, line: string): void {
  const {
    level,
    msg,
    time: _time,
    pid: _pid,
    hostname: _host,
    name: _name,
    ...fields
  } = JSON.parse(line) as Record<string, unknown>;
  const label = log.levels.labels[Number(level)] ?? 'info';
  log[label as 'info'](fields, typeof msg === 'string' ? msg : '');
}

/**
 * Resolves to whether a backlog was loaded once the child has ended;
 * rejects with INITIAL_LOAD_FAILED when the load failed or the child ended
 * without saying how it went.
 */
export function runInitialLoad(config: RadarConfig, log: Logger, now: Date): Promise<boolean> {
  const request: LoadRequest = { config, nowMs: now.getTime(), level: log.level };
  return new Promise((resolve, reject) => {
    let outcome: { loaded: boolean } | RadarError | undefined;
    const child = fork(fileURLToPath(workerScript(import.meta.url, 'initial-load-child.js')), [], {
      execArgv: V8_FLAGS,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (reply: LoadReply) => {
      if (reply.type === 'log') relog(log, reply.line);
      else if (reply.type === 'done') outcome = { loaded: reply.loaded };
      else
        outcome = new RadarError(
          'INITIAL_LOAD_FAILED',
          `the initial load failed: ${reply.message}`,
        );
    });
    child.on('error', (error) => {
      outcome ??= new RadarError(
        'INITIAL_LOAD_FAILED',
        `the initial load failed: ${error.message}`,
        {
          cause: error,
        },
      );
    });
    child.on('exit', (code, signal) => {
      if (outcome instanceof RadarError) reject(outcome);
      else if (outcome !== undefined) resolve(outcome.loaded);
      else
        reject(
          new RadarError(
            'INITIAL_LOAD_FAILED',
            `the initial load's process ended (${signal ?? `code ${String(code)}`}) without an outcome`,
          ),
        );
    });
    child.send(request);
  });
}
