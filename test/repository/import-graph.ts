/**
 * The graph of a folder's own imports, type imports included, and the
 * cycles in it: a cycle makes module load order matter and keeps modules
 * from being understood, tested or replaced one at a time.
 */
import { dirname, resolve } from 'node:path';
import { importsOf, readText } from './scan.js';

export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Each file with the files among `files` it imports (ESM `./x.js` naming `./x.ts`). */
export function importGraph(files: readonly string[], read = readText): ImportGraph {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(read(file))
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, '.ts'))
      .filter((target) => known.has(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * One cycle per strongly connected component that has one (Tarjan's
 * algorithm), each as the files in import order with the first repeated at
 * the end, e.g. `[a, b, a]`; none for an acyclic graph.
 */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const edges = (file: string) => graph.get(file) ?? [];

  const connect = (file: string): void => {
    index.set(file, index.size);
    lowest.set(file, index.size - 1);
    stack.push(file);
    onStack.add(file);
    for (const next of edges(file)) {
      if (!index.has(next)) {
        connect(next);
        lowest.set(file, Math.min(lowest.get(file) ?? 0, lowest.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowest.set(file, Math.min(lowest.get(file) ?? 0, index.get(next) ?? 0));
      }
    }
    if (lowest.get(file) !== index.get(file)) return;
    const component = new Set<string>();
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.add(member);
      if (member === file) break;
    }
    if (component.size > 1 || edges(file).includes(file))
      cycles.push(cycleThrough(file, component, edges));
  };

  for (const file of [...graph.keys()].sort()) if (!index.has(file)) connect(file);
  return cycles;
}

/** The shortest way from `start` back to itself inside its component. */
function cycleThrough(
  start: string,
  component: ReadonlySet<string>,
  edges: (file: string) => readonly string[],
): string[] {
  const cameFrom = new Map<string, string>();
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const file of frontier) {
      for (const target of edges(file)) {
        if (!component.has(target)) continue;
        if (target === start) {
          const path: string[] = [];
          for (let step: string | undefined = file; step !== undefined; step = cameFrom.get(step))
            path.push(step);
          return [...path.reverse(), start];
        }
        if (cameFrom.has(target)) continue;
        cameFrom.set(target, file);
        next.push(target);
      }
    }
    frontier = next;
  }
  return [start, start];
}
