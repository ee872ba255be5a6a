/**
 * BENCHMARKS.md from every bench/results/*.json: the machine, each number
 * next to its floor, and SVG charts of cost against history size in
 * bench/results/charts/. Run by `npm run bench` at its end, or alone:
 * `node dist/bench/national/report.js`.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { LoadResult } from './api.js';
import { ROOT } from './children.js';
import type { BenchResults, SizeResult, Step } from './results.js';
import { formatNumber, lineChart, type ChartPoint, type ChartSeries } from './svg.js';

const n = (x: number): string => x.toLocaleString('en');

/** A step's cell: its number when it ran, else why there is none. */
function cell<T>(result: Step<T>, show: (ok: T) => string): string {
  switch (result.status) {
    case 'ok':
      return show(result);
    case 'timeout':
      return `not finished within ${result.limitSeconds} s`;
    case 'failed':
      return `failed: ${result.error.replace(/\|/g, '/').slice(0, 120)}`;
    case 'skipped':
      return `skipped (${result.reason})`;
  }
}

const ratio = (a: number, floor: number): string => `${(a / floor).toFixed(2)}× the floor`;

function loadCell(r: LoadResult): string {
  const byStatus = Object.entries(r.errorsByStatus ?? {})
    .map(([name, count]) => `${name} ${n(count)}`)
    .join(', ');
  const errors =
    r.errors === 0 ? '' : `, ${n(r.errors)} errors${byStatus === '' ? '' : ` (${byStatus})`}`;
  const client = r.client === undefined ? '' : `; ${r.client}`;
  return `${n(Math.round(r.perSecond))}/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${errors}${client}`;
}

/** A row of the table: its label, and what it shows for a size. */
type Row = [string, (s: SizeResult) => string];

