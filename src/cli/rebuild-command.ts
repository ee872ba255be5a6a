import { createLogger } from '../log/logger.js';
import { rebuild } from '../service/rebuild.js';
import type { CliIo } from './io.js';
import { progressBar, type Progress } from './progress.js';
import { serviceSettings, type ServiceFlags } from './service-settings.js';

export type RebuildOptions = ServiceFlags;

/**
 * `radar rebuild`: the settings are read as `radar serve` reads them, so the
 * rebuild makes the store that service would use, from the topics it reads.
 * A progress bar on standard error while the signals are folded, then what
 * was done; logs go where the service's go.
 */
export async function rebuildCommand(options: RebuildOptions, io: CliIo): Promise<number> {
  const config = serviceSettings(options);
  const log = createLogger(config.log.level);
  let bar: Progress | undefined;
  const summary = await rebuild({
    config,
    log,
    onTotal: (total) => (bar = progressBar(io, 'rebuild', total, 'messages')),
    onProgress: (read) => bar?.update(read),
  }).finally(() => bar?.stop());
  const { counts } = summary;
  const { produced } = summary;
  const lines = [
    `rebuilt ${summary.dataDir} from ${summary.messages} messages on ${summary.partitions} signal partitions in ${summary.seconds.toFixed(1)} s: ` +
      `accepted ${counts.accepted}, duplicates ${counts.duplicates}, rejected ${counts.rejected}`,
    `${summary.committedMessages} messages were below the consumer group's committed offsets: their dead letters and indicator changes were produced before, and are not produced again`,
    `indicator events ${summary.producedSequence + 1}..${summary.lastSequence} stored, after the last on the indicator topic (${summary.producedSequence}); ` +
      `produced: ${produced.events} events and ${produced.deadLetters} dead letters, for the messages past the committed offsets`,
    summary.movedTo === undefined
      ? 'there was no data directory to move aside'
      : `the directory that was there is kept at ${summary.movedTo}`,
  ];
  if (summary.unavailable > 0) {
    lines.push(
      `WARNING: ${summary.unavailable} signal messages were already removed by topic retention; their signals are not in the rebuilt state`,
    );
  }
  lines.push('start `radar serve` with the same settings: it resumes after the last message read');
  io.stderr.write(lines.map((l) => `radar rebuild: ${l}\n`).join(''));
  return 0;
}
