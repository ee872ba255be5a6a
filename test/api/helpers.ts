/**
 * Real certificates, real data and real clients for the API tests: openssl
 * makes a CA and certificates in a temporary directory, the contract's scenario
 * signals go through the same Radar the service runs, and their indicator
 * changes are written to a MemoryStore exactly as the service writes them.
 */
import { readFile } from 'node:fs/promises';
import {
  credentials,
  Metadata,
  type CallOptions,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import { flushedBatch } from '../../src/consumers/ingestor.js';
import { Radar } from '../../src/engine/index.js';
import { RadarServiceClient } from '../../src/gen/radar/v1/radar.js';
import { loadRuleset, type Ruleset } from '../../src/rules/index.js';
import { decodeJson } from '../../src/signals/index.js';
import type { Signal } from '../../src/signals/types.js';
import { MemoryStore } from '../../src/store/index.js';
import { scenarioFile } from '../fixtures/scenarios.js';

import type { ApiState } from '../../src/api/index.js';
import type { DevPki } from '../../src/api/dev-pki.js';

export { makePki, type DevPki, type Pem } from '../../src/api/dev-pki.js';

export async function scenarioSignals(file: string): Promise<Signal[]> {
  const text = await readFile(scenarioFile(file), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => decodeJson(line).signal);
}

export function signal(fields: Partial<Signal> & Pick<Signal, 'id' | 'region'>): Signal {
  const occurredAt = fields.occurredAt ?? '2024-02-01T10:00:00Z';
  return decodeJson(
    JSON.stringify({
      kind: 'MELDING',
      occurredAt,
      receivedAt: new Date(Date.parse(occurredAt) + 86_400_000).toISOString(),
      source: 'HUISARTS',
      category: 'PARTNERGEWELD',
      persons: [{ ref: 'a', role: 'SLACHTOFFER' }],
      ...fields,
    }),
  ).signal;
}

/** The radar and its store, fed as the service feeds them: ingest, flush, one write with the events. */
export class Fixture {
  readonly store = new MemoryStore();
  readonly radar: Radar;
  private readonly written = new Map<string, Signal>();

  constructor(readonly ruleset: Ruleset) {
    this.radar = new Radar({ ruleset });
  }

  static async create(): Promise<Fixture> {
    const fixture = new Fixture(await loadRuleset(scenarioFile('rules.yaml')));
    await fixture.store.open();
    return fixture;
  }

  get state(): ApiState {
    return { store: this.store, ruleset: this.ruleset };
  }

  async ingest(signals: readonly Signal[]): Promise<void> {
    for (const s of signals) {
      this.radar.ingest(s);
      this.written.set(s.id, s);
    }
    const { state } = flushedBatch(this.radar, signals, await this.store.lastSequence());
    await this.store.write(state);
  }

  /** The region of a signal in some household; undefined for a withdrawn one. */
  regionOf(signalId: string): string | undefined {
    if (this.radar.households.householdOf(signalId) === undefined) return undefined;
    return this.written.get(signalId)?.region;
  }

  householdOf(signalId: string): string {
    return this.radar.households.householdOf(signalId)!.id;
  }
}

export function client(pki: DevPki, port: number, cn?: string): RadarServiceClient {
  const pem = cn === undefined ? undefined : pki.clients[cn]!;
  return new RadarServiceClient(
    `localhost:${port}`,
    credentials.createSsl(pki.ca, pem?.key ?? null, pem?.cert ?? null),
  );
}

export function callMetadata(
  user = 'j.devries',
  purpose = 'veiligheidsbeoordeling casus 2024-117',
): Metadata {
  const md = new Metadata();
  if (user !== '') md.set('x-radar-user', user);
  if (purpose !== '') md.set('x-radar-purpose', purpose);
  return md;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** A unary call as a promise; rejects with the ServiceError. */
export function unary<Req, Res>(
  method: Unary<Req, Res>,
  request: Req,
  metadata: Metadata = callMetadata(),
  options: Partial<CallOptions> = { deadline: Date.now() + 10_000 },
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, metadata, options, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** The status a call failed with: code, details and the radar's error metadata. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ code: number; details: string; errorCode?: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as ServiceError;
    const errorCode = e.metadata?.get('x-radar-error-code')[0];
    const field = e.metadata?.get('x-radar-field')[0];
    return {
      code: e.code,
      details: e.details,
      ...(errorCode === undefined ? {} : { errorCode: String(errorCode) }),
      ...(field === undefined ? {} : { field: String(field) }),
    };
  }
  throw new Error('expected the call to fail');
}
