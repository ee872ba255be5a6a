/**
 * Where a worker thread's script is: beside the module that starts it, or,
 * when that module runs from its TypeScript source (under vitest), the
 * compiled twin in dist/ that `npm test` builds first, since a worker thread
 * cannot load TypeScript.
 */
import { existsSync } from 'node:fs';

/** `caller` is the starting module's `import.meta.url`, `script` the compiled script's file name. */
export function workerScript(caller: string, script: string): URL {
  const here = new URL(caller);
  if (!here.pathname.endsWith('.ts')) return new URL(`./${script}`, here);
  const at = here.pathname.lastIndexOf('/src/');
  const compiled = new URL(
    `${here.pathname.slice(0, at)}/dist${here.pathname.slice(at, here.pathname.lastIndexOf('/'))}/${script}`,
    here,
  );
  if (!existsSync(compiled))
    throw new Error(`run \`npm run build\` first: ${compiled.pathname} is missing`);
  return compiled;
}
