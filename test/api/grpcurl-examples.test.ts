/**
 * Every grpcurl command the documentation shows (README.md, examples/README.md,
 * every page in docs/ and the hint `radar demo` prints) works as grpcurl runs it: the client
 * learns the schema from server reflection alone, turns the JSON body into a
 * request message with those descriptors (where an unknown field name fails,
 * as in grpcurl), and the server accepts the call. The commands are read
 * from the documents themselves, so a new example is covered when written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createFileRegistry,
  fromBinary,
  fromJson,
  toBinary,
  type JsonValue,
} from '@bufbuild/protobuf';
import type { DescMethod, FileRegistry } from '@bufbuild/protobuf';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_HEADER, startApiServer, type ApiServer } from '../../src/api/index.js';
import { AuditLog } from '../../src/audit/index.js';
import type { StoredEvent } from '../../src/store/index.js';
import { callMetadata, Fixture, makePki, scenarioSignals } from './helpers.js';
import { reflectedFiles, reflectionClient } from './reflection-client.js';

const DOCS = readdirSync(fileURLToPath(new URL('../../docs', import.meta.url)))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const DOCUMENTS = ['README.md', 'examples/README.md', ...DOCS, 'src/cli/demo-command.ts'];
/** Where the examples live: each of these must show some, so that moving them is noticed. */
const WITH_EXAMPLES = ['docs/api.md', 'src/cli/demo-command.ts'];

interface Example {
  document: string;
  command: string;
  /** `package.Service/Method` for a call, undefined for `list` and `describe`. */
  method?: string;
  /** The `-d` body, `{}` when a call has none (as in grpcurl). */
  body: string;
  /** What `list` or `describe` names. */
  symbol?: string;
}

