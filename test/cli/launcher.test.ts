/**
 * `bin/radar`, the command users run, starts node with the heap its command
 * needs. A `node` on the PATH that prints what it was given stands in for
 * node, so the test sees the exact command line the launcher execs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKTEST_NODE_FLAGS } from '../../bench/national/children.js';

const LAUNCHER = fileURLToPath(new URL('../../bin/radar', import.meta.url));
const PROGRAM = fileURLToPath(new URL('../../bin/radar.js', import.meta.url));

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'radar-launcher-'));
  mkdirSync(join(dir, 'path'));
  const fakeNode = join(dir, 'path', 'node');
  writeFileSync(fakeNode, '#!/bin/sh\nprintf "%s\\n" "$@"\nexit 7\n');
  chmodSync(fakeNode, 0o755);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the launcher execs, one argument a line, and the exit status it passes on. */
function launch(file: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const { RADAR_HEAP_MB: _, RADAR_YOUNG_MB: __, ...inherited } = process.env;
  const result = spawnSync(file, args, {
    encoding: 'utf8',
    env: { ...inherited, ...env, PATH: `${join(dir, 'path')}:${process.env.PATH}` },
  });
  return { argv: result.stdout.split('\n').slice(0, -1), status: result.status };
}

describe('bin/radar', () => {
  it('gives the service a heap of 2 GiB and a small young generation, and passes every argument as it came', () => {
    const { argv, status } = launch(LAUNCHER, ['serve', '--config', 'a file.yaml']);
    expect(argv).toEqual([
      '--max-old-space-size=2048',
      '--max-semi-space-size=8',
      PROGRAM,
      'serve',
      '--config',
      'a file.yaml',
    ]);
    expect(status).toBe(7);
  });

  it('gives the demo, which runs the service, the same heap', () => {
    expect(launch(LAUNCHER, ['demo']).argv[0]).toBe('--max-old-space-size=2048');
  });

  it("gives a rebuild, which takes the history in as a first start's load does, that load's heap", () => {
    expect(launch(LAUNCHER, ['rebuild']).argv[0]).toBe('--max-old-space-size=1536');
  });

  it("gives the rebuild, which answers no calls, the young generation that folds fastest, and the demo the service's", () => {
    expect(launch(LAUNCHER, ['rebuild']).argv[1]).toBe('--max-semi-space-size=64');
    expect(launch(LAUNCHER, ['demo']).argv[1]).toBe('--max-semi-space-size=8');
  });

  it('gives a backtest room for 20 years, with the flags its benchmark floor runs with', () => {
    const { argv } = launch(LAUNCHER, ['backtest', '--signals', '-']);
    expect(argv.slice(0, 2)).toEqual(BACKTEST_NODE_FLAGS);
    expect(launch(LAUNCHER, []).argv).toEqual([...BACKTEST_NODE_FLAGS, PROGRAM]);
  });

  it('takes the heap from RADAR_HEAP_MB for any command', () => {
    for (const command of ['serve', 'backtest'])
      expect(launch(LAUNCHER, [command], { RADAR_HEAP_MB: '3000' }).argv[0]).toBe(
        '--max-old-space-size=3000',
      );
  });

  it('takes the young generation from RADAR_YOUNG_MB for any command', () => {
    for (const command of ['serve', 'backtest'])
      expect(launch(LAUNCHER, [command], { RADAR_YOUNG_MB: '32' }).argv[1]).toBe(
        '--max-semi-space-size=32',
      );
  });

  it('finds the program through a link, as npm links it into node_modules/.bin', () => {
    const link = join(dir, 'radar');
    symlinkSync(LAUNCHER, link);
    expect(launch(link, ['serve']).argv[2]).toBe(PROGRAM);
  });

  it('runs the program with the real node', () => {
    const result = spawnSync(LAUNCHER, ['rules', 'validate', join(dir, 'missing.yaml')], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('missing.yaml');
  });
});
