/**
 * The container image without a Docker engine: the Dockerfile's runtime
 * stage is assembled from its COPY lines (the compiled service from `dist/`,
 * the production dependencies as `npm ci --omit=dev` installs them) in a
 * temporary directory, and the commands the image runs are run there. What
 * this cannot show (the base image, `npm ci` itself, the HEALTHCHECK as
 * Docker runs it) is listed in docs/operating.md.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULTS } from '../../src/config/config.js';
import { execForm, parseCopy, parseDockerfile, type Stage } from './dockerfile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;

function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** The last WORKDIR before the instruction at `index`. */
function workdirAt(stage: Stage, index: number): string {
  let dir = '/';
  for (const i of stage.instructions.slice(0, index))
    if (i.keyword === 'WORKDIR') dir = posix.resolve(dir, i.args);
  return dir;
}

/** Production dependencies as `npm ci --omit=dev` lays them out: package dirs relative to the root. */
function productionPackages(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((p) => p.trim() !== '')
    .map((p) => relative(ROOT, p))
    .filter((p) => p.startsWith('node_modules'));
}

let image: string;

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'dist/src/cli/main.js')), 'run `npm run build` first').toBe(true);
  image = await mkdtemp(join(tmpdir(), 'radar-image-'));
  const app = '/app';
  for (const [index, { keyword, args }] of runtime.instructions.entries()) {
    if (keyword !== 'COPY') continue;
    const copy = parseCopy(args);
    const destination = posix.resolve(workdirAt(runtime, index), copy.destination);
    expect(destination.startsWith(app), destination).toBe(true);
    for (const source of copy.sources) {
      // The build stage compiles to /app/dist as `npm run build` does here.
      const from =
        copy.from === undefined
          ? source
          : posix.relative(workdirAt(stageNamed(copy.from), Infinity), source);
      const target = join(
        image,
        posix.relative(app, destination),
        copy.sources.length > 1 || destination.endsWith('/') ? posix.basename(source) : '',
      );
      await cp(join(ROOT, from), target, { recursive: true });
    }
  }
  expect(instructions(runtime, 'RUN').some((r) => r.includes('npm ci --omit=dev'))).toBe(true);
  for (const pkg of productionPackages()) {
    await cp(join(ROOT, pkg), join(image, pkg), {
      recursive: true,
      filter: (path) => relative(join(ROOT, pkg), path) !== 'node_modules',
    });
  }
}, 120_000);

afterAll(async () => {
  await rm(image, { recursive: true, force: true });
});

function stageNamed(name: string): Stage {
  const stage = stages.find((s) => s.name === name);
  expect(stage, `stage ${name}`).toBeDefined();
  return stage!;
}

/** The image's ENTRYPOINT, run from the assembled files. */
function radar(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(join(image, 'bin/radar'), args, {
    cwd: image,
    encoding: 'utf8',
    env: { ...process.env, ...env, KAFKA_BROKERS: '' },
    timeout: 60_000,
  });
}