function table(results: BenchResults): string[] {
  const sizes = results.sizes;
  // Steps a and b take in the whole history; c–f measure the store the service holds.
  const wholeHistory: Row[] = [
    ['history file', (s) => `${n(s.lines)} lines, ${formatNumber(s.fileMb)} MB`],
    [
      'a. read + JSON.parse (floor)',
      (s) =>
        cell(
          s.parse,
          (r) => `${r.seconds} s, ${n(r.linesPerSecond)} lines/s, ${r.peakRssMb} MB peak`,
        ),
    ],
    [
      'a. `radar backtest`',
      (s) =>
        cell(
          s.backtest,
          (r) =>
            `${r.seconds} s, ${n(r.linesPerSecond)} lines/s, ${r.peakRssMb} MB peak` +
            (s.parse.status === 'ok'
              ? `; rate ${ratio(r.linesPerSecond, s.parse.linesPerSecond)}`
              : ''),
        ),
    ],
    [
      'replay into the broker',
      (s) => cell(s.produce, (r) => `${r.seconds} s, ${n(r.linesPerSecond)} lines/s`),
    ],
    [
      'b. plain kafkajs consumer + JSON.parse (floor)',
      (s) =>
        cell(
          s.plainConsumer,
          (r) => `${r.seconds} s, ${n(r.linesPerSecond)} lines/s, ${r.peakRssMb} MB peak`,
        ),
    ],
    [
      'b. `radar serve`, start to lag 0',
      (s) =>
        cell(
          s.serve,
          (r) =>
            `${r.seconds} s, ${n(r.linesPerSecond)} lines/s` +
            (s.plainConsumer.status === 'ok'
              ? `; rate ${ratio(r.linesPerSecond, s.plainConsumer.linesPerSecond)}`
              : ''),
        ) +
        (s.servePartial === undefined
          ? ''
          : `; had committed ${n(s.servePartial.progress.committed)} of ${n(s.servePartial.progress.end)}, ${s.servePartial.peakRssMb} MB peak` +
            (s.servePartial.peakAnonymousMb === undefined
              ? ''
              : ` (${s.servePartial.peakAnonymousMb} MB anonymous)`) +
            `, ${s.servePartial.diskMb} MB disk`),
    ],
    [
      'b. backtest equals live: `radar export` of the service that took in the history against `radar backtest` of the file',
      (s) =>
        s.law === undefined
          ? 'not checked in this run'
          : cell(
              s.law,
              (r) =>
                `the same, line for line: ${n(r.lines)} lines` +
                (r.conflictsLeftOut > 0
                  ? `, the backtest without the ${n(r.conflictsLeftOut)} versions of an id the service rejected for the one it had first`
                  : '') +
                ` (backtest ${r.backtestSeconds} s, export ${r.exportSeconds} s)`,
            ),
    ],
  ];
  const heldStore: Row[] = [
    [
      'c. indicator latency, produce → WatchIndicators',
      (s) =>
        cell(
          s.latency,
          (r) =>
            `at ${n(r.rate)}/s: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${n(r.received)} of ${n(r.produced)} seen)` +
            (r.settled === undefined
              ? ''
              : r.settled.settled
                ? `, after ${n(r.settled.seconds)} s until the store was quiet`
                : `, measured while still compacting after ${n(r.settled.seconds)} s`),
        ),
    ],
    [
      'd. before the idle phases: LevelDB compacting what the ingest wrote',
      (s) =>
        cell(s.api, (r) =>
          r.settled === undefined
            ? 'not waited for in this run'
            : r.settled.settled
              ? `${n(r.settled.seconds)} s until the store was quiet`
              : `still compacting after ${n(r.settled.seconds)} s; measured anyway`,
        ),
    ],
    [
      'd. GetHousehold: the sampled BSNs it holds a household for',
      (s) =>
        cell(s.api, (r) =>
          r.bsnsHeld === undefined
            ? 'not asked in this run: the load used every sampled BSN, misses included'
            : `${n(r.bsnsHeld.held)} of ${n(r.bsnsHeld.sampled)}, the only ones asked for below`,
        ),
    ],
    ['d. GetHousehold by BSN, idle', (s) => cell(s.api, (r) => loadCell(r.getHouseholdIdle))],
    [
      'd. GetHousehold by BSN, idle, at a set rate (ghz)',
      (s) =>
        cell(s.api, (r) =>
          r.getHouseholdAtRate === undefined
            ? 'not measured in this run'
            : `asked ${n(r.getHouseholdAtRate.rate)}/s: ${loadCell(r.getHouseholdAtRate)}`,
        ),
    ],
    [
      'd. GetHousehold by BSN, ingesting',
      (s) => cell(s.api, (r) => loadCell(r.getHouseholdIngesting)),
    ],
    ['d. SearchHouseholds, idle', (s) => cell(s.api, (r) => loadCell(r.searchHouseholdsIdle))],
    [
      'd. SearchHouseholds, ingesting',
      (s) => cell(s.api, (r) => loadCell(r.searchHouseholdsIngesting)),
    ],
    [
      'e. restart to serving, after SIGTERM',
      (s) =>
        cell(
          s.restart,
          (r) =>
            `${r.secondsToServing} s (${r.peakRssMbAtServing} MB by then)` +
            (r.heldLines === undefined ? '' : `, holding ${n(r.heldLines)} lines`),
        ),
    ],
    [
      'e. restart to serving, after SIGKILL',
      (s) =>
        cell(s.restart, (r) =>
          r.secondsToServingAfterKill === undefined ? '—' : `${r.secondsToServingAfterKill} s`,
        ),
    ],
    [
      'f. service disk (data dir)',
      (s) => cell(s.footprint, (r) => `${r.diskMb} MB, ${n(r.diskBytesPerLine)} B/line`),
    ],
    [
      'f. service peak memory (VmHWM)',
      (s) => cell(s.footprint, (r) => `${r.peakRssMb} MB, ${n(r.peakBytesPerLine)} B/line`),
    ],
    [
      'f. service peak anonymous memory (heap and native; the rest is mapped table files)',
      (s) =>
        cell(s.footprint, (r) =>
          r.peakAnonymousMb === undefined ? 'not measured in this run' : `${r.peakAnonymousMb} MB`,
        ),
    ],
    [
      "f. a first start's load process, its own process (VmHWM)",
      (s) => cell(s.footprint, (r) => loadProcessCell(r, r.peakLoadProcessMb)),
    ],
    [
      "f. a first start's load process, peak anonymous memory (the rest is mapped table files)",
      (s) => cell(s.footprint, (r) => loadProcessCell(r, r.peakLoadProcessAnonymousMb)),
    ],
    [
      'f. service and load process together (largest sum of resident sizes, sampled every 100 ms)',
      (s) =>
        cell(s.footprint, (r) =>
          r.peakTreeMb === undefined ? 'not measured in this run' : `${r.peakTreeMb} MB`,
        ),
    ],
  ];
  const holding = (s: SizeResult, shown: string): string =>
    s.held === undefined ? shown : `${shown}; holding ${n(s.held)} lines`;
  const line = (label: string, cells: string[]): string => `| ${label} | ${cells.join(' | ')} |`;
  return [
    line(
      'measurement',
      sizes.map((s) => `${s.years} y`),
    ),
    line(
      '---',
      sizes.map(() => '---'),
    ),
    ...wholeHistory.map(([label, show]) => line(label, sizes.map(show))),
    ...heldStore.map(([label, show]) =>
      line(
        label,
        sizes.map((s) => holding(s, show(s))),
      ),
    ),
  ];
}

/** Where a size stands on the charts' axis of history: the lines its service held, for steps c–f. */
const heldLines = (s: SizeResult): number => s.held ?? s.lines;
const allLines = (s: SizeResult): number => s.lines;

