/**
 * The `radar` command. Exit status: 0 when it ran, 2 for bad arguments or an
 * invalid ruleset (every problem reported), 3 for a damaged data directory,
 * 4 for a lost one (both: `radar rebuild`), 1 for anything else.
 *
 * A command's modules are imported when it runs, so that `radar backtest` or
 * `radar --help` does not load Kafka, gRPC and the rest first (about 150 ms
 * of every start).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { mkdir } from 'node:fs/promises';
import { defaultWorkerThreads } from '../backtest/chunk-decoder.js';
import { RadarError, RuleValidationError } from '../errors.js';
import { rebuildHint } from '../service/store-check.js';
import type { backtestCommand } from './backtest-command.js';
import type { demoCommand } from './demo-command.js';
import type { exportCommand } from './export-command.js';
import type { rulesDiffCommand } from './rules-diff-command.js';
import type { rulesTestCommand } from './rules-test-command.js';
import type { rebuildCommand } from './rebuild-command.js';
import type { serveCommand } from './serve-command.js';
import type { generateSignalLines } from '../synthetic/generate.js';
import { processIo, type CliIo } from './io.js';

export const EXIT_USAGE = 2;
/** Ran, and failed for a reason the radar names. */
export const EXIT_FAILURE = 1;
/** The data directory is damaged (STORE_DAMAGED, or LevelDB reports corruption): `radar rebuild`. */
export const EXIT_STORE_DAMAGED = 3;
/** The data directory is gone while the consumer group has committed offsets (STORE_MISSING): `radar rebuild`. */
export const EXIT_STORE_MISSING = 4;

