/**
 * When `radar serve` compacts its store whole. A backlog taken in leaves
 * LevelDB's levels overlapping: a read of an older key looks past the newer
 * tables first, LevelDB charges each such read to the table it looked past,
 * and compacts a table once enough reads were charged to it. The first
 * random reads after a backlog (the API's) then set off compactions that
 * take the second core for minutes. Compacted whole once the service is
 * idle, every key is found in one table and reads charge nothing; a trickle
 * of new signals overlaps little. What it cost and saved is in
 * docs/performance-history.md.
 */

/** The mark that holds the accepted count at the last whole compaction. */
export const COMPACTED_MARK = 'compactedAt';

export interface CompactionSettings {
  /** 0 never compacts. */
  compactAfterSignals: number;
  compactWhenIdleMs: number;
}

/** Due once enough signals were accepted since the last compaction and no batch came for a while. */
export function compactionDue(
  settings: CompactionSettings,
  state: { acceptedSinceCompacted: number; idleMs: number },
): boolean {
  return (
    settings.compactAfterSignals > 0 &&
    state.acceptedSinceCompacted >= settings.compactAfterSignals &&
    state.idleMs >= settings.compactWhenIdleMs
  );
}

/** How often idleness is looked at: often enough that a compaction starts soon after it is due. */
export function compactionCheckMs(settings: CompactionSettings): number {
  return Math.max(250, Math.floor(settings.compactWhenIdleMs / 4));
}
