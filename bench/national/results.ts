/** The shape of bench/results/<name>.json, written by run.ts and read by report.ts. */
import type { NationalStats } from '../../src/synthetic/national.js';
import type { LoadResult } from './api.js';
import type { StepResult } from './children.js';
import type { GroupProgress } from './kafka.js';
import type { LatencyResult } from './latency.js';
import type { LawResult } from './law.js';

export type Step<T> = StepResult<T>;
export interface Ingest {
  seconds: number;
  linesPerSecond: number;
  peakRssMb: number;
  consumed: number;
  rejectedToDlq: number;
  indicatorEvents: number;
}
export interface SizeResult {
  years: number;
  lines: number;
  fileMb: number;
  generator: NationalStats;
  generate: Step<{ seconds: number }>;
  parse: Step<{ seconds: number; linesPerSecond: number; peakRssMb: number }>;
  backtest: Step<{ seconds: number; linesPerSecond: number; peakRssMb: number; counts: string }>;
  produce: Step<{ seconds: number; linesPerSecond: number }>;
  serve: Step<Ingest>;
  /**
   * Set when `radar serve` did not take in the whole history within its
   * limit: the lines it had committed. Steps c–f then measure it holding
   * them, started again on empty signal topics of its own (the rest of the
   * backlog cut off), so that it is idle where they say idle.
   */
  held?: number;
  servePartial?: {
    progress: GroupProgress;
    peakRssMb: number;
    /** Missing in results from before it was measured. */
    peakAnonymousMb?: number;
    diskMb: number;
  };
  /**
   * `radar export` of what the service made of the whole history against
   * `radar backtest` of the file; skipped when it did not take it all in.
   * Missing in results from before it was checked.
   */
  law?: Step<LawResult>;
  plainConsumer: Step<{ seconds: number; linesPerSecond: number; peakRssMb: number }>;
  /**
   * `settled`: how long LevelDB went on compacting before it was measured, as
   * for the API's idle phases. Missing in results from before it waited.
   */
  latency: Step<LatencyResult & { settled?: { seconds: number; settled: boolean } }>;
  api: Step<{
    /**
     * Seconds LevelDB went on compacting after the ingest before the idle
     * phases began, and whether it stopped within the wait's limit. Missing
     * in results from before the idle phases waited for it.
     */
    settled?: { seconds: number; settled: boolean };
    /**
     * How many of the file's sampled BSNs the service held a household for,
     * of how many: GetHousehold is loaded with those alone. Missing in results
     * from before, whose load asked for the whole sample, misses included.
     */
    bsnsHeld?: { held: number; sampled: number };
    getHouseholdIdle: LoadResult;
    /**
     * At the target's rate (1,000 calls/s, ghz only) instead of as fast as the
     * service answers: its p99 is the service's, not a queue's. Missing in
     * results from before it was measured or without ghz.
     */
    getHouseholdAtRate?: LoadResult & { rate: number };
    searchHouseholdsIdle: LoadResult;
    getHouseholdIngesting: LoadResult;
    searchHouseholdsIngesting: LoadResult;
    ingestedDuringLoad: number;
  }>;
  restart: Step<{
    secondsToServing: number;
    peakRssMbAtServing: number;
    /** Not measured when the service did not finish the history in time. */
    secondsToServingAfterKill?: number;
    /** Set when the service did not finish: the lines its store held at the restart. */
    heldLines?: number;
  }>;
  footprint: Step<{
    diskMb: number;
    diskBytesPerLine: number;
    peakRssMb: number;
    peakBytesPerLine: number;
    /** The largest anonymous part of the resident size (see MemoryWatch); missing in results from before it was measured. */
    peakAnonymousMb?: number;
    /**
     * A first start's load process (0 when the service started none), and the
     * largest sum of the two seen at once (see MemoryWatch). Missing in results
     * from before they were measured.
     */
    peakLoadProcessMb?: number;
    /** The largest anonymous part of the load process's resident size; missing in results from before it was measured. */
    peakLoadProcessAnonymousMb?: number;
    peakTreeMb?: number;
  }>;
}

export interface BenchResults {
  name: string;
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    model: string;
    memoryGiB: number;
    freeMemoryGiB: number;
    os: string;
    node: string;
  };
  settings: {
    quick: boolean;
    seed: number;
    linesPerYear: number;
    phaseSeconds: number;
    concurrency: number;
    latencyRate: number;
  };
  sizes: SizeResult[];
}
