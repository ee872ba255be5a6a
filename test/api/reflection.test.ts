/**
 * What grpcurl relies on: server reflection lists the services and hands out
 * their descriptors, exactly those a compiler makes of the .proto files, and
 * the insecure development mode works and says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { credentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { GetHouseholdRequest, RadarServiceClient } from '../../src/gen/radar/v1/radar.js';
import { callMetadata, Fixture, makePki, scenarioSignals, unary, type DevPki } from './helpers.js';
import {
  filesContaining,
  listServices,
  reflectionClient,
  type ReflectionClient,
} from './reflection-client.js';

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

/** radar.proto as buf, a protoc-compatible compiler, makes it: a reference apart from protobufjs, which the server parses with. */
function compiledRadarProto(): FileDescriptorProto {
  const buf = fileURLToPath(new URL('../../node_modules/.bin/buf', import.meta.url));
  const proto = fileURLToPath(new URL('../../proto', import.meta.url));
  const set = fromBinary(
    FileDescriptorSetSchema,
    execFileSync(buf, [
      'build',
      proto,
      '--exclude-source-info',
      '--as-file-descriptor-set',
      '-o',
      '-',
    ]),
  );
  return set.file.find((f) => f.name === 'radar/v1/radar.proto')!;
}

const json = (file: FileDescriptorProto) => toJson(FileDescriptorProtoSchema, file);

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
  expect(await listServices(client)).toEqual(['grpc.health.v1.Health', 'radar.v1.RadarService']);
  const [file] = await filesContaining(client, 'radar.v1.RadarService');
  expect(file!.service.map((s) => s.name)).toEqual(['RadarService']);
  client.close();
  await server.stop();
});

describe('the descriptors reflection serves', () => {
  let server: ApiServer;
  let client: ReflectionClient;

  beforeAll(async () => {
    server = await startApiServer({
      state: () => fixture.state,
      tls: 'insecure',
      clients: { [CN]: ['VT09'] },
      auditLog: audit,
    });
    client = reflectionClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('are radar.proto as protoc compiles it: names, JSON names, numbers, types, oneofs, methods', async () => {
    const served = await filesContaining(client, 'radar.v1.RadarService');
    expect(served.map((f) => f.name)).toEqual(['radar/v1/radar.proto']);
    expect(json(served[0]!)).toEqual(json(compiledRadarProto()));
  });

  it('name fields as radar.proto writes them, beside their JSON names', async () => {
    const [file] = await filesContaining(client, 'radar.v1.SearchHouseholdsRequest');
    const request = file!.messageType.find((m) => m.name === 'SearchHouseholdsRequest')!;
    expect(request.field.find((f) => f.number === 6)).toMatchObject({
      name: 'page_size',
      jsonName: 'pageSize',
    });
  });

  it('are the health schema under the name of its published file, grpc/health/v1/health.proto', async () => {
    const served = await filesContaining(client, 'grpc.health.v1.Health');
    expect(served.map(json)).toEqual([
      {
        name: 'grpc/health/v1/health.proto',
        package: 'grpc.health.v1',
        messageType: [
          {
            name: 'HealthCheckRequest',
            field: [
              {
                name: 'service',
                number: 1,
                label: 'LABEL_OPTIONAL',
                type: 'TYPE_STRING',
                jsonName: 'service',
              },
            ],
          },
          {
            name: 'HealthCheckResponse',
            field: [
              {
                name: 'status',
                number: 1,
                label: 'LABEL_OPTIONAL',
                type: 'TYPE_ENUM',
                typeName: '.grpc.health.v1.HealthCheckResponse.ServingStatus',
                jsonName: 'status',
              },
            ],
            enumType: [
              {
                name: 'ServingStatus',
                value: [
                  { name: 'UNKNOWN', number: 0 },
                  { name: 'SERVING', number: 1 },
                  { name: 'NOT_SERVING', number: 2 },
                  { name: 'SERVICE_UNKNOWN', number: 3 },
                ],
              },
            ],
          },
        ],
        service: [
          {
            name: 'Health',
            method: [
              {
                name: 'Check',
                inputType: '.grpc.health.v1.HealthCheckRequest',
                outputType: '.grpc.health.v1.HealthCheckResponse',
              },
              {
                name: 'Watch',
                inputType: '.grpc.health.v1.HealthCheckRequest',
                outputType: '.grpc.health.v1.HealthCheckResponse',
                serverStreaming: true,
              },
            ],
          },
        ],
        syntax: 'proto3',
      },
    ]);
  });
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
