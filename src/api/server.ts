/**
 * The gRPC API for case systems: radar.v1.RadarService, the health service
 * and server reflection, over mutual TLS.
 *
 * Every RadarService call goes through the same steps: identify the client
 * from its certificate (subject CN), look up the regions it serves, require
 * `x-radar-user` and `x-radar-purpose`, answer from the read model, append
 * the audit record (fsynced), and only then send the answer. A refused or
 * failed call is audited too, with its status as outcome; a call that cannot
 * be audited is not answered (UNAVAILABLE).
 */
import { at } from '../at.js';
import { once } from 'node:events';
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedHandleCall,
  type handleUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { AuditLog } from '../audit/index.js';
import type { ApiMetrics } from './call-metrics.js';
import * as pb from '../gen/radar/v1/radar.js';
import type { Logger } from '../log/logger.js';
import { REGIONS } from '../signals/types.js';
import { peerCommonName } from './client-identity.js';
import { ApiError } from './errors.js';
import { HealthService, type ServingSource } from './health.js';
import { ReadModel, type Access, type Answer, type ApiState } from './read-model.js';
import { addReflection } from './reflection.js';
import { statusName, toStatus, type ErrorStatus } from './status.js';

export const SERVICE_NAME = 'radar.v1.RadarService';

/** PEM texts (or buffers) for mutual TLS. */
export interface ApiTls {
  /** The server's private key. */
  key: string | Buffer;
  /** The server's certificate chain. */
  cert: string | Buffer;
  /** CA certificates that sign the client certificates. */
  ca: string | Buffer;
}

export interface ApiServerOptions {
  /** Read on every call, so a service that rebuilds its radar is seen afresh. */
  state: ApiState | (() => ApiState);
  /**
   * Mutual TLS, or `'insecure'` for local development only: plaintext, and
   * the client names itself in the `x-radar-client` metadata.
   */
  tls: ApiTls | 'insecure';
  /** Client identity (certificate subject CN) → the regions it serves. */
  clients: Readonly<Record<string, readonly string[]>>;
  /** Where every call is recorded; the caller opens and closes it. */
  auditLog: AuditLog;
  /** @defaultValue `'0.0.0.0'` with TLS, `'127.0.0.1'` when insecure */
  host?: string;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number;
  /** Largest message received or sent. @defaultValue 4 MiB */
  maxMessageBytes?: number;
  /** Gets no personal data and no audit records: only methods, status codes and counts. */
  logger?: Logger;
  /** What the health service reports besides the server running. @defaultValue always serving */
  serving?: ServingSource;
  /** Told of every radar.v1 call's end and every audit record. */
  metrics?: ApiMetrics;
}

export interface ApiServer {
  readonly port: number;
  /**
   * Ends watch streams with UNAVAILABLE (clients reconnect elsewhere or later)
   * and stops, within about `graceMs`: half for the watches to end, the rest
   * for calls in flight, then it closes what is left. @defaultValue 4000
   */
  stop(graceMs?: number): Promise<void>;
}

const DEFAULTS = { port: 0, maxMessageBytes: 4 * 1024 * 1024 };

/** Call metadata naming the user a call acts for and why (NEN 7513). */
export const USER_HEADER = 'x-radar-user';
export const PURPOSE_HEADER = 'x-radar-purpose';
/** Insecure mode only: the client's self-declared identity. */
export const CLIENT_HEADER = 'x-radar-client';

const MAX_HEADER_CHARS = 256;

function validateOptions(options: ApiServerOptions): void {
  for (const [client, regions] of Object.entries(options.clients)) {
    if (client === '') throw new RangeError('a client identity must not be empty');
    for (const region of regions) {
      if (!REGIONS.includes(region))
        throw new RangeError(`client ${client}: unknown region ${region}`);
    }
  }
  if (options.tls !== 'insecure') {
    for (const part of ['key', 'cert', 'ca'] as const) {
      if (options.tls[part] === undefined || options.tls[part].length === 0)
        throw new RangeError(`tls.${part} is required`);
    }
  }
  const { maxMessageBytes, port } = { ...DEFAULTS, ...options };
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1024)
    throw new RangeError('maxMessageBytes must be at least 1024');
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new RangeError('port must be 0 to 65535');
}

