#!/usr/bin/env node
// The image's HEALTHCHECK: exit 0 when the service's HTTP endpoint answers 2xx on the path
// (default /livez), else 1. Node's own fetch, so the runtime image needs no curl.
/* global fetch, AbortSignal */
const port = process.env.RADAR_HTTP_PORT ?? '9464';
const path = process.argv[2] ?? '/livez';
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(2500),
  });
  process.exitCode = response.ok ? 0 : 1;
} catch {
  process.exitCode = 1;
}
