import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { RadarError } from '../errors.js';
import { JAVA_INSTALL, requireJava, runCommand, tail } from './commands.js';
import { freePort } from './free-port.js';
import { fetchKafkaJars } from './kafka-jars.js';

export interface BrokerOptions {
  /** Kept between runs when given; otherwise a temporary directory that stop() removes. */
  dataDir?: string;
  /** The client (PLAINTEXT) port; 0 or absent picks a free one. */
  port?: number;
  /** Receives the broker's stdout and stderr; defaults to `broker.log` in the data directory. */
  logFile?: string;
  /** Where the jars are cached; defaults to kafkaHome(). */
  kafkaHome?: string;
  readyTimeoutMs?: number;
  log?: (message: string) => void;
  /**
   * Runs the JVM in a process group of its own, so that a Ctrl-C on the
   * terminal reaches this process alone, which can then stop what uses the
   * broker before the broker. Only for a caller that handles SIGINT and
   * SIGTERM itself: a signal that ends this process would leave the JVM running.
   */
  ownProcessGroup?: boolean;
}

export interface RunningBroker {
  /** Bootstrap addresses for clients, `127.0.0.1:<port>`. */
  brokers: string[];
  dataDir: string;
  logFile: string;
  /** Settles with the exit code when the current broker process ends, by halt(), stop() or on its own. */
  readonly exited: Promise<number | null>;
  /**
   * Ends the broker process (SIGTERM, SIGKILL if it hangs, or SIGKILL at once
   * when asked) and keeps its log directory, ports and settings, so that
   * restart() brings back the same broker: a broker outage, for fault tests.
   */
  halt(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the broker again on the same ports and log directory (halting it first if it runs) and waits until it answers. */
  restart(): Promise<void>;
  /** Shuts the broker down (SIGTERM, SIGKILL if it hangs); safe to call more than once. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const PROBE_INTERVAL_MS = 250;

/** Starts a single-node KRaft broker (broker and controller in one JVM) on 127.0.0.1. */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const java = await requireJava();
  const libs = await fetchKafkaJars({ home: options.kafkaHome, log: options.log });
  const classpath = join(libs, '*');

  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'radar-kafka-')));
  await mkdir(dataDir, { recursive: true });
  const logFile = options.logFile ?? join(dataDir, 'broker.log');
  const port = options.port || (await freePort());
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();

  const config = await writeConfig(dataDir, port, controllerPort);
  if (!existsSync(join(config.logDirs, 'meta.properties'))) {
    await formatStorage(java, classpath, config.serverProperties);
  }

  const brokers = [`127.0.0.1:${port}`];
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const launch = async (): Promise<BrokerProcess> => {
    options.log?.(`Starting Kafka broker on 127.0.0.1:${port} (log: ${logFile})`);
    const jvm = spawnBroker(java, classpath, config, logFile, options.ownProcessGroup ?? false);
    try {
      await waitUntilReady(brokers, () => jvm.running, logFile, readyTimeoutMs);
    } catch (err) {
      await jvm.end('SIGKILL');
      throw err;
    }
    return jvm;
  };

  let jvm = await launch();
  let stopping: Promise<void> | undefined;
  return {
    brokers,
    dataDir,
    logFile,
    get exited() {
      return jvm.exited;
    },
    halt: (signal = 'SIGTERM') => jvm.end(signal),
    restart: async () => {
      if (stopping) throw new RadarError('BROKER_UNAVAILABLE', 'the broker was stopped for good');
      await jvm.end('SIGTERM');
      jvm = await launch();
    },
    stop: () =>
      (stopping ??= (async () => {
        await jvm.end('SIGTERM');
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}

interface BrokerProcess {
  readonly running: boolean;
  readonly exited: Promise<number | null>;
  /** Ends the process with the signal (SIGKILL if SIGTERM does not end it in time); safe to call more than once. */
  end(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

function spawnBroker(
  java: string,
  classpath: string,
  config: BrokerConfig,
  logFile: string,
  ownProcessGroup: boolean,
): BrokerProcess {
  const logFd = openSync(logFile, 'a');
  const child = spawn(
    java,
    [
      '-Xmx512m',
      `-Dlog4j.configuration=${pathToFileURL(config.log4jProperties).href}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      config.serverProperties,
    ],
    { stdio: ['ignore', logFd, logFd], detached: ownProcessGroup },
  );
  closeSync(logFd);

  let running = true;
  // A crashed test run or an uncaught error must not leave a JVM behind.
  const terminateOnExit = () => child.kill('SIGTERM');
  process.on('exit', terminateOnExit);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(null));
  }).finally(() => {
    running = false;
    process.off('exit', terminateOnExit);
  });
  return {
    get running() {
      return running;
    },
    exited,
    end: async (signal) => {
      if (running) {
        child.kill(signal);
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

interface BrokerConfig {
  serverProperties: string;
  log4jProperties: string;
  logDirs: string;
}

async function writeConfig(
  dataDir: string,
  port: number,
  controllerPort: number,
): Promise<BrokerConfig> {
  const logDirs = join(dataDir, 'kraft-combined-logs');
  const serverProperties = join(dataDir, 'server.properties');
  const log4jProperties = join(dataDir, 'log4j.properties');
  await writeFile(
    serverProperties,
    `# Written by radar's src/broker on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${logDirs}
# One node: internal topics cannot have more replicas than that.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Consumers join at once instead of waiting 3s for more members.
group.initial.rebalance.delay.ms=0
num.partitions=3
# Like production: every topic is created on purpose, a typo fails loudly.
auto.create.topics.enable=false
`,
  );
  await writeFile(
    log4jProperties,
    `# Warnings and errors only, so the tail quoted in a startup error shows the cause, not routine INFO.
log4j.rootLogger=WARN, stdout
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
`,
  );
  return { serverProperties, log4jProperties, logDirs };
}

async function formatStorage(
  java: string,
  classpath: string,
  serverProperties: string,
): Promise<void> {
  const args = [
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId(),
    '-c',
    serverProperties,
  ];
  const { code, output } = await runCommand(java, args, JAVA_INSTALL);
  if (code !== 0) {
    throw new RadarError(
      'BROKER_UNAVAILABLE',
      `kafka-storage format failed (exit ${code}):\n${tail(output)}`,
    );
  }
}

/** A Kafka Uuid: 16 random bytes, url-safe base64 without padding (22 characters). */
function clusterId(): string {
  let id: string;
  // Like Kafka's own generator: an id starting with '-' would read as a command-line flag.
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  return id;
}

async function waitUntilReady(
  brokers: string[],
  isRunning: () => boolean,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'radar-broker-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    // Short timeouts: a port held by something that accepts but never answers must not stall the probe.
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isRunning()) {
      throw new RadarError(
        'BROKER_UNAVAILABLE',
        `Kafka broker exited during startup; ${await logTail(logFile)}`,
      );
    }
    if (await answers(kafka)) return;
    if (Date.now() > deadline) {
      throw new RadarError(
        'BROKER_UNAVAILABLE',
        `Kafka broker did not answer on ${brokers.join(',')} within ${timeoutMs / 1000}s; ${await logTail(logFile)}`,
        { retriable: true },
      );
    }
    await sleep(PROBE_INTERVAL_MS);
  }
}

async function answers(kafka: Kafka): Promise<boolean> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect();
  }
}

async function logTail(logFile: string): Promise<string> {
  const log = await readFile(logFile, 'utf8').catch(() => '');
  return `last lines of ${logFile}:\n${tail(log)}`;
}