interface CallContext {
  client: string;
  user: string;
  purpose: string;
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

function header(metadata: Metadata, name: string): string {
  const value = metadata.get(name)[0];
  return typeof value === 'string' ? value.trim() : '';
}

function encoder<T>(fns: { encode(message: T): { finish(): Uint8Array } }): (message: T) => Buffer {
  return (message) => {
    const bytes = fns.encode(message).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  };
}

/**
 * The service as grpc-js sends it: a unary answer goes out as the bytes
 * `unary` encoded to check its size, not encoded a second time by the
 * generated serializer (encoding was 13% of a GetHousehold's time, half of
 * it spent twice).
 */
const SERVICE: ServiceDefinition = Object.fromEntries(
  Object.entries(pb.RadarServiceService).map(([name, method]) => [
    name,
    method.responseStream ? method : { ...method, responseSerialize: (bytes: Buffer) => bytes },
  ]),
);

function deadlinePassed(call: AnyCall): boolean {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && Date.now() >= ms;
}

/**
 * Waits for a stream to drain or its call to end. Whichever comes second is
 * no longer listened for: a watch that waits on every write would otherwise
 * gather a listener for each.
 */
async function drainedOrCancelled(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([
      once(call, 'drain', { signal: done.signal }),
      once(call, 'cancelled', { signal: done.signal }),
    ]);
  } finally {
    done.abort();
  }
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  validateOptions(options);
  const settings = { ...DEFAULTS, ...options };
  const insecure = options.tls === 'insecure';
  const host = options.host ?? (insecure ? '127.0.0.1' : '0.0.0.0');
  const stateOf =
    typeof options.state === 'function'
      ? options.state
      : (
          (s: ApiState) => () =>
            s
        )(options.state);
  const model = new ReadModel(stateOf);
  const regionsOf = new Map(Object.entries(options.clients).map(([c, r]) => [c, new Set(r)]));
  const log = options.logger?.child({ component: 'api' });
  const audit = options.auditLog;
  const metrics = options.metrics;
  const watches = new Set<
    ServerWritableStream<pb.WatchIndicatorsRequest, pb.WatchIndicatorsResponse>
  >();
  const wakers = new Set<() => void>();
  let stopping = false;

  /** Fills `context` as far as it gets, so a refusal is audited with what was known. */
  function authenticate(call: AnyCall, context: CallContext): Access {
    if (insecure) {
      context.client = header(call.metadata, CLIENT_HEADER);
    } else {
      context.client = peerCommonName(call);
    }
    if (context.client === '') {
      throw new ApiError(
        'NO_CLIENT_IDENTITY',
        insecure ? `insecure mode: set ${CLIENT_HEADER}` : 'no client certificate',
      );
    }
    const regions = regionsOf.get(context.client);
    if (regions === undefined || regions.size === 0) {
      throw new ApiError('UNKNOWN_CLIENT', 'this client is not configured for any region');
    }
    context.user = header(call.metadata, USER_HEADER).slice(0, MAX_HEADER_CHARS);
    context.purpose = header(call.metadata, PURPOSE_HEADER).slice(0, MAX_HEADER_CHARS);
    const missing = [
      context.user === '' ? USER_HEADER : '',
      context.purpose === '' ? PURPOSE_HEADER : '',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new ApiError(
        'MISSING_CALL_CONTEXT',
        `every call must name the user it acts for and its purpose: missing ${missing.join(' and ')}`,
      );
    }
    return { client: context.client, regions };
  }

  async function record(
    method: string,
    context: CallContext,
    households: string[],
    indicators: string[],
    outcome: string,
  ): Promise<void> {
    await audit.append({
      time: new Date().toISOString(),
      client: context.client,
      user: context.user,
      purpose: context.purpose,
      method: `${SERVICE_NAME}/${method}`,
      households,
      indicators,
      outcome,
    });
    metrics?.audited(outcome);
  }

  /** Tells the metrics a call ended, and how long it took since `started` (performance.now()). */
  function observe(method: string, started: number, code: status): void {
    metrics?.call(method, statusName(code), (performance.now() - started) / 1000);
  }

  function logFailure(method: string, error: unknown, st: ErrorStatus): void {
    if (st.code === status.INTERNAL || st.code === status.UNAVAILABLE) {
      log?.error({ method, status: statusName(st.code), err: error }, 'call failed');
    } else {
      log?.debug({ method, status: statusName(st.code) }, 'call refused');
    }
  }

