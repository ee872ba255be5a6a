/**
 * The radar service as operators run it: `radar serve` in its own
 * process, so a test can SIGKILL it at any instant and start it again. What a
 * test cannot read from inside the child it reads from the outside: the
 * consumer group's committed offsets, and the store once the child is gone.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJSError, type Admin } from 'kafkajs';
import { stringify } from 'yaml';
import type { RadarConfig, RadarConfigInput } from '../../src/config/config.js';
import { waitFor } from '../helpers/kafka.js';

const RADAR_BIN = fileURLToPath(new URL('../../bin/radar', import.meta.url));

/**
 * Writes the settings to a YAML file of their own, outside the data directory;
 * `extra` adds settings (its `kafka` on top of the config's).
 */
export async function writeConfigFile(
  config: RadarConfig,
  extra: RadarConfigInput = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'radar-config-'));
  const file = join(dir, 'radar.yaml');
  const settings: RadarConfigInput = {
    ...extra,
    // `serve` records its retention passes there even without the API: not in the working directory.
    api: { auditLog: join(dir, 'audit.ndjson'), ...extra.api },
    dataDir: config.dataDir,
    rules: config.rules,
    kafka: {
      brokers: config.kafka.brokers,
      groupId: config.kafka.groupId,
      topics: config.kafka.topics,
      ...extra.kafka,
    },
  };
  await writeFile(file, stringify(settings));
  return file;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly pid: number;
  /** Settles when the process is gone, however it ended. */
  readonly exited: Promise<Exit>;
  /** Everything it wrote so far, for failure messages. */
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `radar serve --config <file>` with warn-level logs; `env` adds to the environment. */
export function spawnService(configFile: string, env: NodeJS.ProcessEnv = {}): ServiceProcess {
  const child = spawn(RADAR_BIN, ['serve', '--config', configFile], {
    env: { ...process.env, RADAR_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  if (child.pid === undefined) throw new Error('radar serve did not start');
  const pid = child.pid;
  return {
    pid,
    exited,
    output: () => Buffer.concat(chunks).toString(),
    kill: (signal) => {
      child.kill(signal);
    },
  };
}

export interface GroupProgress {
  /** Sum over the partitions of the group's committed offsets (none = 0). */
  committed: number;
  /** Sum over the partitions of the high watermarks. */
  end: number;
}

/**
 * Where the group stands. Retries while the broker is still electing the
 * group's coordinator (a fresh broker creates its offsets topic on first use).
 */
export async function groupProgress(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<GroupProgress> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readProgress(admin, groupId, topics);
    } catch (error) {
      const retriable = error instanceof KafkaJSError && error.retriable;
      if (!retriable || attempt >= 40) throw error;
      await sleep(250);
    }
  }
}

async function readProgress(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<GroupProgress> {
  let end = 0;
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) end += Number(p.high);
  }
  let committed = 0;
  for (const t of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
    for (const p of t.partitions) committed += Math.max(0, Number(p.offset));
  }
  return { committed, end };
}

/** Waits until the group has committed every message the topics hold. */
export async function waitUntilCommitted(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  timeout = 90_000,
): Promise<GroupProgress> {
  const done = await waitFor(
    async () => {
      const progress = await groupProgress(admin, groupId, topics);
      return progress.committed === progress.end ? progress : undefined;
    },
    { timeout, delay: 200 },
  );
  return done!;
}

/**
 * Waits until the group is stable with one member that is none of `seen`:
 * a newly started service owns every partition and is about to consume.
 * After a SIGKILL that takes up to the session timeout, as the broker only
 * then lets go of the dead member. Returns the new member's id.
 */
export async function waitForNewMember(
  admin: Admin,
  groupId: string,
  seen: ReadonlySet<string>,
  timeout = 60_000,
): Promise<string> {
  const member = await waitFor(
    async () => {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      if (group?.state !== 'Stable' || group.members.length !== 1) return undefined;
      const id = group.members[0]!.memberId;
      return seen.has(id) ? undefined : id;
    },
    { timeout, delay: 100 },
  );
  return member!;
}

/**
 * The services a test starts: `start` spawns one, `killAll` SIGKILLs those
 * still running, so that a failing assertion never leaves one behind.
 */
export function serviceRunner(): {
  start: (configFile: string, env?: NodeJS.ProcessEnv) => ServiceProcess;
  killAll: () => void;
} {
  const running = new Set<ServiceProcess>();
  return {
    start: (configFile, env) => {
      const service = spawnService(configFile, env);
      running.add(service);
      void service.exited.then(() => running.delete(service));
      return service;
    },
    killAll: () => {
      for (const service of running) service.kill('SIGKILL');
    },
  };
}
