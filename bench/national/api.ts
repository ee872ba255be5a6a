/**
 * The case systems' side of the benchmark: a gRPC client over mutual TLS
 * with the generated stubs, calls under load at a fixed concurrency, and a
 * watch on the indicator events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ChannelOptions,
  credentials,
  Metadata,
  type ClientReadableStream,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import {
  GetHouseholdRequest,
  RadarServiceClient,
  SearchHouseholdsRequest,
  WatchIndicatorsRequest,
  type GetHouseholdResponse,
  type SearchHouseholdsResponse,
  type WatchIndicatorsResponse,
} from '../../src/gen/radar/v1/radar.js';
import { quantile, round } from './children.js';

export const BENCH_CLIENT = 'bench-case-system';
export const REGIONS = Array.from({ length: 26 }, (_, i) => `VT${String(i + 1).padStart(2, '0')}`);

export function connect(
  port: number,
  pkiDir: string,
  options: ChannelOptions = {},
): RadarServiceClient {
  return new RadarServiceClient(
    `localhost:${port}`,
    credentials.createSsl(
      readFileSync(join(pkiDir, 'radar-dev-ca.crt')),
      readFileSync(join(pkiDir, `${BENCH_CLIENT}.key`)),
      readFileSync(join(pkiDir, `${BENCH_CLIENT}.crt`)),
    ),
    options,
  );
}

function metadata(): Metadata {
  const m = new Metadata();
  m.set('x-radar-user', 'benchmark');
  m.set('x-radar-purpose', 'national benchmark');
  return m;
}

const DEADLINE_MS = 30_000;

export function getHousehold(
  client: RadarServiceClient,
  request: Partial<GetHouseholdRequest>,
): Promise<GetHouseholdResponse> {
  return new Promise((resolve, reject) =>
    client.getHousehold(
      GetHouseholdRequest.fromPartial(request),
      metadata(),
      { deadline: Date.now() + DEADLINE_MS },
      (error: ServiceError | null, response?: GetHouseholdResponse) =>
        error ? reject(error) : resolve(response!),
    ),
  );
}

/**
 * The BSNs of `sample` whose household the service holds, asked one at a
 * time. A run cut short by its ingest limit holds only part of the history,
 * and a NOT_FOUND costs the service a fraction of an answer: load made with
 * those BSNs would measure the misses, not the households.
 */
export async function heldBsns(
  client: RadarServiceClient,
  sample: readonly string[],
): Promise<string[]> {
  const held: string[] = [];
  for (const bsn of sample) {
    try {
      await getHousehold(client, { bsn });
      held.push(bsn);
    } catch (error) {
      if ((error as Partial<ServiceError>).code !== status.NOT_FOUND) throw error;
    }
  }
  return held;
}

export function searchHouseholds(
  client: RadarServiceClient,
  request: Partial<SearchHouseholdsRequest>,
): Promise<SearchHouseholdsResponse> {
  return new Promise((resolve, reject) =>
    client.searchHouseholds(
      SearchHouseholdsRequest.fromPartial(request),
      metadata(),
      { deadline: Date.now() + DEADLINE_MS },
      (error: ServiceError | null, response?: SearchHouseholdsResponse) =>
        error ? reject(error) : resolve(response!),
    ),
  );
}

export function watchIndicators(
  client: RadarServiceClient,
  afterSequence: number,
): ClientReadableStream<WatchIndicatorsResponse> {
  return client.watchIndicators(WatchIndicatorsRequest.fromPartial({ afterSequence }), metadata());
}

export interface LoadResult {
  concurrency: number;
  calls: number;
  /** Calls answered with an error status (NOT_FOUND included: a BSN of a withdrawn signal). */
  errors: number;
  /** The errors by gRPC status name, so that a NOT_FOUND is told from a failure. */
  errorsByStatus?: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** What made the calls: ghz, or the grpc-js client in the benchmark's process (a run without it). */
  client?: 'ghz' | 'grpc-js';
}

/** `concurrency` callers, each calling again as soon as it is answered, for `seconds`. */
export async function load(
  concurrency: number,
  seconds: number,
  call: (i: number) => Promise<unknown>,
): Promise<LoadResult> {
  const times: number[] = [];
  let errors = 0;
  const errorsByStatus: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const at = performance.now();
        try {
          await call(next++);
        } catch (error) {
          errors++;
          const code = (error as Partial<ServiceError>).code;
          const name = code === undefined ? 'OTHER' : (status[code] ?? String(code));
          errorsByStatus[name] = (errorsByStatus[name] ?? 0) + 1;
        }
        times.push(performance.now() - at);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    concurrency,
    calls: times.length,
    errors,
    errorsByStatus,
    seconds: round(elapsed, 2),
    perSecond: round(times.length / elapsed),
    p50Ms: round(quantile(times, 0.5), 2),
    p99Ms: round(quantile(times, 0.99), 2),
    client: 'grpc-js',
  };
}
