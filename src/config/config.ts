/**
 * The service's settings: one defaults object, overlaid by a config file,
 * then the environment, then command-line flags, and validated once at start
 * so that every bad setting is reported together before anything runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { RadarError } from '../errors.js';

export interface TopicNames {
  /** @defaultValue `radar.adviesvragen` */
  adviesvragen: string;
  /** @defaultValue `radar.meldingen` */
  meldingen: string;
  /** @defaultValue `radar.politie` */
  politie: string;
  /** @defaultValue `radar.dlq` */
  dlq: string;
  /** @defaultValue `radar.indicators` */
  indicators: string;
}

export interface RadarConfig {
  /** LevelDB directory. @defaultValue `./data` */
  dataDir: string;
  /** Rule file or directory. @defaultValue the shipped `rules/` */
  rules: string;
  kafka: {
    /** From `KAFKA_BROKERS`, comma-separated. @defaultValue none: required */
    brokers: string[];
    /** @defaultValue `radar` */
    clientId: string;
    /** @defaultValue `radar` */
    groupId: string;
    topics: TopicNames;
    /** Create missing topics at start. @defaultValue true */
    createTopics: boolean;
    /** Partitions of topics the service creates. @defaultValue 3 */
    partitions: number;
    /**
     * Milliseconds without a heartbeat after which the broker drops a consumer
     * from the group. A service restarted after a crash waits this long before
     * it gets its partitions, since its dead predecessor still holds them.
     * The broker only accepts values within its `group.min.session.timeout.ms`
     * (6000 by default) and `group.max.session.timeout.ms`. @defaultValue 30000
     */
    sessionTimeout: number;
    /**
     * Largest chunk of indicator events or dead letters produced at once, in
     * bytes; lowered to a topic's `max.message.bytes` when that is smaller.
     * An event or dead letter too large for the topic on its own is cut down
     * (see docs/operating.md). @defaultValue 524288 (512 KiB, half the broker's default limit)
     */
    maxProduceBytes: number;
    /**
     * Most bytes fetched from one partition at once: the batch `radar serve`
     * folds and stores in one write, on the thread that answers the API, so
     * a smaller one shortens the API's waits while a backlog is taken in
     * (docs/performance-history.md, "A smaller batch for the API's tail").
     * A larger message still arrives, alone. @defaultValue 262144 (256 KiB)
     */
    maxBatchBytes: number;
    /** How the service restarts a consumer that crashed. */
    restart: {
      /** More crashes than this within `windowMs` end the process (exit 1). @defaultValue 10 */
      maxCrashes: number;
      /** @defaultValue 600000 (10 minutes) */
      windowMs: number;
      /** Backoff before the first restart; doubles per recent crash. @defaultValue 1000 */
      initialDelayMs: number;
      /** @defaultValue 60000 */
      maxDelayMs: number;
    };
  };
  households: {
    /** Address keys such as `1234AB|5||` that never link signals. @defaultValue none */
    institutionalAddresses: string[];
    /** More distinct persons than this at one address make it institutional. @defaultValue 12 */
    institutionalPersonThreshold: number;
  };
  store: {
    /** fsync every batch, so an acknowledged batch survives power loss. @defaultValue true */
    sync: boolean;
    /**
     * Once this many signals were accepted since the store was last
     * compacted whole, and no batch came for `compactWhenIdleMs`, the store
     * is compacted whole in the background: a backlog leaves LevelDB's levels
     * overlapping, and the first random reads after it (the API's) then start
     * compactions of their own (docs/operating.md). 0 never compacts.
     * @defaultValue 200000
     */
    compactAfterSignals: number;
    /** @defaultValue 10000 */
    compactWhenIdleMs: number;
  };
  /**
   * A first start (no data directory, no offsets committed by the group)
   * that finds a large backlog on the signal topics reads it whole, then
   * folds it household by household before it serves: each household
   * formed once instead of once per signal that joins it (docs/operating.md,
   * "A first start on a long history").
   */
  initialLoad: {
    /** At least this many messages waiting; 0 never loads this way. @defaultValue 50000 */
    minMessages: number;
    /** Signals folded per store write, whole households each. @defaultValue 2000 */
    batchSignals: number;
  };
  /**
   * Signals whose `occurredAt` is more than `years` calendar years (UTC)
   * before now are removed with everything derived from them, at start and
   * every `intervalMs` between Kafka batches (see docs/operating.md).
   */
  retention: {
    /** @defaultValue 20 */
    years: number;
    /** How often a retention pass runs after the one at start. @defaultValue 3600000 (an hour) */
    intervalMs: number;
    /** Expired signals removed per store write. @defaultValue 500 */
    batchSize: number;
  };
  log: {
    /** @defaultValue `info` */
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
  /** The gRPC API for case systems (`radar.v1.RadarService`). */
  api: {
    /** @defaultValue false */
    enabled: boolean;
    /** @defaultValue `0.0.0.0`, or `127.0.0.1` when insecure */
    host?: string;
    /** @defaultValue 50051 */
    port: number;
    /** Plaintext, clients name themselves: local development only. @defaultValue false */
    insecure: boolean;
    /** PEM files: the server's key and certificate, and the CA that signs client certificates. */
    tls?: { key: string; cert: string; ca: string };
    /** Client certificate subject CN → the regions it serves. @defaultValue none */
    clients: Record<string, string[]>;
    /** The hash-chained audit log of every read. @defaultValue `./audit/audit.ndjson` */
    auditLog: string;
    /** @defaultValue 4 MiB */
    maxMessageBytes: number;
  };
  /** Plain HTTP for operators: `/metrics` (Prometheus), `/livez`, `/readyz`. No personal data. */
  http: {
    /** @defaultValue false; `RADAR_HTTP_PORT` enables it */
    enabled: boolean;
    /** @defaultValue `127.0.0.1`; `0.0.0.0` in the image, for a scraper in another container */
    host: string;
    /** 0 picks a free port. @defaultValue 9464 */
    port: number;
    /** Ready only while the summed consumer lag is at most this many messages. @defaultValue 1000 */
    readyMaxLag: number;
    /** How often the consumer lag is read from the broker, in milliseconds. @defaultValue 5000 */
    lagIntervalMs: number;
  };
  shutdown: {
    /**
     * On SIGTERM or SIGINT: at most this long to finish the batch, commit and
     * drain the API before the process ends anyway (exit 1). @defaultValue 8000,
     * below Docker's 10 s between SIGTERM and SIGKILL
     */
    timeoutMs: number;
  };
}

/** The package root, found the same way from `src/` (tests) and `dist/src/` (the command). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('radar: cannot find its package.json');
    dir = parent;
  }
  return dir;
}

export const SHIPPED_RULES = join(packageRoot(), 'rules');

export const DEFAULTS: RadarConfig = {
  dataDir: './data',
  rules: SHIPPED_RULES,
  kafka: {
    brokers: [],
    clientId: 'radar',
    groupId: 'radar',
    topics: {
      adviesvragen: 'radar.adviesvragen',
      meldingen: 'radar.meldingen',
      politie: 'radar.politie',
      dlq: 'radar.dlq',
      indicators: 'radar.indicators',
    },
    createTopics: true,
    partitions: 3,
    sessionTimeout: 30_000,
    maxProduceBytes: 512 * 1024,
    maxBatchBytes: 256 * 1024,
    restart: { maxCrashes: 10, windowMs: 600_000, initialDelayMs: 1000, maxDelayMs: 60_000 },
  },
  households: { institutionalAddresses: [], institutionalPersonThreshold: 12 },
  store: { sync: true, compactAfterSignals: 200_000, compactWhenIdleMs: 10_000 },
  initialLoad: { minMessages: 50_000, batchSignals: 2000 },
  retention: { years: 20, intervalMs: 3_600_000, batchSize: 500 },
  log: { level: 'info' },
  api: {
    enabled: false,
    port: 50051,
    insecure: false,
    clients: {},
    auditLog: './audit/audit.ndjson',
    maxMessageBytes: 4 * 1024 * 1024,
  },
  http: {
    enabled: false,
    host: '127.0.0.1',
    port: 9464,
    readyMaxLag: 1000,
    lagIntervalMs: 5000,
  },
  shutdown: { timeoutMs: 8000 },
};

const topicName = { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' };
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    rules: { type: 'string', minLength: 1 },
    kafka: {
      type: 'object',
      additionalProperties: false,
      properties: {
        brokers: {
          type: 'array',
          items: { type: 'string', pattern: '^[^\\s:,]+:[0-9]{1,5}$' },
        },
        clientId: { type: 'string', minLength: 1 },
        groupId: { type: 'string', minLength: 1 },
        topics: {
          type: 'object',
          additionalProperties: false,
          properties: {
            adviesvragen: topicName,
            meldingen: topicName,
            politie: topicName,
            dlq: topicName,
            indicators: topicName,
          },
        },
        createTopics: { type: 'boolean' },
        partitions: { type: 'integer', minimum: 1, maximum: 1000 },
        sessionTimeout: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
        // At least room for an abridged indicator event; at most Kafka's largest request.
        maxProduceBytes: { type: 'integer', minimum: 16 * 1024, maximum: 100 * 1024 * 1024 },
        // At least a few signals a batch; at most what kafkajs fetches in one request by default.
        maxBatchBytes: { type: 'integer', minimum: 16 * 1024, maximum: 10 * 1024 * 1024 },
        restart: {
          type: 'object',
          additionalProperties: false,
          properties: {
            maxCrashes: { type: 'integer', minimum: 0 },
            windowMs: { type: 'integer', minimum: 1000 },
            initialDelayMs: { type: 'integer', minimum: 0 },
            maxDelayMs: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
    households: {
      type: 'object',
      additionalProperties: false,
      properties: {
        institutionalAddresses: {
          type: 'array',
          items: {
            type: 'string',
            pattern: '^[0-9]{4}[A-Z]{2}\\|[0-9]{1,5}\\|[A-Z]?\\|[A-Z0-9]{0,4}$',
          },
        },
        institutionalPersonThreshold: { type: 'integer', minimum: 1 },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sync: { type: 'boolean' },
        compactAfterSignals: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
        compactWhenIdleMs: { type: 'integer', minimum: 1000, maximum: 24 * 3_600_000 },
      },
    },
    initialLoad: {
      type: 'object',
      additionalProperties: false,
      properties: {
        minMessages: { type: 'integer', minimum: 0 },
        batchSignals: { type: 'integer', minimum: 1, maximum: 100_000 },
      },
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      properties: {
        years: { type: 'integer', minimum: 1, maximum: 200 },
        intervalMs: { type: 'integer', minimum: 1000, maximum: 7 * 24 * 3_600_000 },
        batchSize: { type: 'integer', minimum: 1, maximum: 100_000 },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
      },
    },
    api: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        insecure: { type: 'boolean' },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['key', 'cert', 'ca'],
          properties: {
            key: { type: 'string', minLength: 1 },
            cert: { type: 'string', minLength: 1 },
            ca: { type: 'string', minLength: 1 },
          },
        },
        clients: {
          type: 'object',
          additionalProperties: {
            type: 'array',
            items: { type: 'string', pattern: '^VT(0[1-9]|1[0-9]|2[0-6])$' },
          },
        },
        auditLog: { type: 'string', minLength: 1 },
        maxMessageBytes: { type: 'integer', minimum: 1024 },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        readyMaxLag: { type: 'integer', minimum: 0 },
        lagIntervalMs: { type: 'integer', minimum: 100, maximum: 600_000 },
      },
    },
    shutdown: {
      type: 'object',
      additionalProperties: false,
      properties: {
        timeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(SCHEMA);

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};
export type RadarConfigInput = DeepPartial<RadarConfig>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/** Settings the environment may give; an unset variable leaves the setting alone. */
export function configFromEnv(env: NodeJS.ProcessEnv): RadarConfigInput {
  const out: RadarConfigInput = {};
  if (env.KAFKA_BROKERS !== undefined) {
    out.kafka = {
      brokers: env.KAFKA_BROKERS.split(',')
        .map((b) => b.trim())
        .filter((b) => b !== ''),
    };
  }
  if (env.RADAR_DATA !== undefined) out.dataDir = env.RADAR_DATA;
  if (env.RADAR_RULES !== undefined) out.rules = env.RADAR_RULES;
  if (env.RADAR_API_PORT !== undefined)
    out.api = { enabled: true, port: Number(env.RADAR_API_PORT) };
  if (env.RADAR_HTTP_PORT !== undefined || env.RADAR_HTTP_HOST !== undefined) {
    out.http = {
      enabled: true,
      ...(env.RADAR_HTTP_PORT !== undefined && { port: Number(env.RADAR_HTTP_PORT) }),
      ...(env.RADAR_HTTP_HOST !== undefined && { host: env.RADAR_HTTP_HOST }),
    };
  }
  if (env.RADAR_SHUTDOWN_TIMEOUT_MS !== undefined)
    out.shutdown = { timeoutMs: Number(env.RADAR_SHUTDOWN_TIMEOUT_MS) };
  if (env.RADAR_LOG_LEVEL !== undefined)
    out.log = { level: env.RADAR_LOG_LEVEL as RadarConfig['log']['level'] };
  return out;
}

export function readConfigFile(path: string): RadarConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RadarError('CONFIG_INVALID', `cannot read config file ${path}`, { cause: error });
  }
  try {
    const parsed: unknown = parseYaml(text);
    return parsed ?? {};
  } catch (error) {
    throw new RadarError(
      'CONFIG_INVALID',
      `config file ${path} is not valid YAML or JSON: ${(error as Error).message}`,
    );
  }
}

