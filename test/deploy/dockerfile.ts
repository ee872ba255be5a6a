/**
 * Just enough of a Dockerfile reader for the image test: stages, and per
 * stage its instructions with continuation lines joined and comments dropped.
 */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  instructions: Instruction[];
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (match === null) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const name = /\sAS\s+(\S+)$/i.exec(args)?.[1] ?? String(stages.length);
      stages.push({ name, instructions: [] });
    }
    stages.at(-1)?.instructions.push({ keyword, args });
  }
  return stages;
}

/** A COPY's flags, sources and destination (shell form). */
export function parseCopy(args: string): Copy {
  const words = args.split(/\s+/).filter((w) => w !== '');
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

/** An instruction's exec form (`["a", "b"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const json = args.replace(/^--\S+\s+/g, '').trim();
  if (!json.startsWith('[')) return undefined;
  return JSON.parse(json) as string[];
}
