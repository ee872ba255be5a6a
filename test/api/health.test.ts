/** The health service follows its serving source: Check answers the current status, Watch hears every change. */
import { EventEmitter, once } from 'node:events';
import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { afterEach, expect, it } from 'vitest';
import { HealthService, type ServingSource } from '../../src/api/health.js';
import { healthClient, type HealthClient } from '../helpers/health-client.js';

class Switch implements ServingSource {
  serving = true;
  private readonly emitter = new EventEmitter();

  set(serving: boolean): void {
    this.serving = serving;
    this.emitter.emit('change', serving);
  }

  onChange(listener: (serving: boolean) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}

let server: Server | undefined;
let client: HealthClient | undefined;

afterEach(() => {
  client?.close();
  server?.forceShutdown();
});

async function start(
  source: ServingSource,
): Promise<{ health: HealthService; client: HealthClient }> {
  server = new Server();
  const health = new HealthService(['radar.v1.RadarService'], source);
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server!.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  client = healthClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return { health, client };
}

function check(health: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    health.Check({ service }, (e, r) => (e ? reject(e) : resolve(r.status))),
  );
}

it('answers NOT_SERVING while its source does not serve, and tells watchers of each change', async () => {
  const source = new Switch();
  const { health, client: c } = await start(source);
  expect(await check(c, '')).toBe('SERVING');

  const watch = c.Watch({ service: 'radar.v1.RadarService' });
  const seen: string[] = [];
  const statuses = new EventEmitter();
  watch.on('data', ({ status }: { status: string }) => {
    seen.push(status);
    statuses.emit('status');
  });
  watch.on('error', () => {});
  await once(statuses, 'status');

  source.set(false);
  await once(statuses, 'status');
  expect(await check(c, '')).toBe('NOT_SERVING');
  expect(await check(c, 'radar.v1.RadarService')).toBe('NOT_SERVING');

  source.set(true);
  await once(statuses, 'status');
  expect(await check(c, '')).toBe('SERVING');

  health.shutdown();
  await once(statuses, 'status');
  expect(seen).toEqual(['SERVING', 'NOT_SERVING', 'SERVING', 'NOT_SERVING']);
  source.set(true);
  expect(await check(c, '')).toBe('NOT_SERVING');
});