/** Errors the user fixes by changing how the command is called or configured. */
const USAGE_ERRORS = new Set([
  'CONFIG_INVALID',
  'STORE_LOCKED',
  'STORE_NOT_FOUND',
  'RULE_NOT_FOUND',
]);

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('expected 0 or a positive integer');
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function program(io: CliIo, run: (task: () => Promise<number>) => void): Command {
  const root = new Command('radar')
    .description(
      'The Veilig Thuis radar: signals folded into households, correlation rules, indicators.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  root
    .command('backtest')
    .description('Apply rules to a file of signals and print households and indicators as NDJSON.')
    .requiredOption('--signals <file>', 'NDJSON signal file, or - for standard input')
    .requiredOption('--rules <path>', 'rule file or directory of rule files')
    .option('--out <file>', 'write the output here instead of standard output')
    .option('--config <file>', "the service's settings file, for its household settings")
    .addOption(
      new Option(
        '--institutional-threshold <n>',
        'an address naming more persons than this is institutional (default 12)',
      ).argParser(positiveInteger),
    )
    .option(
      '--institutional-address <key>',
      'an institutional address key, e.g. 1234AB|5||; repeatable',
      collect,
    )
    .addOption(
      new Option(
        '--threads <n>',
        'worker threads that decode signals and evaluate rules beside the main thread; 0 does all on the main thread',
      )
        .argParser(nonNegativeInteger)
        .default(defaultWorkerThreads(), 'one less than the CPUs, at least 1'),
    )
    .action((options: Parameters<typeof backtestCommand>[0]) =>
      run(async () => (await import('./backtest-command.js')).backtestCommand(options, io)),
    );

  root
    .command('serve')
    .description('Consume the signal topics from Kafka (KAFKA_BROKERS) and keep the radar on disk.')
    .option('--config <file>', 'YAML or JSON settings file (also RADAR_CONFIG)')
    .option('--data <dir>', 'data directory (default ./data)')
    .option('--rules <path>', 'rule file or directory (default: the shipped rules/)')
    .option('--group <id>', 'Kafka consumer group (default radar)')
    .action((options: Parameters<typeof serveCommand>[0]) =>
      run(async () => (await import('./serve-command.js')).serveCommand(options)),
    );

  root
    .command('rebuild')
    .description(
      'Make the state again from the signal topics, for a damaged or lost data directory (moved aside, kept).',
    )
    .option('--config <file>', 'the settings file radar serve uses (also RADAR_CONFIG)')
    .option('--data <dir>', 'data directory (default ./data)')
    .option('--rules <path>', 'rule file or directory (default: the shipped rules/)')
    .option(
      '--group <id>',
      "the service's consumer group (default radar): its offsets say what was produced before",
    )
    .action((options: Parameters<typeof rebuildCommand>[0]) =>
      run(async () => (await import('./rebuild-command.js')).rebuildCommand(options, io)),
    );

  root
    .command('demo')
    .description(
      'Start a broker if none is configured, replay a synthetic stream and run the service on it.',
    )
    .addOption(
      new Option('--count <n>', 'synthetic signals to replay')
        .argParser(positiveInteger)
        .default(5000),
    )
    .option('--data <dir>', 'data directory', './data')
    .action((options: Parameters<typeof demoCommand>[0]) =>
      run(async () => (await import('./demo-command.js')).demoCommand(options, io)),
    );

  root
    .command('generate')
    .description(
      'Print synthetic NDJSON signals (no real persons) for trying the radar and benchmarks.',
    )
    .addOption(
      new Option('--count <n>', 'number of lines').argParser(positiveInteger).default(1000),
    )
    .addOption(new Option('--seed <n>', 'random seed').argParser(positiveInteger).default(1))
    .action((options: Parameters<typeof generateSignalLines>[0]) =>
      run(async () => {
        const [{ writeLines }, { generateSignalLines }] = await Promise.all([
          import('../backtest/lines.js'),
          import('../synthetic/generate.js'),
        ]);
        await writeLines(io.stdout, generateSignalLines(options));
        return 0;
      }),
    );

  root
    .command('dev-certs')
    .description(
      'Make a throwaway CA, server and client certificates for trying the API with mutual TLS.',
    )
    .argument('<dir>', 'directory to write the PEM files into')
    .option('--client <cn>', 'a client identity (certificate subject CN); repeatable', collect)
    .action((dir: string, options: { client?: string[] }) =>
      run(async () => {
        const { makePki } = await import('../api/dev-pki.js');
        await mkdir(dir, { recursive: true });
        const clients = options.client ?? ['vt09-case-system'];
        makePki(dir, clients);
        io.stdout.write(
          `wrote to ${dir}: radar-dev-ca.crt (CA), server.key + server.crt (localhost), ` +
            `${clients.map((c) => `${c}.key + ${c}.crt`).join(', ')}\n` +
            `api.tls: { key: ${dir}/server.key, cert: ${dir}/server.crt, ca: ${dir}/radar-dev-ca.crt }\n`,
        );
        return 0;
      }),
    );

  root
    .command('export')
    .description('Print the stored state of a stopped service in the backtest output format.')
    .requiredOption('--data <dir>', 'data directory of the service')
    .action((options: Parameters<typeof exportCommand>[0]) =>
      run(async () => (await import('./export-command.js')).exportCommand(options, io)),
    );

  const rules = root.command('rules').description('Work with rule files.');
  rules
    .command('validate')
    .description('Check a rule file or directory; report every problem with file, line and key.')
    .argument('<path>', 'rule file or directory')
    .action((path: string) =>
      run(async () => {
        const ruleset = await (await import('../rules/index.js')).loadRuleset(path);
        io.stdout.write(
          `${ruleset.rules.length} rules valid: ${ruleset.rules.map((r) => `${r.id}@${r.version}`).join(', ')}\n`,
        );
        return 0;
      }),
    );
  rules
    .command('test')
    .description(
      "Run every rule's fixture (fixtures/<id>.ndjson) through the backtest; exit 1 when any fails.",
    )
    .argument('[path]', 'rule file or directory (default: the shipped rules/)')
    .option(
      '--update <id>',
      "rewrite this rule's expected file with what its fixture raises now; repeatable",
      collect,
    )
    .action((path: string | undefined, options: Parameters<typeof rulesTestCommand>[1]) =>
      run(async () =>
        (await import('./rules-test-command.js')).rulesTestCommand(path, options, io),
      ),
    );
  rules
    .command('diff')
    .description(
      'Backtest two rulesets on the same households and print, per rule, which indicators change.',
    )
    .requiredOption('--signals <file>', 'NDJSON signal file, or - for standard input')
    .requiredOption('--base <path>', 'the rules as they are: file or directory')
    .requiredOption('--candidate <path>', 'the rules as proposed: file or directory')
    .option('--report <file>', 'also write a self-contained HTML report here')
    .option('--config <file>', "the service's settings file, for its household settings")
    .addOption(
      new Option('--threads <n>', 'worker threads that decode signals beside the main thread')
        .argParser(nonNegativeInteger)
        .default(defaultWorkerThreads(), 'one less than the CPUs, at least 1'),
    )
    .action((options: Parameters<typeof rulesDiffCommand>[0]) =>
      run(async () => (await import('./rules-diff-command.js')).rulesDiffCommand(options, io)),
    );

  root
    .command('audit')
    .description('Work with the NEN 7513 audit log of the gRPC API.')
    .command('verify')
    .description(
      'Check the hash chain of an audit log; exit 1 naming the first line that breaks it.',
    )
    .argument('<file>', 'audit log (NDJSON)')
    .action((file: string) =>
      run(async () => (await import('../audit/index.js')).auditVerifyCommand(file, io)),
    );

  return root;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let task: (() => Promise<number>) | undefined;
  try {
    await program(io, (t) => (task = t)).parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    throw error;
  }
  if (task === undefined) return 0;
  try {
    return await task();
  } catch (error) {
    const damage = storeDamage(error);
    if (damage !== undefined) {
      io.stderr.write(`radar: ${damage.code}: ${damage.message}\n`);
      return damage.code === 'STORE_MISSING' ? EXIT_STORE_MISSING : EXIT_STORE_DAMAGED;
    }
    if (error instanceof RuleValidationError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof RadarError && USAGE_ERRORS.has(error.code)) {
      io.stderr.write(`radar: ${error.code}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      io.stderr.write(`radar: ${error.message}\n`);
      return EXIT_USAGE;
    }
    // A failure the radar names (the consumer gave up, the store is locked, …): its code and
    // message say what to do; a stack trace would only bury them.
    if (error instanceof RadarError) {
      io.stderr.write(`radar: ${error.code}: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}

/**
 * The store's damage, wherever it surfaced: at the start's check, or as
 * LevelDB's corruption in a later read, possibly as the cause of the
 * consumer's failure. A corruption's message gets the way out added.
 */
function storeDamage(error: unknown): RadarError | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (!(e instanceof RadarError)) continue;
    if (e.code === 'STORE_DAMAGED' || e.code === 'STORE_MISSING') return e;
    if (e.code === 'STORE_CORRUPT') return new RadarError(e.code, `${e.message}; ${rebuildHint()}`);
  }
  return undefined;
}
