/**
 * Reads the repository's own source files as TypeScript sees them, for the
 * checks that keep it self-contained: which modules each file imports and
 * which relative paths it names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');

const SOURCE = /\.(?:[cm]?js|[cm]?ts)$/;

/** Source files (generated ones included) under a folder of the repository, or that one file. */
export function sourceFiles(path: string): string[] {
  const full = join(repoRoot, path);
  if (SOURCE.test(full)) return [full];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((name) => SOURCE.test(name) && !name.split(sep).includes('node_modules'))
    .map((name) => join(full, name))
    .sort();
}

/** Every module a file imports, statically or dynamically, or requires. */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The package a module specifier names, 'node' for a builtin, undefined for a relative one. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:')) return 'node';
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? 'node' : name;
}

/**
 * The string literals of a file that name a path outside the repository:
 * relative ones that climb out of it from the file's folder, and absolute
 * ones beside it (the repository's parent folder, where `shared/` lies on a
 * developer's machine but not in a clone).
 */
export function pathsLeavingRepo(text: string, file: string, root = repoRoot): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const within = (folder: string, path: string) => {
    const rel = relative(folder, path);
    return !rel.startsWith('..') && !isAbsolute(rel);
  };
  // A repository at the top of the file system has no folder beside it to guard.
  const parent = dirname(root) === dirname(dirname(root)) ? undefined : dirname(root);
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node)) {
      const literal = node.text;
      const relativePath = /^\.\.?(?:\/|$)/.test(literal);
      if (relativePath && !within(root, resolve(dirname(file), literal))) found.push(literal);
      if (
        isAbsolute(literal) &&
        parent !== undefined &&
        within(parent, literal) &&
        !within(root, literal)
      )
        found.push(literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}
