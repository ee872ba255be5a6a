/**
 * `npm start` as a newcomer meets it: `radar demo` with its own embedded
 * broker, stopped by a Ctrl-C that reaches the whole process group as a
 * terminal sends it. The service must stop before the broker (no connection
 * errors on the way out, nothing left listening), and the commands the demo
 * suggests must work as printed: the stored radar it exports is exactly the
 * backtest of the signals it says it replayed. (Its grpcurl hints are run by
 * test/api/grpcurl-examples.test.ts.)
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const RADAR_BIN = fileURLToPath(new URL('../../bin/radar', import.meta.url));
const run = promisify(execFile);

/** A suggested `npx radar …` command, run as npx runs it in the repository: the package's own bin. */
async function radar(cwd: string, command: string): Promise<string> {
  const args = command.replace(/^npx radar /, '').split(' ');
  const { stdout } = await run(RADAR_BIN, args, {
    cwd,
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

function refusesConnections(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: host!, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

let cwd: string | undefined;
afterAll(async () => {
  if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
});

describe('radar demo', () => {
  it('stops the service before its broker on Ctrl-C, and its suggested commands work as printed', async () => {
    cwd = await mkdtemp(join(tmpdir(), 'radar-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env, RADAR_API_PORT: '0' };
    delete env.KAFKA_BROKERS;
    // A process group of its own, as a terminal gives a foreground job.
    const child = spawn(RADAR_BIN, ['demo', '--count', '300', '--data', 'data'], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const summary = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (stderr.includes('press Ctrl-C to stop')) resolve();
      });
      void exited.then((code) => reject(new Error(`demo exited (${code}) early:\n${stderr}`)));
    });
    await summary;

    const stopAt = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited, stderr).toBe(0);

    const brokers = /KAFKA_BROKERS=(\S+)/.exec(stderr)?.[1];
    expect(brokers, stderr).toBeDefined();
    expect(await refusesConnections(brokers!)).toBe(true);
    // Logs are JSON lines when stdout is not a terminal; none on the way out is a warning or an error.
    const entries = stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: number; time: number; msg: string });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.filter((entry) => entry.time >= stopAt && entry.level >= 40)).toEqual([]);

    const exportCommand = /npx radar export .*$/m.exec(stderr)?.[0];
    const backtestCommand = /npx radar backtest .*$/m.exec(stderr)?.[0];
    expect(exportCommand, stderr).toBeDefined();
    expect(backtestCommand, stderr).toBeDefined();
    const exported = await radar(cwd, exportCommand!);
    expect(exported.split('\n').length).toBeGreaterThan(10);
    expect(await radar(cwd, backtestCommand!)).toBe(exported);
  }, 300_000);
});
