import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RadarError } from '../errors.js';

/** What a command printed, stdout and stderr interleaved, and how it ended. */
export interface CommandResult {
  code: number | null;
  output: string;
}

/**
 * Runs a command to completion and collects its output. A missing program
 * becomes a `BROKER_PREREQUISITE_MISSING` error that says what to install,
 * because ENOENT from spawn names neither the program nor the remedy.
 */
export function runCommand(
  program: string,
  args: string[],
  install: string,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? missingProgram(program, install, err) : err);
    });
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

export function missingProgram(program: string, install: string, cause?: unknown): RadarError {
  return new RadarError(
    'BROKER_PREREQUISITE_MISSING',
    `${program} was not found; the local Kafka broker needs ${install}`,
    { cause },
  );
}

export const JAVA_INSTALL =
  'Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless, or set JAVA_HOME)';
const MAVEN_INSTALL = 'Maven 3 to download the Kafka jars (e.g. apt-get install maven)';
const MINIMUM_JAVA = 17;

/** The java binary: JAVA_HOME's when set, so a machine with several JDKs uses the chosen one. */
export function javaProgram(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, 'bin', 'java') : 'java';
}

/** Checks that java runs and is recent enough, and returns the program to start it with. */
export async function requireJava(): Promise<string> {
  const java = javaProgram();
  const { output } = await runCommand(java, ['-version'], JAVA_INSTALL);
  const major = javaMajorVersion(output);
  if (major === undefined || major < MINIMUM_JAVA) {
    throw new RadarError(
      'BROKER_PREREQUISITE_MISSING',
      `${java} reports ${JSON.stringify(output.split('\n')[0] ?? '')}; the local Kafka broker needs ${JAVA_INSTALL}`,
    );
  }
  return java;
}

/** `java -version` prints `... version "17.0.15"`, or `"1.8.0_392"` before Java 9. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

export function runMaven(args: string[]): Promise<CommandResult> {
  return runCommand('mvn', args, MAVEN_INSTALL);
}

/** The last lines of a command's or a log's output, for error messages. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
