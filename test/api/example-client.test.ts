/** The example client in examples/ works against a real server, reconnects included. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, getHousehold, watchIndicators } from '../../examples/case-system-client.js';
import { startApiServer, type ApiServer } from '../../src/api/index.js';
import { AuditLog } from '../../src/audit/index.js';
import type { WatchIndicatorsResponse } from '../../src/gen/radar/v1/radar.js';
import { failure, Fixture, makePki, scenarioSignals, type DevPki } from './helpers.js';

const CN = 'vt09-case-system';
const dir = mkdtempSync(join(tmpdir(), 'radar-example-'));
const context = { user: 'j.devries', purpose: 'voorbeeld' };
let pki: DevPki;
let fixture: Fixture;
let audit: AuditLog;

function start(port = 0): Promise<ApiServer> {
  return startApiServer({
    state: () => fixture.state,
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca },
    clients: { [CN]: ['VT09'] },
    auditLog: audit,
    host: '127.0.0.1',
    port,
  });
}

beforeAll(async () => {
  pki = makePki(dir, [CN]);
  fixture = await Fixture.create();
  await fixture.ingest(await scenarioSignals('01-one-family-three-sources.ndjson'));
  audit = await AuditLog.open(join(dir, 'audit.ndjson'), { sync: false });
}, 60_000);

afterAll(async () => {
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

it('looks a household up by BSN and follows indicator events across a restart of the radar', async () => {
  let server = await start();
  const port = server.port;
  const client = connect({
    address: `localhost:${port}`,
    ca: pki.ca,
    cert: pki.clients[CN]!.cert,
    key: pki.clients[CN]!.key,
  });
  const { households } = await getHousehold(client, { bsn: '111222333' }, context);
  expect(households[0]!.householdId).toBe(fixture.householdOf('A-1'));
  expect(await failure(getHousehold(client, { bsn: '100079192' }, context))).toMatchObject({
    code: status.NOT_FOUND,
  });

  const events: WatchIndicatorsResponse[] = [];
  const stop = new AbortController();
  let restarted = false;
  const watching = watchIndicators(client, context, {
    after: 0,
    signal: stop.signal,
    retryMs: 100,
    onEvent: async (event) => {
      events.push(event);
      if (!restarted) {
        restarted = true;
        // The radar restarts on the same port; the example reconnects by itself.
        await server.stop();
        server = await start(port);
        await fixture.ingest(await scenarioSignals('03-late-and-withdrawn.ndjson'));
      }
      if (restarted && event.sequence === (await fixture.store.lastSequence())) stop.abort();
    },
  });
  await watching;
  const all: number[] = [];
  for await (const e of fixture.store.events(0)) all.push(e.sequence);
  expect(all.length).toBeGreaterThan(1);
  expect(events.map((e) => e.sequence)).toEqual(all);
  client.close();
  await server.stop();
});