describe('the container image', () => {
  it('builds from a context the .dockerignore allowlist lets through', () => {
    const allowed = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1));
    for (const stage of stages) {
      for (const args of instructions(stage, 'COPY')) {
        const copy = parseCopy(args);
        if (copy.from !== undefined) continue;
        for (const source of copy.sources) {
          expect(existsSync(join(ROOT, source)), source).toBe(true);
          expect(allowed, `${source} is not in the build context`).toContain(source.split('/')[0]);
        }
      }
    }
  });

  it('runs as a non-root user with its state on a volume and a health check', () => {
    const user = instructions(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(0|root)$/);
    expect(instructions(runtime, 'VOLUME').join(' ')).toContain('/data');
    const env = instructions(runtime, 'ENV').join(' ');
    expect(env).toMatch(/RADAR_DATA=\/data\//);
    expect(env).toMatch(/RADAR_HTTP_PORT=9464/);
    const health = instructions(runtime, 'HEALTHCHECK')[0]!;
    const command = execForm(health.slice(health.indexOf('CMD') + 3))!;
    expect(command.slice(0, 2)).toEqual(['node', '/app/bin/healthcheck.js']);
    expect(execForm(instructions(runtime, 'ENTRYPOINT')[0]!)).toEqual(['/app/bin/radar']);
    expect(execForm(instructions(runtime, 'CMD').at(-1)!)).toEqual(['serve']);
  });

  it('holds the production dependencies only', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(pkg.dependencies))
      expect(existsSync(join(image, 'node_modules', name)), name).toBe(true);
    for (const name of ['vitest', 'typescript', 'eslint', '@testcontainers/kafka'])
      expect(existsSync(join(image, 'node_modules', name)), name).toBe(false);
    expect(existsSync(join(image, 'dist/src/cli/main.js'))).toBe(true);
    expect(existsSync(join(image, 'test'))).toBe(false);
    expect(existsSync(join(image, 'src'))).toBe(false);
  });

  it('runs radar from the runtime files alone', async () => {
    const help = radar(['--help']);
    expect(help.status, help.stderr).toBe(0);
    const rules = radar(['rules', 'validate', join(image, 'rules')]);
    expect(rules.status, rules.stderr).toBe(0);
    // The backtest loads its worker threads from dist/ too.
    const signals = join(image, 'signals.ndjson');
    const generated = radar(['generate', '--count', '200', '--seed', '3']);
    expect(generated.status, generated.stderr).toBe(0);
    await writeFile(signals, generated.stdout);
    const backtest = radar([
      'backtest',
      '--signals',
      signals,
      '--rules',
      join(image, 'rules'),
      '--threads',
      '2',
    ]);
    expect(backtest.status, backtest.stderr).toBe(0);
    expect(backtest.stdout.split('\n').length).toBeGreaterThan(10);
    // `serve` loads everything it runs with (kafkajs, prom-client, grpc) before it asks for a broker.
    const serve = radar(['serve'], { RADAR_DATA: join(image, 'state') });
    expect(serve.status).toBe(2);
    expect(serve.stderr).toContain('CONFIG_INVALID');
  });

  describe('its health check', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.writeHead(request.url === '/livez' ? 200 : 503).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    // Asynchronously: the server it asks runs in this process.
    const check = (path: string, env: NodeJS.ProcessEnv): Promise<number | null> =>
      new Promise((resolve) => {
        const child = execFile(process.execPath, [join(image, 'bin/healthcheck.js'), path], {
          env: { ...process.env, ...env },
          timeout: 10_000,
        });
        child.on('exit', (code) => resolve(code));
      });

    it('passes on 2xx and fails on anything else or no answer', async () => {
      expect(await check('/livez', { RADAR_HTTP_PORT: String(port) })).toBe(0);
      expect(await check('/readyz', { RADAR_HTTP_PORT: String(port) })).toBe(1);
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const unused = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      expect(await check('/livez', { RADAR_HTTP_PORT: String(unused) })).toBe(1);
    });
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    image?: string;
    build?: string;
    environment?: Record<string, string | number>;
    depends_on?: Record<string, { condition: string }>;
    entrypoint?: string[];
    command?: string[];
    stop_grace_period?: string;
  }
  const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
  };
  const { kafka, topics, radar: service } = compose.services;

  it('runs Apache Kafka in KRaft mode, creates the topics once, then the radar from the Dockerfile', () => {
    expect(kafka!.image).toMatch(/^apache\/kafka:3\./);
    expect(kafka!.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(kafka!.environment!).some((k) => k.includes('ZOOKEEPER'))).toBe(false);
    expect(topics!.depends_on!.kafka!.condition).toBe('service_healthy');
    const script = topics!.command!.join('\n').replaceAll('$$', '$');
    for (const topic of Object.values(DEFAULTS.kafka.topics)) expect(script).toContain(topic);
    const syntax = spawnSync('bash', ['-n', '-c', script], { encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
    expect(service!.build).toBe('.');
    expect(service!.depends_on!.topics!.condition).toBe('service_completed_successfully');
    expect(service!.environment!.KAFKA_BROKERS).toBe('kafka:19092');
  });

  it('gives the radar longer to stop than its own shutdown timeout', () => {
    const grace = Number(/^(\d+)s$/.exec(service!.stop_grace_period!)![1]) * 1000;
    expect(grace).toBeGreaterThan(Number(service!.environment!.RADAR_SHUTDOWN_TIMEOUT_MS));
  });
});
