import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { diffRulesets } from '../analysis/diff-run.js';
import { rulesDiffLines } from '../analysis/rules-diff.js';
import { writeLines } from '../backtest/index.js';
import { readConfigFile, resolveConfig } from '../config/config.js';
import { diffReportHtml } from '../report/diff-report.js';
import { chooseSamples, drawSamples } from '../report/samples.js';
import { loadRuleset } from '../rules/index.js';
import type { CliIo } from './io.js';
import { progressBar } from './progress.js';

export interface RulesDiffOptions {
  signals: string;
  base: string;
  candidate: string;
  report?: string;
  config?: string;
  threads: number;
}

/**
 * `radar rules diff`: both rulesets on the households of one backtest, per
 * rule what changes, on standard output; with `--report`, the HTML page too.
 * Standard input is kept in a temporary file when a report is asked for,
 * since drawing households reads the signals a second time.
 */
export async function rulesDiffCommand(options: RulesDiffOptions, io: CliIo): Promise<number> {
  const [base, candidate] = await Promise.all([
    loadRuleset(options.base),
    loadRuleset(options.candidate),
  ]);
  const settings = resolveConfig(
    options.config === undefined ? {} : readConfigFile(options.config),
    {},
  );
  const spool =
    options.signals === '-' && options.report !== undefined
      ? await mkdtemp(join(tmpdir(), 'radar-diff-'))
      : undefined;
  try {
    let signalsPath = options.signals;
    if (spool !== undefined) {
      signalsPath = join(spool, 'signals.ndjson');
      await pipeline(io.stdin, createWriteStream(signalsPath));
    }
    // Sized first: a file that is missing fails here, before a stream is opened on it.
    const megabytes = signalsPath === '-' ? 0 : Math.ceil(statSync(signalsPath).size / 1e6);
    const input =
      signalsPath === '-' ? io.stdin : createReadStream(signalsPath, { highWaterMark: 1 << 20 });
    const reading = progressBar(io, 'reading', megabytes, 'MB');
    let bytes = 0;
    let evaluating: ReturnType<typeof progressBar> | undefined;
    const run = await diffRulesets({
      input,
      base,
      candidate,
      households: settings.households,
      workerThreads: options.threads,
      onRejected: (line, error) => {
        io.stderr.write(
          `line ${line}: ${error.code}${error.field ? ` ${error.field}` : ''}: ${error.message}\n`,
        );
      },
      onBytes: (n) => reading.update(Math.floor((bytes += n) / 1e6)),
      onHouseholds: (done, total) => {
        if (evaluating === undefined) {
          reading.stop();
          evaluating = progressBar(io, 'evaluating', total, 'households');
        }
        evaluating.update(done);
      },
    });
    reading.stop();
    evaluating?.stop();
    await writeLines(io.stdout, rulesDiffLines(run.diff));
    if (options.report !== undefined) {
      const samples = await drawSamples(
        chooseSamples(run.diff),
        run,
        signalsPath,
        settings.households,
      );
      await writeFile(
        options.report,
        diffReportHtml({
          diff: run.diff,
          signals: options.signals,
          base: { path: options.base, sources: base.sources },
          candidate: { path: options.candidate, sources: candidate.sources },
          counts: run.counts,
          samples,
        }),
      );
      io.stderr.write(`report written to ${options.report}\n`);
    }
    const { counts } = run;
    io.stderr.write(
      `read ${counts.read}, accepted ${counts.accepted}, duplicates ${counts.duplicates}, ` +
        `rejected ${counts.rejected}, withdrawn ${counts.withdrawn}\n`,
    );
    return 0;
  } finally {
    if (spool !== undefined) await rm(spool, { recursive: true, force: true });
  }
}