/** The grpcurl commands of a document, shell line continuations joined. */
function grpcurlCommands(text: string): string[] {
  return (
    text
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => /(?:^|\s)grpcurl\s(.*)$/.exec(line)?.[1])
      .filter((command): command is string => command !== undefined)
      // A command in a template literal ends the literal.
      .map((command) => command.replace(/`,?\s*$/, ''))
  );
}

function parseCommand(document: string, command: string): Example {
  const body = /\s-d\s+'([^']*)'/.exec(` ${command}`)?.[1] ?? '{}';
  const method = /(?:^|\s)([A-Za-z_][\w.]*\.[A-Za-z_]\w*\/[A-Za-z_]\w*)(?=\s|`|$)/.exec(
    command,
  )?.[1];
  const listing = /(?:^|\s)(?:list|describe)(?:\s+([A-Za-z_][\w.]*))?(?=\s|`|$)/.exec(command);
  return {
    document,
    command,
    body,
    ...(method === undefined ? {} : { method }),
    ...(listing?.[1] === undefined ? {} : { symbol: listing[1] }),
  };
}

const examples = DOCUMENTS.flatMap((document) =>
  grpcurlCommands(
    readFileSync(fileURLToPath(new URL(`../../${document}`, import.meta.url)), 'utf8'),
  ).map((command) => parseCommand(document, command)),
);
const calls = examples.filter((e) => e.method !== undefined);
const listings = examples.filter((e) => e.method === undefined);

/** A placeholder such as `<next_page_token>` stands for a value only a real session has. */
const PLACEHOLDER = /^<[\w ]+>$/;

function placeholderFields(json: JsonValue, prefix = ''): string[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return [];
  return Object.entries(json).flatMap(([key, value]) =>
    typeof value === 'string' && PLACEHOLDER.test(value)
      ? [`${prefix}${key}`]
      : placeholderFields(value, `${prefix}${key}.`),
  );
}

interface Outcome {
  code: status;
  errorCode?: string;
  field?: string;
  response?: unknown;
}

/** The call made as grpcurl makes it: raw bytes encoded and decoded with the reflected descriptors. */
function invoke(
  client: Client,
  method: DescMethod,
  request: Uint8Array,
  md: Metadata,
): Promise<Outcome> {
  const path = `/${method.parent.typeName}/${method.name}`;
  const serialize = (bytes: Uint8Array) => Buffer.from(bytes);
  const deserialize = (bytes: Buffer) => fromBinary(method.output, bytes);
  const failed = (error: ServiceError): Outcome => {
    const errorCode = error.metadata?.get('x-radar-error-code')[0];
    const field = error.metadata?.get('x-radar-field')[0];
    return {
      code: error.code,
      ...(errorCode === undefined ? {} : { errorCode: String(errorCode) }),
      ...(field === undefined ? {} : { field: String(field) }),
    };
  };
  const options = { deadline: Date.now() + 10_000 };
  return new Promise((resolve) => {
    if (method.methodKind === 'server_streaming') {
      // A watch stays open for live events: its first event is the answer.
      const stream = client.makeServerStreamRequest(
        path,
        serialize,
        deserialize,
        request,
        md,
        options,
      );
      stream.on('data', (response: unknown) => {
        resolve({ code: status.OK, response });
        stream.cancel();
      });
      stream.on('error', (error: ServiceError) => resolve(failed(error)));
      return;
    }
    client.makeUnaryRequest(path, serialize, deserialize, request, md, options, (error, response) =>
      resolve(error ? failed(error) : { code: status.OK, response }),
    );
  });
}

const CN = 'demo';
let dir: string;
let fixture: Fixture;
let audit: AuditLog;
/** The same commands against both ways the API runs: plaintext as `npm start`, mutual TLS as `radar serve`. */
const transports: { name: string; server?: ApiServer; registry?: FileRegistry; client?: Client }[] =
  [{ name: 'plaintext (npm start)' }, { name: 'mutual TLS (radar serve)' }];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'radar-grpcurl-'));
  fixture = await Fixture.create();
  await fixture.ingest(await scenarioSignals('01-one-family-three-sources.ndjson'));
  await fixture.ingest(await scenarioSignals('03-late-and-withdrawn.ndjson'));
  // The examples watch from sequence 41: the store gets that far, so the watch has an event to send.
  let last: StoredEvent | undefined;
  for await (const event of fixture.store.events(0)) last = event;
  const events: StoredEvent[] = [];
  for (let sequence = last!.sequence + 1; sequence <= 42; sequence++)
    events.push({ ...last!, sequence });
  await fixture.store.write({ signals: [], events });
  audit = await AuditLog.open(join(dir, 'audit.ndjson'), { sync: false });
  const pki = makePki(dir, [CN]);
  const pem = pki.clients[CN]!;
  const tls = { key: pki.server.key, cert: pki.server.cert, ca: pki.ca };
  for (const [i, transport] of transports.entries()) {
    const secure = i === 1;
    transport.server = await startApiServer({
      state: () => fixture.state,
      tls: secure ? tls : 'insecure',
      host: '127.0.0.1',
      clients: { [CN]: ['VT09'] },
      auditLog: audit,
    });
    const address = `localhost:${transport.server.port}`;
    const channel = secure
      ? credentials.createSsl(pki.ca, pem.key, pem.cert)
      : credentials.createInsecure();
    const reflection = reflectionClient(address, channel);
    transport.registry = createFileRegistry(await reflectedFiles(reflection));
    reflection.close();
    transport.client = new Client(address, channel);
  }
}, 60_000);

afterAll(async () => {
  for (const { client, server } of transports) {
    client?.close();
    await server?.stop();
  }
  await audit?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the documented grpcurl commands', () => {
  it('are found where the examples live', () => {
    for (const document of WITH_EXAMPLES)
      expect(calls.filter((e) => e.document === document).length, document).toBeGreaterThan(0);
  });

  it('reads a command as grpcurl does', () => {
    const [command] = grpcurlCommands(
      `grpcurl -H 'x: y' -d '{"page_size": 2}' \\\n  localhost:1 radar.v1.RadarService/SearchHouseholds\n`,
    );
    expect(parseCommand('a.md', command!)).toMatchObject({
      method: 'radar.v1.RadarService/SearchHouseholds',
      body: '{"page_size": 2}',
    });
    expect(parseCommand('a.md', 'localhost:1 describe radar.v1.RadarService')).toMatchObject({
      symbol: 'radar.v1.RadarService',
    });
  });

  describe.each(transports)('over $name', (transport) => {
    it('fail on a field the schema does not name, as grpcurl does', () => {
      const search = transport.registry!.getMessage('radar.v1.SearchHouseholdsRequest')!;
      expect(() => fromJson(search, { page_sise: 3 }, { registry: transport.registry! })).toThrow(
        /page_sise/,
      );
    });

    it.each(listings.map((e) => [`${e.document}: grpcurl ${e.command}`, e] as const))(
      '%s names what reflection describes',
      (_, example) => {
        const registry = transport.registry!;
        if (example.symbol !== undefined) expect(registry.get(example.symbol)).toBeDefined();
        else expect(registry.getService('radar.v1.RadarService')).toBeDefined();
      },
    );

    it.each(calls.map((e) => [`${e.document}: ${e.method} ${e.body}`, e] as const))(
      '%s is accepted',
      async (_, example) => {
        const registry = transport.registry!;
        const [service, name] = example.method!.split('/');
        const method = registry.getService(service!)?.methods.find((m) => m.name === name);
        expect(method, `${example.method} in the reflected schema`).toBeDefined();
        const json = JSON.parse(example.body) as JsonValue;
        const request = toBinary(method!.input, fromJson(method!.input, json, { registry }));
        const md = callMetadata();
        md.set(CLIENT_HEADER, CN);
        const outcome = await invoke(transport.client!, method!, request, md);
        if (outcome.code === status.OK) return;
        // Refused for what the request asks (NOT_FOUND, …), never for how it is written,
        // except a placeholder the reader is to fill in.
        expect(outcome.errorCode, JSON.stringify(outcome)).toBeDefined();
        if (outcome.errorCode === 'INVALID_REQUEST')
          expect(placeholderFields(json)).toContain(outcome.field);
      },
    );
  });
});
