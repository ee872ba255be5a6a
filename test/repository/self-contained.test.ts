/**
 * The repository stands alone: its code reads nothing outside it, whatever
 * src/ and bin/ import at run time is a declared dependency, and nothing in
 * `dependencies` is there for the tests only.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, packageOf, pathsLeavingRepo, readText, repoRoot, sourceFiles } from './scan.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const dependencies = new Set(Object.keys(pkg.dependencies));
const devDependencies = new Set(Object.keys(pkg.devDependencies));

/** What runs in production, and what runs only while developing. */
const runtime = [...sourceFiles('src'), ...sourceFiles('bin')];
// This file itself names such paths, as examples for the scanner.
const development = [
  ...sourceFiles('test').filter((file) => file !== fileURLToPath(import.meta.url)),
  ...sourceFiles('bench'),
  ...sourceFiles('examples'),
  ...sourceFiles('vitest.config.ts'),
  ...sourceFiles('eslint.config.js'),
];

function packagesImportedBy(files: readonly string[]): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const file of files)
    for (const specifier of importsOf(readText(file))) {
      const name = packageOf(specifier);
      if (name === undefined || name === 'node') continue;
      byPackage.set(name, [...(byPackage.get(name) ?? []), relative(repoRoot, file)]);
    }
  return byPackage;
}

/** Each undeclared package with the files that import it. */
function undeclared(imported: Map<string, string[]>, declared: ReadonlySet<string>) {
  return Object.fromEntries([...imported].filter(([name]) => !declared.has(name)));
}

describe('the scanner', () => {
  it('finds static, dynamic and type imports and names their packages', () => {
    const text = [
      "import { a } from '@grpc/grpc-js';",
      "import type { B } from 'pino';",
      "export { c } from './c.js';",
      "const d = await import('@bufbuild/protobuf/wire');",
      "import { e } from 'node:fs';",
      "import f from 'path';",
    ].join('\n');
    expect(importsOf(text).map(packageOf)).toEqual([
      '@grpc/grpc-js',
      'pino',
      undefined,
      '@bufbuild/protobuf',
      'node',
      'node',
    ]);
  });

  it('flags a path that climbs out of the repository or lies beside it, and no other', () => {
    const file = join(repoRoot, 'test/api/helpers.ts');
    const text = [
      "new URL('../../../elsewhere/scenarios', import.meta.url);",
      'readFileSync(`../../../elsewhere/${name}.ndjson`);',
      `readFileSync('${join(repoRoot, '..', 'elsewhere', 'CONTRACT.md')}');`,
      "import { x } from '../fixtures/scenarios.js';",
      "new URL('../../proto/radar/v1/radar.proto', import.meta.url);",
      "const path = '/radar.v1.RadarService/GetHousehold';",
    ].join('\n');
    expect(pathsLeavingRepo(text, file)).toEqual([
      '../../../elsewhere/scenarios',
      '../../../elsewhere/',
      join(repoRoot, '..', 'elsewhere', 'CONTRACT.md'),
    ]);
  });

  it('sees the files and imports it checks', () => {
    expect(runtime.map((f) => relative(repoRoot, f))).toContain(
      join('src', 'api', 'reflection.ts'),
    );
    expect(packagesImportedBy(runtime).get('@grpc/reflection')).toEqual([
      join('src', 'api', 'reflection.ts'),
    ]);
    expect(development.length).toBeGreaterThan(50);
  });
});

describe('the repository', () => {
  it('names no path outside itself in src, bin, test, bench or examples', () => {
    const leaving = Object.fromEntries(
      [...runtime, ...development]
        .map((file) => [relative(repoRoot, file), pathsLeavingRepo(readText(file), file)] as const)
        .filter(([, paths]) => paths.length > 0),
    );
    expect(leaving).toEqual({});
  });

  it('declares in `dependencies` every package that src and bin import', () => {
    expect(undeclared(packagesImportedBy(runtime), dependencies)).toEqual({});
  });

  it('keeps in `dependencies` only packages that src or bin import', () => {
    const used = packagesImportedBy(runtime);
    expect([...dependencies].filter((name) => !used.has(name))).toEqual([]);
  });

  it('declares every package that tests, benchmarks, examples and configuration import', () => {
    const declared = new Set([...dependencies, ...devDependencies]);
    expect(undeclared(packagesImportedBy(development), declared)).toEqual({});
  });
});
