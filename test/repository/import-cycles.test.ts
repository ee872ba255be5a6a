/** No import cycles in src/, type imports included: each module can be read and replaced on its own. */
import { relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './import-graph.js';
import { repoRoot, sourceFiles } from './scan.js';

/** A graph from files written inline: `{ '/r/a.ts': "import './b.js';" }`. */
function graphOf(texts: Record<string, string>) {
  return importGraph(Object.keys(texts), (file) => texts[file] ?? '');
}

describe('the import graph', () => {
  it('follows static, type and re-export imports between the given files', () => {
    const graph = graphOf({
      '/r/a.ts': "import { b } from './b.js';\nimport type { C } from './sub/c.js';",
      '/r/b.ts': "export * from './sub/c.js';\nimport 'node:fs';\nimport x from 'pino';",
      '/r/sub/c.ts': "const d = await import('../d.js');",
    });
    expect(Object.fromEntries(graph)).toEqual({
      '/r/a.ts': ['/r/b.ts', '/r/sub/c.ts'],
      '/r/b.ts': ['/r/sub/c.ts'],
      '/r/sub/c.ts': [],
    });
  });

  it('names a cycle in import order, a type-only one too', () => {
    const graph = graphOf({
      '/r/model.ts': "import type { Household } from './index.js';",
      '/r/index.ts': "import { type Signal, WINDOW } from './model.js';\nimport './leaf.js';",
      '/r/leaf.ts': '',
      '/r/self.ts': "import './self.js';",
    });
    expect(importCycles(graph)).toEqual([
      ['/r/index.ts', '/r/model.ts', '/r/index.ts'],
      ['/r/self.ts', '/r/self.ts'],
    ]);
  });

  it('finds no cycle where every import points to a later file, and real ones once a ring closes', () => {
    // Files 0..n-1 with imports only from lower to higher numbers form no cycle;
    // a ring of imports through some of them closes one, and each cycle named
    // follows imports that exist.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 30 }),
            chain: fc.uniqueArray(fc.nat(n - 1), { minLength: 2, maxLength: n }),
          }),
        ),
        ({ n, edges, chain }) => {
          const name = (i: number) => `/r/m${i}.ts`;
          const forward = edges.filter(([a, b]) => a < b);
          const graph = (extra: [number, number][]) =>
            new Map(
              Array.from({ length: n }, (_, i) => [
                name(i),
                [...forward, ...extra].filter(([a]) => a === i).map(([, b]) => name(b)),
              ]),
            );
          expect(importCycles(graph([]))).toEqual([]);
          const ring = chain.map((from, k) => [from, chain[(k + 1) % chain.length] ?? from]);
          const closed = graph(ring as [number, number][]);
          const cycles = importCycles(closed);
          expect(cycles.length).toBeGreaterThan(0);
          for (const cycle of cycles) {
            expect(cycle[0]).toBe(cycle.at(-1));
            for (const [k, file] of cycle.slice(1).entries())
              expect(closed.get(cycle[k] ?? '')).toContain(file);
          }
        },
      ),
    );
  });
});

describe('src/', () => {
  it('has no import cycles', () => {
    const files = sourceFiles('src').filter((file) => file.endsWith('.ts'));
    const cycles = importCycles(importGraph(files)).map((cycle) =>
      cycle.map((file) => relative(repoRoot, file)).join(' -> '),
    );
    expect(cycles).toEqual([]);
  });

  it('sees the imports it checks', () => {
    const graph = importGraph(sourceFiles('src').filter((file) => file.endsWith('.ts')));
    expect(graph.size).toBeGreaterThan(50);
    const imported = [...graph.values()].flat().map((file) => relative(repoRoot, file));
    expect(imported).toContain('src/errors.ts');
  });
});