  /**
   * Audits a failed or refused call and logs it; the status to answer with
   * is the error's, or UNAVAILABLE when even the audit record cannot be
   * written (no call goes unaudited).
   */
  async function failed(
    method: string,
    context: CallContext,
    error: unknown,
  ): Promise<ErrorStatus> {
    let st = toStatus(error);
    try {
      await record(method, context, [], [], statusName(st.code));
    } catch (auditError) {
      st = toStatus(auditError);
    }
    logFailure(method, error, st);
    return st;
  }

  /**
   * The call ended before it was answered: nothing is disclosed, but the
   * attempt is audited. Returns the status it ended with.
   */
  async function recordGone(method: string, call: AnyCall, context: CallContext): Promise<status> {
    if (context.client === '') {
      try {
        authenticate(call, context);
      } catch {
        // Best effort: the record names what is known of the caller; a refusal changes nothing.
      }
    }
    const code = deadlinePassed(call) ? status.DEADLINE_EXCEEDED : status.CANCELLED;
    await record(method, context, [], [], statusName(code));
    return code;
  }

  function unary<Req, Res>(
    method: string,
    encode: (response: Res) => Buffer,
    handler: (request: Req, access: Access) => Promise<Answer<Res>>,
  ): handleUnaryCall<Req, Buffer> {
    return (call: ServerUnaryCall<Req, Buffer>, callback: sendUnaryData<Buffer>) => {
      const context: CallContext = { client: '', user: '', purpose: '' };
      const started = performance.now();
      void (async () => {
        try {
          if (call.cancelled || deadlinePassed(call)) {
            observe(method, started, await recordGone(method, call, context));
            return;
          }
          if (stopping) throw new ApiError('SHUTTING_DOWN', 'the server is stopping');
          const access = authenticate(call, context);
          const answer = await handler(call.request, access);
          if (call.cancelled || deadlinePassed(call)) {
            observe(method, started, await recordGone(method, call, context));
            return;
          }
          const bytes = encode(answer.response);
          if (bytes.length > settings.maxMessageBytes) {
            throw new ApiError(
              'RESPONSE_TOO_LARGE',
              `the answer exceeds ${settings.maxMessageBytes} bytes; narrow the request`,
            );
          }
          await record(method, context, answer.households, answer.indicators, 'OK');
          callback(null, bytes);
          observe(method, started, status.OK);
        } catch (error) {
          const st = await failed(method, context, error);
          callback(st);
          observe(method, started, st.code);
        }
      })();
    };
  }

  /**
   * Waits until the store holds events after `after`, or the server stops or
   * the call ends: the store tells its listeners of every write with events,
   * so a watch is woken, not polling.
   */
  async function nextEvents(store: ApiState['store'], after: number): Promise<void> {
    let done = (): void => undefined;
    const woken = new Promise<void>((resolve) => {
      done = resolve;
    });
    const unlisten = store.onEvents((last) => {
      if (last > after) done();
    });
    wakers.add(done);
    try {
      // Events stored between the caller's read and the listener are not missed.
      if ((await store.lastSequence()) > after) return;
      await woken;
    } finally {
      unlisten();
      wakers.delete(done);
    }
  }

