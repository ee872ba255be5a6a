/**
 * A household as a graphology graph: its signals, the persons they name and
 * the addresses they were at, with the relations the signals state between
 * persons. Households are immutable values (a change makes a new one), so a
 * household's graph is built once, on first use, and never goes stale; the
 * hot path of ingestion never pays for it.
 */
import { MultiGraph } from 'graphology';
import type { Household, HouseholdIndex } from './household-index.js';

export type NodeAttributes =
  { type: 'signal'; occurredAt: number } | { type: 'person' } | { type: 'address'; key: string };

export type EdgeAttributes =
  | { type: 'names'; signal: string; ref: string }
  | { type: 'at'; signal: string }
  | { type: 'relation'; relation: string; signal: string };

export type HouseholdGraph = MultiGraph<NodeAttributes, EdgeAttributes>;

export const signalNode = (id: string): string => `signal:${id}`;
export const personNode = (id: string): string => `person:${id}`;
export const addressNode = (key: string): string => `address:${key}`;

const cache = new WeakMap<Household, HouseholdGraph>();

export function householdGraph(index: HouseholdIndex, household: Household): HouseholdGraph {
  const cached = cache.get(household);
  if (cached !== undefined) return cached;
  const graph: HouseholdGraph = new MultiGraph({ allowSelfLoops: false });
  for (const signal of household.signals) {
    const s = signalNode(signal.id);
    graph.addNode(s, { type: 'signal', occurredAt: signal.t });
    const personByRef = new Map<string, string>();
    for (const record of signal.records) {
      const p = personNode(index.personOf(record).id);
      graph.mergeNode(p, { type: 'person' });
      graph.addUndirectedEdge(s, p, { type: 'names', signal: signal.id, ref: record.ref });
      personByRef.set(record.ref, p);
    }
    for (const relation of signal.relations) {
      const from = personByRef.get(relation.from);
      const to = personByRef.get(relation.to);
      // Validation keeps a relation's refs among its signal's persons. Two refs
      // of one signal can resolve to the same person; a relation to oneself says nothing.
      if (from !== undefined && to !== undefined && from !== to)
        graph.addDirectedEdge(from, to, {
          type: 'relation',
          relation: relation.type,
          signal: signal.id,
        });
    }
    if (signal.addressKey !== undefined) {
      const a = addressNode(signal.addressKey);
      graph.mergeNode(a, { type: 'address', key: signal.addressKey });
      graph.addUndirectedEdge(s, a, { type: 'at', signal: signal.id });
    }
  }
  cache.set(household, graph);
  return graph;
}
