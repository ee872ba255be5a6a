/**
 * What grpcurl relies on: server reflection lists the services and hands out
 * their descriptors, and the insecure development mode works and says so.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  credentials,
  loadPackageDefinition,
  status,
  type ChannelCredentials,
  type ClientDuplexStream,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startApiServer } from '../../src/api/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { GetHouseholdRequest, RadarServiceClient } from '../../src/gen/radar/v1/radar.js';
import { callMetadata, Fixture, makePki, scenarioSignals, unary, type DevPki } from './helpers.js';

const CN = 'vt09-case-system';
const dir = mkdtempSync(join(tmpdir(), 'radar-reflection-'));
let pki: DevPki;
let fixture: Fixture;
let audit: AuditLog;

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

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number };
}

function reflectionClient(address: string, creds: ChannelCredentials) {
  const protoPath = join(
    dirname(createRequire(import.meta.url).resolve('@grpc/reflection')),
    '../proto/grpc/reflection/v1/reflection.proto',
  );
  const definition = protoLoader.loadSync(protoPath, { defaults: true });
  const pkg = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } };
  };
  return new pkg.grpc.reflection.v1.ServerReflection(address, creds);
}

function ask(
  client: InstanceType<ServiceClientConstructor>,
  request: object,
): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo() as ClientDuplexStream<object, ReflectionResponse>;
    stream.on('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}

it('reflection lists the radar and health services and describes RadarService', async () => {
  const server = await startApiServer({
    state: () => fixture.state,
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca },
    clients: { [CN]: ['VT09'] },
    auditLog: audit,
    host: '127.0.0.1',
  });
  const client = reflectionClient(
    `localhost:${server.port}`,
    credentials.createSsl(pki.ca, pki.clients[CN]!.key, pki.clients[CN]!.cert),
  );
  const list = await ask(client, { listServices: '*' });
  expect(list.listServicesResponse!.service.map((s) => s.name).sort()).toEqual([
    'grpc.health.v1.Health',
    'radar.v1.RadarService',
  ]);
  const file = await ask(client, { fileContainingSymbol: 'radar.v1.RadarService' });
  expect(file.fileDescriptorResponse!.fileDescriptorProto.length).toBeGreaterThan(0);
  expect(
    Buffer.concat(file.fileDescriptorResponse!.fileDescriptorProto).toString('latin1'),
  ).toContain('WatchIndicators');
  client.close();
  await server.stop();
});

it('insecure mode works only with a self-declared client name and warns loudly at start', async () => {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const server = await startApiServer({
    state: () => fixture.state,
    tls: 'insecure',
    clients: { [CN]: ['VT09'] },
    auditLog: audit,
  });
  expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/INSECURE MODE/);
  stderr.mockRestore();
  const client = new RadarServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  const request = GetHouseholdRequest.fromPartial({ bsn: '111222333' });
  const anonymous = await unary(client.getHousehold.bind(client), request).catch((e) => e);
  expect(anonymous.code).toBe(status.UNAUTHENTICATED);
  const md = callMetadata();
  md.set('x-radar-client', CN);
  const named = await unary(client.getHousehold.bind(client), request, md);
  expect(named.households[0]!.householdId).toBe(fixture.householdOf('A-1'));
  client.close();
  await server.stop();
});
