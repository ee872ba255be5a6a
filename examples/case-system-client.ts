/**
 * A case-system client for the radar's gRPC API, small enough to copy.
 *
 *   npm run build
 *   RADAR_ADDRESS=radar.example.nl:50051 \
 *   RADAR_CA=ca.crt RADAR_CERT=client.crt RADAR_KEY=client.key \
 *   RADAR_USER=j.devries RADAR_PURPOSE="veiligheidsbeoordeling casus 2024-117" \
 *   node dist/examples/case-system-client.js household H-3f2a9c0d1e2b4a5f
 *   … bsn 111222333 | watch [after-sequence]
 *
 * What it shows:
 * - mutual TLS: the client certificate is the client's identity; the radar
 *   maps its subject CN to the regions this case system serves;
 * - every call carries `x-radar-user` and `x-radar-purpose` (NEN 7513): who
 *   the call is for and why; the radar refuses calls without them;
 * - a deadline on every unary call, waiting for the radar while it restarts;
 * - a watch that remembers the last sequence it processed and reconnects
 *   from there, so it misses nothing and sees nothing twice, also when the
 *   radar restarts.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  GetHouseholdRequest,
  IndicatorEventType,
  RadarServiceClient,
  WatchIndicatorsRequest,
  type GetHouseholdResponse,
  type WatchIndicatorsResponse,
} from '../src/gen/radar/v1/radar.js';

export interface ConnectOptions {
  /** `host:port` of the radar. */
  address: string;
  /** PEM: the CA that signed the radar's certificate. */
  ca: Buffer;
  /** PEM: this case system's certificate and key. */
  cert: Buffer;
  key: Buffer;
}

/** Who a call is for and why: required on every call. */
export interface CallContext {
  user: string;
  purpose: string;
}

export function connect(options: ConnectOptions): RadarServiceClient {
  return new RadarServiceClient(
    options.address,
    credentials.createSsl(options.ca, options.key, options.cert),
  );
}

function metadata(context: CallContext): Metadata {
  // waitForReady: while the radar restarts, a call waits for it (up to its
  // deadline) instead of failing at once with UNAVAILABLE.
  const md = new Metadata({ waitForReady: true });
  md.set('x-radar-user', context.user);
  md.set('x-radar-purpose', context.purpose);
  return md;
}

/**
 * One household by id, BSN or address. NOT_FOUND means: no household this
 * case system may see — the radar does not say whether another region has one.
 */
export function getHousehold(
  client: RadarServiceClient,
  by:
    | { householdId: string }
    | { bsn: string }
    | { address: { postcode: string; houseNumber: number } },
  context: CallContext,
  timeoutMs = 5000,
): Promise<GetHouseholdResponse> {
  return new Promise((resolve, reject) => {
    client.getHousehold(
      GetHouseholdRequest.fromPartial(by),
      metadata(context),
      { deadline: Date.now() + timeoutMs },
      (error, response) => (error ? reject(error) : resolve(response)),
    );
  });
}

export interface WatchOptions {
  /** Start after this sequence: the last one processed, kept by the caller (0 the first time). */
  after: number;
  /** Called for each event in order; store `event.sequence` once it is processed. */
  onEvent: (event: WatchIndicatorsResponse) => void | Promise<void>;
  /** Stops the watch. */
  signal: AbortSignal;
  /** Wait before reconnecting. @defaultValue 1000 */
  retryMs?: number;
}

/**
 * Follows indicator events for as long as `signal` allows, reconnecting
 * after errors and restarts from the last sequence processed.
 */
export async function watchIndicators(
  client: RadarServiceClient,
  context: CallContext,
  options: WatchOptions,
): Promise<void> {
  let after = options.after;
  while (!options.signal.aborted) {
    const stream = client.watchIndicators(
      WatchIndicatorsRequest.fromPartial({ afterSequence: after }),
      metadata(context),
    );
    const stop = (): void => stream.cancel();
    options.signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const event of stream as AsyncIterable<WatchIndicatorsResponse>) {
        await options.onEvent(event);
        after = event.sequence;
      }
    } catch (error) {
      const code = (error as ServiceError).code;
      if (code === status.UNAUTHENTICATED || code === status.PERMISSION_DENIED) throw error;
      // CANCELLED (we stopped), UNAVAILABLE (radar restarting), …: reconnect unless stopping.
    } finally {
      options.signal.removeEventListener('abort', stop);
    }
    if (!options.signal.aborted) await new Promise((r) => setTimeout(r, options.retryMs ?? 1000));
  }
}

async function cli(args: string[]): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`set ${name}`);
    return value;
  };
  const client = connect({
    address: process.env.RADAR_ADDRESS ?? 'localhost:50051',
    ca: readFileSync(env('RADAR_CA')),
    cert: readFileSync(env('RADAR_CERT')),
    key: readFileSync(env('RADAR_KEY')),
  });
  const context = { user: env('RADAR_USER'), purpose: env('RADAR_PURPOSE') };
  const [command, arg] = args;
  try {
    if (command === 'household' || command === 'bsn') {
      const by = command === 'bsn' ? { bsn: arg ?? '' } : { householdId: arg ?? '' };
      const { households, mergedFrom } = await getHousehold(client, by, context);
      if (mergedFrom !== '')
        console.log(`${mergedFrom} has merged into ${households[0]!.householdId}`);
      for (const h of households) {
        console.log(`household ${h.householdId} (${h.regions.join(', ')})`);
        console.log(`  ${h.persons.length} persons, ${h.timeline.length} signals`);
        for (const s of h.timeline) console.log(`  ${s.occurredAt} ${s.kind} ${s.signalId}`);
        for (const i of h.indicators) {
          console.log(
            `  ${i.active ? 'ACTIVE   ' : 'WITHDRAWN'} ${i.indicatorId} [${i.level}] ${i.explanation}`,
          );
        }
      }
    } else if (command === 'watch') {
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      await watchIndicators(client, context, {
        after: Number(arg ?? 0),
        signal: stop.signal,
        onEvent: (e) => {
          const type = IndicatorEventType[e.type].replace('INDICATOR_EVENT_TYPE_', '');
          console.log(
            `${e.sequence} ${type} ${e.indicator?.indicatorId} household ${e.indicator?.householdId}`,
          );
        },
      });
    } else {
      console.error(
        'usage: case-system-client household <id> | bsn <bsn> | watch [after-sequence]',
      );
      process.exitCode = 2;
    }
  } catch (error) {
    const e = error as ServiceError;
    console.error(`radar: ${status[e.code] ?? 'error'}: ${e.details ?? e.message}`);
    process.exitCode = 1;
  } finally {
    client.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void cli(process.argv.slice(2));
}