/**
 * Overlays the layers on the defaults (later layers win) and validates the
 * result, reporting every bad setting by its dotted path.
 */
export function resolveConfig(...layers: RadarConfigInput[]): RadarConfig {
  let merged: unknown = DEFAULTS;
  for (const layer of layers) merged = merge(merged, layer);
  if (!validate(merged)) {
    const problems = (validate.errors ?? []).map((e) => {
      const path = e.instancePath.slice(1).replaceAll('/', '.') || '(root)';
      const extra =
        e.keyword === 'additionalProperties' ? ` '${String(e.params.additionalProperty)}'` : '';
      return `  ${path}: ${e.message ?? 'invalid'}${extra}`;
    });
    throw new RadarError('CONFIG_INVALID', `invalid settings:\n${problems.join('\n')}`);
  }
  const config = merged as RadarConfig;
  if (config.api.enabled && !config.api.insecure && config.api.tls === undefined) {
    throw new RadarError(
      'CONFIG_INVALID',
      'invalid settings:\n  api.tls: the API always runs with mutual TLS; give api.tls.key, api.tls.cert and api.tls.ca (or api.insecure: true for local development only)',
    );
  }
  return config;
}

/** The service cannot start without a broker; a backtest reading the same file needs none. */
export function requireBrokers(config: RadarConfig): void {
  if (config.kafka.brokers.length === 0) {
    throw new RadarError(
      'CONFIG_INVALID',
      'invalid settings:\n  kafka.brokers: no Kafka broker configured; set KAFKA_BROKERS=host:port[,host:port] or kafka.brokers in the config file',
    );
  }
}
