/**
 * Plain HTTP for operators, beside the gRPC API: `/metrics` for Prometheus,
 * `/livez` (the process answers) and `/readyz` (200 when ready, else 503,
 * with the reason codes as JSON). Nothing here needs or shows personal data,
 * so it has no TLS and no client identity; bind it where only the
 * orchestrator and the scraper reach it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';

export interface HttpHealthOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The Prometheus exposition text. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  readiness: () => { ready: boolean };
  log?: Logger;
}

export interface HttpHealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpHealth(options: HttpHealthOptions): Promise<HttpHealthServer> {
  const log = options.log?.child({ component: 'http' });
  const server = createServer((request, response) => {
    void answer(request, response, options).catch((error: unknown) => {
      log?.error({ err: error, path: request.url }, 'HTTP request failed');
      if (!response.headersSent) send(response, 500, 'text/plain', 'internal error\n');
      else response.destroy();
    });
  });
  // Probes and scrapes are short: an idle connection need not hold the shutdown up.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  log?.info({ host: options.host, port }, 'HTTP metrics and health listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: HttpHealthOptions,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, 405, 'text/plain', 'method not allowed\n');
    return;
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  switch (path) {
    case '/metrics': {
      const { contentType, body } = await options.metrics();
      send(response, 200, contentType, body);
      return;
    }
    case '/livez':
      send(response, 200, 'text/plain', 'ok\n');
      return;
    case '/readyz': {
      const state = options.readiness();
      send(response, state.ready ? 200 : 503, 'application/json', `${JSON.stringify(state)}\n`);
      return;
    }
    default:
      send(response, 404, 'text/plain', 'not found: try /metrics, /livez or /readyz\n');
  }
}

function send(response: ServerResponse, code: number, contentType: string, body: string): void {
  response.writeHead(code, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
