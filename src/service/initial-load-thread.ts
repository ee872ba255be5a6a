/**
 * Runs a first start's initial load (initial-load.ts) in a worker thread:
 * the load holds every household of the backlog at once, which the
 * service's own heap (bounded for serving) has no room for, and it allocates
 * fast, which a large young generation serves best, while the service keeps
 * a small one for the API's tail. Its memory goes back with the thread when
 * the load is done.
 */
import { Worker } from 'node:worker_threads';
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
 * A young generation of 128 MiB: a first year's 150,000 lines were loaded
 * at 4,450 a second in a worker with it, 4,000 with 192 MiB, and 3,853 on
 * a main thread with the service's 8 MiB semi-spaces
 * (docs/performance-history.md, "A first start on a long history").
 */
const YOUNG_GENERATION_MB = 128;
/** Room for the households of twenty years at once, as a backtest has. */
const OLD_GENERATION_MB = 8192;

/** A line the worker's logger wrote, logged again through the service's. */
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

/** Resolves to whether a backlog was loaded; rejects with what failed the load. */
export function runInitialLoad(config: RadarConfig, log: Logger, now: Date): Promise<boolean> {
  const request: LoadRequest = { config, nowMs: now.getTime(), level: log.level };
  return new Promise((resolve, reject) => {
    let settled = false;
    const worker = new Worker(workerScript(import.meta.url, 'initial-load-worker.js'), {
      workerData: request,
      resourceLimits: {
        maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
        maxOldGenerationSizeMb: OLD_GENERATION_MB,
      },
    });
    worker.on('message', (reply: LoadReply) => {
      if (reply.type === 'log') relog(log, reply.line);
      else if (reply.type === 'done') {
        settled = true;
        resolve(reply.loaded);
      } else {
        settled = true;
        reject(new RadarError('INITIAL_LOAD_FAILED', `the initial load failed: ${reply.message}`));
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(
        new RadarError('INITIAL_LOAD_FAILED', `the initial load failed: ${error.message}`, {
          cause: error,
        }),
      );
    });
    worker.on('exit', (code) => {
      if (!settled)
        reject(
          new RadarError(
            'INITIAL_LOAD_FAILED',
            `the initial load's thread exited with code ${code}`,
          ),
        );
    });
  });
}