  function watchIndicators(
    call: ServerWritableStream<pb.WatchIndicatorsRequest, pb.WatchIndicatorsResponse>,
  ): void {
    const method = 'WatchIndicators';
    const context: CallContext = { client: '', user: '', purpose: '' };
    const started = performance.now();
    let ended = false;
    call.on('cancelled', () => {
      ended = true;
      for (const wake of wakers) wake();
    });
    const fail = (
      st: Pick<ErrorStatus, 'code' | 'details'> & { metadata?: Metadata | null },
    ): void => {
      call.emit('error', { ...st, metadata: st.metadata ?? new Metadata() });
    };
    void (async () => {
      let access: Access;
      try {
        if (stopping) throw new ApiError('SHUTTING_DOWN', 'the server is stopping');
        access = authenticate(call, context);
      } catch (error) {
        const st = await failed(method, context, error);
        fail(st);
        observe(method, started, st.code);
        return;
      }
      watches.add(call);
      let after = call.request.afterSequence;
      try {
        while (!ended && !stopping) {
          const state = stateOf();
          const batch = [];
          for await (const event of state.store.events(after)) {
            batch.push(event);
            if (batch.length >= 256) break;
          }
          if (batch.length === 0) {
            await nextEvents(state.store, after);
            continue;
          }
          const visible = [];
          for (const event of batch) {
            if (await model.eventVisible(event.indicator, access)) visible.push(event);
          }
          if (visible.length > 0) {
            await record(
              method,
              context,
              [...new Set(visible.map((e) => e.indicator.householdId))].sort(),
              [...new Set(visible.map((e) => e.indicator.indicatorId))].sort(),
              'OK',
            );
          }
          for (const event of visible) {
            if (ended) break;
            const message: pb.WatchIndicatorsResponse = {
              sequence: event.sequence,
              recordedAt: event.recordedAt,
              type: pb.IndicatorEventType[`INDICATOR_EVENT_TYPE_${event.type}`],
              indicator: {
                ...event.indicator,
                signalIds: [...event.indicator.signalIds],
                active: event.type !== 'WITHDRAWN',
                lastSequence: event.sequence,
              },
            };
            if (!call.write(message)) await drainedOrCancelled(call);
          }
          after = at(batch, batch.length - 1).sequence;
        }
        const code = ended ? status.CANCELLED : status.UNAVAILABLE;
        await record(method, context, [], [], statusName(code));
        if (!ended)
          fail({
            code: status.UNAVAILABLE,
            details: 'the server is stopping; reconnect with after_sequence',
          });
        observe(method, started, code);
      } catch (error) {
        const st = await failed(method, context, error);
        if (!ended) fail(st);
        observe(method, started, ended ? status.CANCELLED : st.code);
      } finally {
        watches.delete(call);
      }
    })();
  }

  const implementation: Record<keyof typeof pb.RadarServiceService, UntypedHandleCall> = {
    getHousehold: unary(
      'GetHousehold',
      encoder(pb.GetHouseholdResponse),
      (request: pb.GetHouseholdRequest, access) => model.getHousehold(request, access),
    ),
    searchHouseholds: unary(
      'SearchHouseholds',
      encoder(pb.SearchHouseholdsResponse),
      (request: pb.SearchHouseholdsRequest, access) => model.searchHouseholds(request, access),
    ),
    listIndicators: unary(
      'ListIndicators',
      encoder(pb.ListIndicatorsResponse),
      (request: pb.ListIndicatorsRequest, access) => model.listIndicators(request, access),
    ),
    watchIndicators,
    explainIndicator: unary(
      'ExplainIndicator',
      encoder(pb.ExplainIndicatorResponse),
      (request: pb.ExplainIndicatorRequest, access) => model.explainIndicator(request, access),
    ),
  };

  const server = new Server({
    'grpc.max_receive_message_length': settings.maxMessageBytes,
    'grpc.max_send_message_length': settings.maxMessageBytes,
  });
  server.addService(SERVICE, implementation);
  const health = new HealthService([SERVICE_NAME], options.serving);
  health.addToServer(server);
  if (!addReflection(server))
    log?.warn('proto/radar/v1/radar.proto not found: server reflection is off');

  let credentials: ServerCredentials;
  if (options.tls === 'insecure') {
    const banner =
      'INSECURE MODE: the gRPC API runs without TLS and trusts the client name in x-radar-client. ' +
      'For local development only; never expose this port.';
    log?.warn({ host }, banner);
    process.stderr.write(`\n*** ${banner} ***\n\n`);
    credentials = ServerCredentials.createInsecure();
  } else {
    const { key, cert, ca } = options.tls;
    credentials = ServerCredentials.createSsl(
      Buffer.from(ca),
      [{ private_key: Buffer.from(key), cert_chain: Buffer.from(cert) }],
      true,
    );
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${settings.port}`, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  log?.info({ host, port, tls: !insecure, clients: regionsOf.size }, 'gRPC API listening');

  return {
    port,
    async stop(graceMs = 4000): Promise<void> {
      if (stopping) return;
      stopping = true;
      health.shutdown();
      for (const wake of [...wakers]) wake();
      // Watch loops notice `stopping`, audit their end and close with UNAVAILABLE.
      const deadline = Date.now() + graceMs / 2;
      while (watches.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          () => {
            server.forceShutdown();
            resolve();
          },
          Math.max(0, deadline + graceMs / 2 - Date.now()),
        );
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
