import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RadarError } from '../errors.js';
import { runMaven, tail } from './commands.js';

/**
 * Kafka 3.9 is pinned on purpose: kafkajs 2.2.4 only speaks old versions of
 * the protocol APIs (Produce v3-, Fetch v4-, ...), which Kafka 4.0 removed
 * (KIP-896). 3.9 is the last line that still serves them, and it already
 * runs in KRaft mode, so no ZooKeeper is needed.
 */
export const KAFKA_VERSION = '3.9.1';

/**
 * kafka_2.13 declares only slf4j-api; without a binding the broker logs
 * nothing at all (and slf4j complains on stderr). The release tarball ships
 * slf4j-reload4j + reload4j, so we add the same two.
 */
const DEPENDENCIES: ReadonlyArray<readonly [group: string, artifact: string, version: string]> = [
  ['org.apache.kafka', 'kafka_2.13', KAFKA_VERSION],
  ['org.slf4j', 'slf4j-reload4j', '1.7.36'],
  ['ch.qos.reload4j', 'reload4j', '1.2.25'],
];

/** Written last, so a `libs` directory without it was never completely fetched. */
const COMPLETE_MARKER = '.radar-complete';

/** Where the jars live: `RADAR_KAFKA_HOME`, else a per-version directory in the user's cache. */
export function kafkaHome(): string {
  const override = process.env.RADAR_KAFKA_HOME;
  if (override) return override;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'radar', `kafka-${KAFKA_VERSION}`);
}

export interface FetchOptions {
  home?: string;
  log?: (message: string) => void;
}

/**
 * Downloads the broker's jars with Maven once and returns the directory that
 * holds them. Maven writes into a staging directory that is renamed into
 * place, so a crash or a concurrent fetch never leaves a half-filled `libs`.
 */
export async function fetchKafkaJars(options: FetchOptions = {}): Promise<string> {
  const home = options.home ?? kafkaHome();
  const libs = join(home, 'libs');
  if (existsSync(join(libs, COMPLETE_MARKER))) return libs;

  options.log?.(`Downloading Apache Kafka ${KAFKA_VERSION} jars with Maven into ${libs} (once)`);
  await mkdir(home, { recursive: true });
  const pom = join(home, 'pom.xml');
  await writeFile(pom, pomXml());
  const staging = await mkdtemp(join(home, 'libs-staging-'));
  try {
    const args = [
      '-B',
      '-q',
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
    ];
    const { code, output } = await runMaven(args);
    if (code !== 0) {
      throw new RadarError(
        'BROKER_UNAVAILABLE',
        `mvn could not download Kafka ${KAFKA_VERSION} (exit ${code}); is Maven Central reachable?\n${tail(output)}`,
        { retriable: true },
      );
    }
    await writeFile(join(staging, COMPLETE_MARKER), `${KAFKA_VERSION}\n`);
    await rename(staging, libs).catch((err: unknown) => {
      if (existsSync(join(libs, COMPLETE_MARKER))) return; // another fetch finished first
      throw new RadarError(
        'BROKER_UNAVAILABLE',
        `${libs} exists but is incomplete; delete it and retry`,
        {
          cause: err,
        },
      );
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return libs;
}

function pomXml(): string {
  const dependencies = DEPENDENCIES.map(
    ([group, artifact, version]) =>
      `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by radar's src/broker: only used to let Maven download the Kafka broker's jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>radar.local</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`;
}
