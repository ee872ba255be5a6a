/**
 * `radar rules diff --report`: one HTML page an analyst attaches to a change
 * request. Self-contained: styles, the one script and every chart and
 * drawing are inline, and its Content-Security-Policy forbids loading
 * anything, so it opens offline and cannot call out.
 */
import type { BacktestCounts } from '../backtest/index.js';
import {
  CHANGED_FIELDS,
  ruleChanged,
  type RuleDiff,
  type RulesDiff,
} from '../analysis/rules-diff.js';
import type { RuleSource } from '../rules/index.js';
import { escapeXml } from './escape.js';
import { lineDiff, textLines } from './line-diff.js';
import { monthChartSvg } from './month-chart.js';

export interface DrawnSample {
  ruleId: string;
  indicatorId: string;
  change: 'only in base' | 'only in candidate' | 'changed';
  /** What changed, for a changed indicator. */
  detail: string;
  /** The household as inline SVG; undefined when its signals could not be read again. */
  svg: string | undefined;
}

export interface DiffReportInput {
  diff: RulesDiff;
  signals: string;
  base: { path: string; sources: ReadonlyMap<string, RuleSource> };
  candidate: { path: string; sources: ReadonlyMap<string, RuleSource> };
  counts: BacktestCounts;
  samples: readonly DrawnSample[];
}

const POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1b1b1b; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; } th, td { padding: 2px 8px; border-bottom: 1px solid #e4e4e4; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.unchanged { color: #777; } .status-changed { color: #a40000; font-weight: bold; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
.bar.base, .legend .base { fill: #4a78b5; background: #4a78b5; }
.bar.candidate, .legend .candidate { fill: #e08a1e; background: #e08a1e; }
.axis { stroke: #999; } .tick { font-size: 9px; fill: #555; }
.chart { overflow-x: auto; }
.samples { display: flex; flex-wrap: wrap; gap: 16px; }
.sample { border: 1px solid #ddd; padding: 8px; }
svg.household text { font-size: 9px; text-anchor: middle; fill: #333; }
svg.household .edge { stroke: #bbb; } svg.household .edge.relation { stroke: #7a3e9d; stroke-width: 2; }
svg.household .edge-label { fill: #7a3e9d; }
svg.household .person circle { fill: #d9e6f5; stroke: #4a78b5; }
svg.household .address rect { fill: #e8e8e8; stroke: #777; }
svg.household .signal rect { fill: #fff; stroke: #777; }
svg.household .marked-base rect { fill: #4a78b5; } svg.household .marked-candidate rect { fill: #e08a1e; }
svg.household .marked-both rect { fill: #8a5a9a; }
table.rule-text { font: 12px/1.3 ui-monospace, monospace; width: 100%; table-layout: fixed; }
table.rule-text td { white-space: pre-wrap; vertical-align: top; border: none; }
table.rule-text .removed { background: #fde2e2; } table.rule-text .added { background: #e0f5e0; }
`;

/** Shows every rule, or only those whose indicators changed. */
const SCRIPT = `
(function () {
  var box = document.getElementById('only-changed');
  var rows = document.querySelectorAll('#summary tbody tr');
  function apply() {
    for (var i = 0; i < rows.length; i++) {
      rows[i].hidden = box.checked && rows[i].classList.contains('unchanged');
    }
  }
  box.addEventListener('change', apply);
  apply();
  document.body.setAttribute('data-ready', 'yes');
})();
`;

function cell(value: string | number, numeric = typeof value === 'number'): string {
  return `<td${numeric ? ' class="n"' : ''}>${escapeXml(String(value))}</td>`;
}

function totals(rule: RuleDiff): { base: number; candidate: number } {
  let base = 0;
  let candidate = 0;
  for (const counts of rule.months.values()) {
    base += counts.base;
    candidate += counts.candidate;
  }
  return { base, candidate };
}

function summaryTable(diff: RulesDiff): string {
  const rows = diff.rules.map((rule) => {
    const { base, candidate } = totals(rule);
    const changed = ruleChanged(rule);
    const fields = CHANGED_FIELDS.filter((f) => rule.changedBy[f] > 0)
      .map((f) => `${f} ${rule.changedBy[f]}`)
      .join(', ');
    const name = changed
      ? `<a href="#rule-${escapeXml(rule.ruleId)}">${escapeXml(rule.ruleId)}</a>`
      : escapeXml(rule.ruleId);
    return (
      `<tr class="${changed ? 'changed' : 'unchanged'}" data-rule="${escapeXml(rule.ruleId)}"><td>${name}</td>` +
      cell(rule.in === 'both' ? 'both' : `only ${rule.in}`) +
      cell(base) +
      cell(candidate) +
      cell(rule.onlyInBase.length) +
      cell(rule.onlyInCandidate.length) +
      cell(rule.changed.length) +
      cell(fields) +
      cell(rule.unchanged) +
      cell(rule.householdsAffected) +
      `<td class="status-${changed ? 'changed' : 'none'}">${changed ? 'changed' : 'no change'}</td></tr>`
    );
  });
  return (
    `<label><input type="checkbox" id="only-changed"> only rules whose indicators changed</label>` +
    `<table id="summary"><thead><tr><th>rule</th><th>in</th><th>base</th><th>candidate</th>` +
    `<th>only in base</th><th>only in candidate</th><th>changed</th><th>changed in</th>` +
    `<th>unchanged</th><th>households affected</th><th>status</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function ruleTexts(base: RuleSource | undefined, candidate: RuleSource | undefined): string {
  const lines = lineDiff(textLines(base?.text ?? ''), textLines(candidate?.text ?? ''));
  const rows = lines.map((line) => {
    if (line.op === 'same') {
      return `<tr><td>${escapeXml(line.base)}</td><td>${escapeXml(line.candidate)}</td></tr>`;
    }
    if (line.op === 'removed') {
      return `<tr><td class="removed">- ${escapeXml(line.base)}</td><td></td></tr>`;
    }
    return `<tr><td></td><td class="added">+ ${escapeXml(line.candidate)}</td></tr>`;
  });
  const header = (source: RuleSource | undefined, side: string) =>
    `<th>${escapeXml(source === undefined ? `(not in ${side})` : `${side}: ${source.file}:${source.line}`)}</th>`;
  return `<table class="rule-text"><thead><tr>${header(base, 'base')}${header(candidate, 'candidate')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function ruleSection(
  rule: RuleDiff,
  input: DiffReportInput,
  samples: readonly DrawnSample[],
): string {
  const base = input.base.sources.get(rule.ruleId);
  const candidate = input.candidate.sources.get(rule.ruleId);
  const changed = ruleChanged(rule);
  const sampleHtml = samples.map(
    (s) =>
      `<div class="sample" data-indicator="${escapeXml(s.indicatorId)}"><div><b>${escapeXml(s.indicatorId)}</b>: ${escapeXml(s.change)}${s.detail === '' ? '' : ` (${escapeXml(s.detail)})`}</div>` +
      (s.svg ?? '<p>The household could not be drawn: its signals were not found again.</p>') +
      `</div>`,
  );
  return (
    `<section class="rule" id="rule-${escapeXml(rule.ruleId)}"><h2>${escapeXml(rule.ruleId)}</h2>` +
    (changed
      ? `<h3>Indicators per month (raisedAt)</h3><p class="legend"><span class="base"></span>base<span class="candidate"></span>candidate</p>` +
        `<div class="chart">${monthChartSvg(rule.months, `${rule.ruleId}: indicators per month, base and candidate`)}</div>` +
        `<h3>Sample of changed indicators</h3><p>Signals of the base indicator in blue, of the candidate's in orange, of both in purple; persons by role and age band.</p>` +
        `<div class="samples">${sampleHtml.join('')}</div>`
      : '<p>The rule text changed; its indicators did not.</p>') +
    `<h3>Rule text</h3>${ruleTexts(base, candidate)}</section>`
  );
}

function textChanged(rule: RuleDiff, input: DiffReportInput): boolean {
  return (
    input.base.sources.get(rule.ruleId)?.text !== input.candidate.sources.get(rule.ruleId)?.text
  );
}

export function diffReportHtml(input: DiffReportInput): string {
  const { diff, counts } = input;
  const changedRules = diff.rules.filter(ruleChanged);
  const shown = diff.rules.filter((rule) => ruleChanged(rule) || textChanged(rule, input));
  const sections = shown.map((rule) =>
    ruleSection(
      rule,
      input,
      input.samples.filter((s) => s.ruleId === rule.ruleId),
    ),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>radar rules diff</title>
<style>${STYLE}</style>
</head>
<body>
<h1>radar rules diff</h1>
<p>Base <code>${escapeXml(input.base.path)}</code>, candidate <code>${escapeXml(input.candidate.path)}</code>, signals <code>${escapeXml(input.signals)}</code>:
${counts.accepted} signals accepted (${counts.rejected} rejected, ${counts.withdrawn} withdrawn) in ${diff.households} households.
${changedRules.length} of ${diff.rules.length} rules change their indicators.</p>
${summaryTable(diff)}
${sections.join('\n')}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
