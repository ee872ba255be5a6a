/**
 * Every relative link in the user's guide points at a file of this
 * repository: the README is an index of docs/, so a page moved or renamed
 * without its links is caught here, and so is a link that climbs out of the
 * repository (it resolves on one machine and nowhere else).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const DOCUMENTS = [
  'README.md',
  'examples/README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The targets of a page's inline and reference links, outside code blocks and code spans. */
export function linkTargets(markdown: string): string[] {
  const prose = markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, (code) => (code.includes('](') ? '' : code));
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1]!,
  );
  const reference = [...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map(
    (m) => m[1]!,
  );
  return [...inline, ...reference];
}

/** What is wrong with a relative link from `document`, or undefined when it points at a file here. */
export function brokenLink(document: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return undefined;
  const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
  const absolute = resolve(repoRoot, dirname(document), path);
  const inside = relative(repoRoot, absolute);
  if (inside === '..' || inside.startsWith(`..${sep}`)) return `${target} leaves the repository`;
  if (!existsSync(absolute)) return `${target} does not exist`;
  return undefined;
}

describe('links in the documentation', () => {
  it('are found in inline and reference form, not in code', () => {
    const text = [
      'See [the API](docs/api.md#status-codes) and [a site](https://example.org).',
      '[ref]: docs/rules.md',
      '`[not](a-link.md)`',
      '```md',
      '[nor](this.md)',
      '```',
    ].join('\n');
    expect(linkTargets(text)).toEqual([
      'docs/api.md#status-codes',
      'https://example.org',
      'docs/rules.md',
    ]);
  });

  it('are judged by the file they point at', () => {
    expect(brokenLink('README.md', 'docs/architecture.md#restart')).toBeUndefined();
    expect(brokenLink('docs/api.md', '../proto/radar/v1/radar.proto')).toBeUndefined();
    expect(brokenLink('README.md', 'https://example.org/x.md')).toBeUndefined();
    expect(brokenLink('README.md', 'docs/no-such-page.md')).toMatch(/does not exist/);
    expect(brokenLink('docs/api.md', 'api.md/../../../elsewhere/CONTRACT.md')).toMatch(
      /leaves the repository/,
    );
  });

  it.each(DOCUMENTS)('%s: every relative link points at a file in this repository', (document) => {
    const targets = linkTargets(readFileSync(join(repoRoot, document), 'utf8'));
    const broken = targets
      .map((target) => brokenLink(document, target))
      .filter((problem) => problem !== undefined);
    expect(broken).toEqual([]);
  });

  it('the README links every page in docs/', () => {
    const readme = linkTargets(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
    for (const page of DOCUMENTS.filter((document) => document.startsWith('docs/')))
      expect(readme, page).toContain(page);
  });
});
