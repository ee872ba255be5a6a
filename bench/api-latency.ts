/**
 * Query latency of the gRPC API over real mutual TLS, with the audit log
 * fsynced before every answer as in production: a radar of synthetic signals,
 * a LevelDB store holding them, sequential calls from one client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { makePki } from '../src/api/dev-pki.js';
import { startApiServer } from '../src/api/index.js';
import { AuditLog } from '../src/audit/index.js';
import { SHIPPED_RULES } from '../src/config/config.js';
import { Radar } from '../src/engine/index.js';
import {
  ExplainIndicatorRequest,
  GetHouseholdRequest,
  ListIndicatorsRequest,
  RadarServiceClient,
  SearchHouseholdsRequest,
} from '../src/gen/radar/v1/radar.js';
import { flushedBatch } from '../src/consumers/ingestor.js';
import { loadRuleset } from '../src/rules/index.js';
import { decodeJson } from '../src/signals/index.js';
import type { Signal } from '../src/signals/types.js';
import { openStore } from '../src/store/index.js';
import { generateSignalLines } from '../src/synthetic/generate.js';

const count = Number(process.argv[2] ?? 100_000);
const calls = 500;
const dir = mkdtempSync(join(tmpdir(), 'radar-api-bench-'));
const regions = Array.from({ length: 26 }, (_, i) => `VT${String(i + 1).padStart(2, '0')}`);

const ruleset = await loadRuleset(SHIPPED_RULES);
const radar = new Radar({ ruleset });
const signals: Signal[] = [];
for (const line of generateSignalLines({ count, malformed: 0 })) {
  const { signal } = decodeJson(line);
  if (radar.ingest(signal) === 'accepted') signals.push(signal);
}
const { state } = flushedBatch(radar, [], 0);
const store = await openStore({ dataDir: join(dir, 'data'), sync: false });
for (let i = 0; i < signals.length; i += 5000)
  await store.write({ signals: signals.slice(i, i + 5000) });
await store.write(state);

const pki = makePki(dir, ['bench-client']);
const auditLog = await AuditLog.open(join(dir, 'audit.ndjson'));
const server = await startApiServer({
  state: { store, ruleset },
  tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca },
  clients: { 'bench-client': regions },
  auditLog,
  host: '127.0.0.1',
});
const client = new RadarServiceClient(
  `localhost:${server.port}`,
  credentials.createSsl(
    pki.ca,
    pki.clients['bench-client']!.key,
    pki.clients['bench-client']!.cert,
  ),
);
const metadata = new Metadata();
metadata.set('x-radar-user', 'bench');
metadata.set('x-radar-purpose', 'latency benchmark');

type Unary<Q> = (
  request: Q,
  metadata: Metadata,
  callback: (error: Error | null) => void,
) => unknown;
function call<Q>(method: Unary<Q>, request: Q): Promise<void> {
  return new Promise((resolve, reject) =>
    method(request, metadata, (error) => (error ? reject(error) : resolve())),
  );
}

const households = [...radar.households.households()];
const indicators = [...radar.indicators()];
const bsns = signals
  .flatMap((s) => s.persons.map((p) => p.bsn))
  .filter((b): b is string => b !== undefined);
const pick = <T>(items: readonly T[], i: number): T => items[(i * 7919) % items.length]!;

async function measure(
  name: string,
  request: (i: number) => Promise<void>,
): Promise<[string, number[]]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await request(i);
    times.push(performance.now() - started);
  }
  return [name, times.sort((a, b) => a - b)];
}

const getHousehold = (by: Partial<GetHouseholdRequest>): Promise<void> =>
  call(
    client.getHousehold.bind(client) as Unary<GetHouseholdRequest>,
    GetHouseholdRequest.fromPartial(by),
  );
await getHousehold({ householdId: households[0]!.id });
const results = [
  await measure('GetHousehold by id', (i) => getHousehold({ householdId: pick(households, i).id })),
  await measure('GetHousehold by BSN', (i) => getHousehold({ bsn: pick(bsns, i) })),
  await measure('SearchHouseholds, 20 a page', (i) =>
    call(
      client.searchHouseholds.bind(client) as Unary<SearchHouseholdsRequest>,
      SearchHouseholdsRequest.fromPartial({ region: pick(regions, i), pageSize: 20 }),
    ),
  ),
  await measure('ListIndicators, 20 a page', (i) =>
    call(
      client.listIndicators.bind(client) as Unary<ListIndicatorsRequest>,
      ListIndicatorsRequest.fromPartial({ region: pick(regions, i), pageSize: 20 }),
    ),
  ),
  await measure('ExplainIndicator', (i) =>
    call(
      client.explainIndicator.bind(client) as Unary<ExplainIndicatorRequest>,
      ExplainIndicatorRequest.fromPartial({ indicatorId: pick(indicators, i).indicatorId }),
    ),
  ),
];
client.close();
await server.stop();
await auditLog.close();
await store.close();

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
process.stdout.write(
  JSON.stringify({
    signals: signals.length,
    households: households.length,
    indicators: indicators.length,
    calls,
    methods: results.map(([name, t]) => ({
      name,
      p50: quantile(t, 0.5),
      p90: quantile(t, 0.9),
      p99: quantile(t, 0.99),
    })),
  }) + '\n',
);
