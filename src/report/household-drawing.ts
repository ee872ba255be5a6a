/**
 * A household drawn for a report: its graphology graph (`householdGraph`:
 * signals, persons and addresses as nodes, relations as edges) laid out on
 * three rings and written as inline SVG. Persons are shown by role and age
 * band, addresses by number: never a name, BSN, birth date or address.
 */
import { byCodeUnits } from '../engine/household-summary.js';
import { householdGraph, type HouseholdGraph } from '../graph/household-graph.js';
import { HouseholdIndex, type HouseholdIndexOptions } from '../graph/household-index.js';
import { graphSignal, toGraphInput } from '../graph/model.js';
import { toRuleInput } from '../rules/index.js';
import { calendarDateNumber } from '../signals/dates.js';
import type { Signal } from '../signals/types.js';
import { escapeXml } from './escape.js';

/** Age bands as Veilig Thuis reads them: young child, child, adolescent, adult, elder. */
const AGE_BANDS: readonly [below: number, label: string][] = [
  [6, '0-5 jr'],
  [12, '6-11 jr'],
  [18, '12-17 jr'],
  [30, '18-29 jr'],
  [50, '30-49 jr'],
  [65, '50-64 jr'],
  [Infinity, '65+ jr'],
];

/** The band of someone born on `birthDate` (`YYYY-MM-DD`) on the UTC date of `on`. */
export function ageBand(birthDate: string | undefined, on: number): string {
  const born = birthDate === undefined ? undefined : calendarDateNumber(birthDate);
  if (born === undefined) return 'leeftijd onbekend';
  const d = new Date(on);
  const day = d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  const age = Math.floor((day - born) / 10_000);
  return AGE_BANDS.find(([below]) => age < below)?.[1] ?? 'leeftijd onbekend';
}

export interface DrawnNode {
  key: string;
  kind: 'signal' | 'person' | 'address';
  label: string[];
  x: number;
  y: number;
  /** For a signal: in the base indicator's signals, the candidate's, or both. */
  marked?: 'base' | 'candidate' | 'both';
}

export interface DrawnEdge {
  from: string;
  to: string;
  kind: 'names' | 'at' | 'relation';
  label?: string;
}

export interface HouseholdDrawing {
  nodes: DrawnNode[];
  edges: DrawnEdge[];
  width: number;
  height: number;
}

export interface DrawOptions extends HouseholdIndexOptions {
  /** A signal of the household to draw: the subset given may form more than one. */
  anchor: string;
  /** The moment ages are taken at. */
  on: number;
  baseSignals?: ReadonlySet<string>;
  candidateSignals?: ReadonlySet<string>;
}

/** The graph of the household `anchor` is in, among these signals, formed as the radar forms it. */
export function graphOfSignals(
  signals: readonly Signal[],
  options: HouseholdIndexOptions & { anchor: string },
): HouseholdGraph | undefined {
  const index = new HouseholdIndex(options);
  index.apply(
    signals
      .filter((s) => s.occurredAt !== undefined)
      .map((s) => graphSignal(s.id, toGraphInput(s, toRuleInput(s).t))),
    [],
  );
  const household = index.householdOf(options.anchor);
  return household === undefined ? undefined : householdGraph(index, household);
}

const SIZE = 580;
const CENTER = SIZE / 2;
const RINGS = { person: 90, address: 150, signal: 215 } as const;

function ring(
  keys: readonly string[],
  radius: number,
  offset: number,
): Map<string, [number, number]> {
  const places = new Map<string, [number, number]>();
  keys.forEach((key, i) => {
    const angle = offset + (2 * Math.PI * i) / keys.length - Math.PI / 2;
    const r = keys.length === 1 && radius === RINGS.person ? 0 : radius;
    places.set(key, [
      Math.round(CENTER + r * Math.cos(angle)),
      Math.round(CENTER + r * Math.sin(angle)),
    ]);
  });
  return places;
}

/**
 * Lays the household out: persons on the inner ring, addresses on the
 * middle one, signals on the outer one by time, each ring in the order its
 * nodes first appear among the signals, so the same household is always
 * drawn the same way.
 */