/** A point for a step: its value, or its limit drawn hollow when it did not finish. */
function point<T>(
  x: number,
  result: Step<T>,
  value: (ok: T) => number,
  atLimit: boolean,
): ChartPoint[] {
  if (result.status === 'ok') {
    const y = value(result);
    return Number.isFinite(y) ? [{ x, y }] : [];
  }
  if (atLimit && result.status === 'timeout')
    return [{ x, y: result.limitSeconds, unfinished: true }];
  return [];
}

function series<T>(
  label: string,
  sizes: SizeResult[],
  pick: (s: SizeResult) => Step<T>,
  value: (ok: T) => number,
  { atLimit = false, x = allLines }: { atLimit?: boolean; x?: (s: SizeResult) => number } = {},
): ChartSeries {
  return { label, points: sizes.flatMap((s) => point(x(s), pick(s), value, atLimit)) };
}

/** A series of a step that measures the store the service holds, placed by the lines it held. */
function heldSeries<T>(
  label: string,
  sizes: SizeResult[],
  pick: (s: SizeResult) => Step<T>,
  value: (ok: T) => number,
): ChartSeries {
  return series(label, sizes, pick, value, { x: heldLines });
}

function charts(results: BenchResults, dir: string): string[] {
  const sizes = results.sizes;
  const x = 'lines of history';
  const made = [
    {
      file: 'time',
      chart: {
        title: 'Time to take in the whole history',
        xLabel: x,
        yLabel: 'seconds',
        series: [
          series(
            'read + JSON.parse',
            sizes,
            (s) => s.parse,
            (r) => r.seconds,
            { atLimit: true },
          ),
          series(
            'radar backtest',
            sizes,
            (s) => s.backtest,
            (r) => r.seconds,
            { atLimit: true },
          ),
          series(
            'plain kafkajs consumer',
            sizes,
            (s) => s.plainConsumer,
            (r) => r.seconds,
            { atLimit: true },
          ),
          series(
            'radar serve to lag 0',
            sizes,
            (s) => s.serve,
            (r) => r.seconds,
            { atLimit: true },
          ),
        ],
      },
    },
    {
      file: 'memory',
      chart: {
        title: 'Peak memory (VmHWM)',
        xLabel: x,
        yLabel: 'MB',
        series: [
          series(
            'read + JSON.parse',
            sizes,
            (s) => s.parse,
            (r) => r.peakRssMb,
          ),
          series(
            'radar backtest',
            sizes,
            (s) => s.backtest,
            (r) => r.peakRssMb,
          ),
          heldSeries(
            'radar serve',
            sizes,
            (s) => s.footprint,
            (r) => r.peakRssMb,
          ),
          heldSeries(
            'radar serve, anonymous',
            sizes,
            (s) => s.footprint,
            (r) => r.peakAnonymousMb ?? NaN,
          ),
          heldSeries(
            "radar serve's load process",
            sizes,
            (s) => s.footprint,
            (r) => loadProcessPoint(r, r.peakLoadProcessMb),
          ),
          heldSeries(
            "radar serve's load process, anonymous",
            sizes,
            (s) => s.footprint,
            (r) => loadProcessPoint(r, r.peakLoadProcessAnonymousMb),
          ),
        ],
      },
    },
    {
      file: 'disk',
      chart: {
        title: 'radar serve: data directory on disk',
        xLabel: x,
        yLabel: 'MB',
        series: [
          heldSeries(
            'data dir',
            sizes,
            (s) => s.footprint,
            (r) => r.diskMb,
          ),
        ],
      },
    },
    {
      file: 'api-p99',
      chart: {
        title: `API p99 at concurrency ${results.settings.concurrency}`,
        xLabel: x,
        yLabel: 'ms',
        series: [
          heldSeries(
            'GetHousehold idle',
            sizes,
            (s) => s.api,
            (r) => r.getHouseholdIdle.p99Ms,
          ),
          heldSeries(
            'GetHousehold idle, at a set rate',
            sizes,
            (s) => s.api,
            (r) => r.getHouseholdAtRate?.p99Ms ?? NaN,
          ),
          heldSeries(
            'GetHousehold ingesting',
            sizes,
            (s) => s.api,
            (r) => r.getHouseholdIngesting.p99Ms,
          ),
          heldSeries(
            'SearchHouseholds idle',
            sizes,
            (s) => s.api,
            (r) => r.searchHouseholdsIdle.p99Ms,
          ),
          heldSeries(
            'SearchHouseholds ingesting',
            sizes,
            (s) => s.api,
            (r) => r.searchHouseholdsIngesting.p99Ms,
          ),
        ],
      },
    },
    {
      file: 'latency-restart',
      chart: {
        title: 'Indicator latency and restart to serving',
        xLabel: x,
        yLabel: 'ms',
        series: [
          heldSeries(
            'indicator latency p50',
            sizes,
            (s) => s.latency,
            (r) => r.p50Ms,
          ),
          heldSeries(
            'indicator latency p99',
            sizes,
            (s) => s.latency,
            (r) => r.p99Ms,
          ),
          heldSeries(
            'restart after SIGTERM',
            sizes,
            (s) => s.restart,
            (r) => r.secondsToServing * 1000,
          ),
          heldSeries(
            'restart after SIGKILL',
            sizes,
            (s) => s.restart,
            (r) => (r.secondsToServingAfterKill ?? NaN) * 1000,
          ),
        ],
      },
    },
  ];
  mkdirSync(dir, { recursive: true });
  return made.map(({ file, chart }) => {
    const name = `${results.name}-${file}.svg`;
    writeFileSync(join(dir, name), lineChart(chart));
    return `![${chart.title}](bench/results/charts/${name})`;
  });
}

