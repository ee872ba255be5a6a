import { afterEach, describe, expect, it } from 'vitest';
import { startHttpHealth, type HttpHealthServer } from '../../src/api/http-health.js';

let server: HttpHealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(ready: boolean): Promise<string> {
  server = await startHttpHealth({
    host: '127.0.0.1',
    port: 0,
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'radar_up 1\n' }),
    readiness: () => ({ ready, reasons: ready ? [] : ['CATCHING_UP'] }),
  });
  return `http://127.0.0.1:${server.port}`;
}

describe('HTTP metrics and health', () => {
  it('serves the metrics, liveness and readiness', async () => {
    const base = await start(true);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(await metrics.text()).toBe('radar_up 1\n');
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, reasons: [] });
  });

  it('answers 503 with the reasons when not ready, 404 and 405 otherwise', async () => {
    const base = await start(false);
    const ready = await fetch(`${base}/readyz?verbose`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, reasons: ['CATCHING_UP'] });
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const post = await fetch(`${base}/readyz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