export function drawHousehold(
  signals: readonly Signal[],
  options: DrawOptions,
): HouseholdDrawing | undefined {
  const graph = graphOfSignals(signals, options);
  if (graph === undefined) return undefined;
  const byId = new Map(signals.map((s) => [s.id, s]));
  const signalKeys = graph
    .filterNodes((_, a) => a.type === 'signal')
    .map((key) => ({ key, t: graph.getNodeAttributes(key) }))
    .sort((a, b) => {
      const ta = a.t.type === 'signal' ? a.t.occurredAt : 0;
      const tb = b.t.type === 'signal' ? b.t.occurredAt : 0;
      return ta - tb || (a.key < b.key ? -1 : 1);
    })
    .map(({ key }) => key);
  const persons: string[] = [];
  const addresses: string[] = [];
  const personFacts = new Map<string, { roles: Set<string>; birthDate: string | undefined }>();
  for (const s of signalKeys) {
    graph.forEachEdge(s, (_, attributes, source, target) => {
      const other = source === s ? target : source;
      if (attributes.type === 'at' && !addresses.includes(other)) addresses.push(other);
      if (attributes.type !== 'names') return;
      if (!persons.includes(other)) persons.push(other);
      const person = byId.get(attributes.signal)?.persons.find((p) => p.ref === attributes.ref);
      const facts = personFacts.get(other) ?? { roles: new Set(), birthDate: undefined };
      if (person !== undefined) {
        facts.roles.add(person.role);
        facts.birthDate ??= person.birthDate;
      }
      personFacts.set(other, facts);
    });
  }
  const places = new Map([
    ...ring(persons, RINGS.person, 0),
    ...ring(addresses, RINGS.address, Math.PI / 7),
    ...ring(signalKeys, RINGS.signal, 0),
  ]);
  const place = (key: string): [number, number] => places.get(key) ?? [CENTER, CENTER];
  const nodes: DrawnNode[] = [];
  persons.forEach((key, i) => {
    const facts = personFacts.get(key);
    const roles = [...(facts?.roles ?? [])].sort().join('/').toLowerCase();
    const [x, y] = place(key);
    nodes.push({
      key,
      kind: 'person',
      label: [`P${i + 1} ${roles}`, ageBand(facts?.birthDate, options.on)],
      x,
      y,
    });
  });
  addresses.forEach((key, i) => {
    const [x, y] = place(key);
    nodes.push({ key, kind: 'address', label: [`adres ${i + 1}`], x, y });
  });
  for (const key of signalKeys) {
    const id = key.slice('signal:'.length);
    const signal = byId.get(id);
    const inBase = options.baseSignals?.has(id) ?? false;
    const inCandidate = options.candidateSignals?.has(id) ?? false;
    const [x, y] = place(key);
    nodes.push({
      key,
      kind: 'signal',
      label: [
        id,
        `${signal?.kind.toLowerCase() ?? ''} ${signal?.occurredAt?.slice(0, 10) ?? ''}`,
        (signal?.source ?? '').toLowerCase(),
      ],
      x,
      y,
      ...((inBase || inCandidate) && {
        marked: inBase && inCandidate ? 'both' : inBase ? 'base' : 'candidate',
      }),
    });
  }
  const edges: DrawnEdge[] = [];
  graph.forEachEdge((_, attributes, from, to) => {
    edges.push(
      attributes.type === 'relation'
        ? { from, to, kind: 'relation', label: attributes.relation.toLowerCase() }
        : { from, to, kind: attributes.type },
    );
  });
  // The graph holds its edges in the order the signals came in; the picture must not depend on it.
  const edgeKey = (e: DrawnEdge) => `${e.kind}\u0000${e.from}\u0000${e.to}\u0000${e.label ?? ''}`;
  edges.sort((a, b) => byCodeUnits(edgeKey(a), edgeKey(b)));
  return { nodes, edges, width: SIZE, height: SIZE };
}

/** The drawing as an `<svg>` element, with a `<title>` per node for hovering. */
export function householdSvg(drawing: HouseholdDrawing, title: string): string {
  const byKey = new Map(drawing.nodes.map((n) => [n.key, n]));
  const parts: string[] = [
    `<svg class="household" role="img" viewBox="0 0 ${drawing.width} ${drawing.height}" width="${drawing.width}" height="${drawing.height}"><title>${escapeXml(title)}</title>`,
  ];
  for (const edge of drawing.edges) {
    const a = byKey.get(edge.from);
    const b = byKey.get(edge.to);
    if (a === undefined || b === undefined) continue;
    parts.push(`<line class="edge ${edge.kind}" x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}"/>`);
    if (edge.label !== undefined) {
      parts.push(
        `<text class="edge-label" x="${(a.x + b.x) / 2}" y="${(a.y + b.y) / 2 - 3}">${escapeXml(edge.label)}</text>`,
      );
    }
  }
  for (const node of drawing.nodes) {
    const cls = `node ${node.kind}${node.marked === undefined ? '' : ` marked-${node.marked}`}`;
    const shape =
      node.kind === 'person'
        ? `<circle cx="${node.x}" cy="${node.y}" r="16"/>`
        : node.kind === 'address'
          ? `<rect x="${node.x - 11}" y="${node.y - 11}" width="22" height="22" transform="rotate(45 ${node.x} ${node.y})"/>`
          : `<rect x="${node.x - 12}" y="${node.y - 9}" width="24" height="18" rx="3"/>`;
    const text = node.label
      .map((line, i) => `<text x="${node.x}" y="${node.y + 24 + i * 11}">${escapeXml(line)}</text>`)
      .join('');
    parts.push(
      `<g class="${cls}" data-node="${escapeXml(node.kind)}"><title>${escapeXml(node.label.join(', '))}</title>${shape}${text}</g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