function section(results: BenchResults, chartDir: string): string[] {
  const m = results.machine;
  const s = results.settings;
  const first = results.sizes[0];
  const g = first?.generator;
  const pct = (count: number, of: number): string => `${((count / of) * 100).toFixed(2)}%`;
  const mess =
    first === undefined || g === undefined || g.lines === undefined
      ? []
      : [
          `The mess in the ${first.years}-year history: of ${n(g.lines)} lines ${pct(g.malformed, g.lines)} malformed, ` +
            `${pct(g.conflicts, g.lines)} an id again with other content, ${pct(g.redeliveries, g.lines)} redeliveries, ` +
            `${pct(g.withdrawals, g.lines)} withdrawals (${n(g.withdrawalsAhead)} ahead of their signal); ` +
            `of the signals ${pct(g.repeats, g.adviesvragen + g.meldingen + g.politie)} about a family seen before and ` +
            `${pct(g.shelterSignals, g.adviesvragen + g.meldingen + g.politie)} at a shelter or briefadres; ` +
            `of the police signals ${pct(g.policeWithoutBsn, g.politie)} without any BSN and ${pct(g.latePolice, g.politie)} registered more than 30 days late.`,
          '',
        ];
  return [
    `## ${results.name}`,
    '',
    `Run ${results.startedAt} – ${results.finishedAt} on ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB (${m.freeMemoryGiB} GiB free at the end), ${m.os}, Node ${m.node}. ` +
      `History: seed ${s.seed}, ${n(s.linesPerYear)} lines a year${s.quick ? ' (`--quick`)' : ''}; ` +
      `load phases of ${s.phaseSeconds} s, API at concurrency ${s.concurrency}, latency and background ingest at ${n(s.latencyRate)} signals/s.`,
    '',
    ...mess,
    ...table(results),
    '',
    ...charts(results, chartDir),
    '',
  ];
}

/** Writes BENCHMARKS.md at `root` from every result file in `resultsDir`. */
export async function renderReport(resultsDir: string, root: string): Promise<void> {
  const all = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as BenchResults)
    .filter((r) => Array.isArray(r.sizes));
  const lines = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (`bench/run.ts`) from `bench/results/*.json`; ' +
      'how to run it and what each number means: [docs/benchmarks.md](docs/benchmarks.md). ' +
      "The backtest's own rounds against its floor, run after run: [bench/results/RESULTS.md](bench/results/RESULTS.md).",
    '',
    'Each cost stands next to its floor from the same run: the backtest next to reading and parsing the same file, ' +
      '`radar serve` next to a plain kafkajs consumer on the same topics. A step that hits its limit says so ' +
      'instead of a number; in the charts it is a hollow point at the limit.',
    '',
    ...all.flatMap((r) => section(r, join(resultsDir, 'charts'))),
  ];
  // Formatted as `npm run lint` wants it, so a fresh report never fails the check.
  const file = join(root, 'BENCHMARKS.md');
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(lines.join('\n'), { ...options, filepath: file }));
}

/** What says whether a service started a load process. */
type LoadStarted = { peakLoadProcessMb?: number | undefined };

/** A peak of a first start's load process: none when the service started none, or the run did not measure it. */
function loadProcessCell({ peakLoadProcessMb }: LoadStarted, mb: number | undefined): string {
  if (mb === undefined) return 'not measured in this run';
  return peakLoadProcessMb === 0 ? 'none started' : `${mb} MB`;
}

/** `loadProcessCell` as a chart point: none is no point. */
function loadProcessPoint({ peakLoadProcessMb }: LoadStarted, mb: number | undefined): number {
  return mb === undefined || peakLoadProcessMb === 0 ? NaN : mb;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await renderReport(join(ROOT, 'bench', 'results'), ROOT);
}
