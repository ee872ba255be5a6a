/**
 * `radar backtest` without the command line: NDJSON signals in, the radar out.
 * Runs the same `Radar` the live service runs, so the two cannot disagree.
 */
import { SignalRejectedError } from '../errors.js';
import type { Radar } from '../engine/index.js';
import { decodeJson } from '../signals/index.js';
import { forEachLine } from './lines.js';
import { householdSummary, type HouseholdSummary } from './format.js';
import type { Indicator } from '../rules/index.js';

export interface BacktestCounts {
  /** Non-blank lines read. */
  read: number;
  /** Distinct signals accepted. */
  accepted: number;
  /** Exact redeliveries of an accepted signal: neither accepted again nor rejected. */
  duplicates: number;
  rejected: number;
  /** Accepted signals that an accepted signal retracts. */
  withdrawn: number;
}

export interface BacktestInput {
  input: AsyncIterable<Buffer | string>;
  radar: Radar;
  onRejected: (lineNumber: number, error: SignalRejectedError) => void;
  onBytes?: (bytes: number) => void;
}

export async function ingestNdjson({
  input,
  radar,
  onRejected,
  onBytes,
}: BacktestInput): Promise<BacktestCounts> {
  let read = 0;
  let rejected = 0;
  let accepted = 0;
  let duplicates = 0;
  await forEachLine(
    input,
    (line, lineNumber) => {
      if (line.trim() === '') return;
      read++;
      try {
        const outcome = radar.ingest(decodeJson(line).signal);
        if (outcome === 'accepted') accepted++;
        else duplicates++;
      } catch (error) {
        if (!(error instanceof SignalRejectedError)) throw error;
        rejected++;
        onRejected(lineNumber, error);
      }
    },
    onBytes,
  );
  radar.flush();
  return { read, accepted, duplicates, rejected, withdrawn: radar.counts.withdrawn };
}

export interface RadarSnapshot {
  households: HouseholdSummary[];
  indicators: Indicator[];
}

/** The radar's households and indicators as of its last flush. */
export function snapshot(radar: Radar): RadarSnapshot {
  const households: HouseholdSummary[] = [];
  for (const household of radar.households.households()) {
    households.push(householdSummary(radar.households, household));
  }
  return { households, indicators: [...radar.indicators()] };
}
