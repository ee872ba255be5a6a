import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { RadarError } from '../errors.js';
import { tail } from './commands.js';
import { fetchKafkaJars, startBroker } from './index.js';

// stdout carries only what scripts consume (KAFKA_BROKERS=..., the jar directory).
const log = (message: string) => console.error(message);

const program = new Command('kafka').description(
  'A local single-node Apache Kafka broker (KRaft, from the Maven jars) for development and tests',
);

program
  .command('fetch')
  .description('only download the Kafka jars with Maven (skipped when cached)')
  .action(async () => {
    console.log(await fetchKafkaJars({ log }));
  });

program
  .command('start')
  .description('run a broker in the foreground until Ctrl-C')
  .option('--port <port>', 'client port on 127.0.0.1, 0 picks a free one', parsePort, 9092)
  .option(
    '--data <dir>',
    'keep topics and offsets in this directory between runs (default: a temporary one)',
  )
  .action(async (options: { port: number; data?: string }) => {
    const broker = await startBroker({ port: options.port, dataDir: options.data, log });
    console.log(`KAFKA_BROKERS=${broker.brokers.join(',')}`);
    log(`Kafka broker ready; Ctrl-C stops it`);
    let stopRequested = false;
    const stop = () => {
      stopRequested = true;
      void broker.stop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const code = await broker.exited;
    // Read the log before stop() removes a temporary data directory with it.
    const brokerLog = stopRequested ? '' : tail(await readFile(broker.logFile, 'utf8'));
    await broker.stop();
    if (!stopRequested) {
      throw new RadarError(
        'BROKER_UNAVAILABLE',
        `Kafka broker exited on its own (code ${code}):\n${brokerLog}`,
      );
    }
  });

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('not a TCP port');
  }
  return port;
}

try {
  await program.parseAsync();
} catch (err) {
  console.error(err instanceof RadarError ? `kafka: ${err.code}: ${err.message}` : err);
  process.exitCode = 1;
}
