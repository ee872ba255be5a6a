/** From a path in a rule to a place in the YAML text, so every issue names its line and column. */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { PathSegment, SchemaIssue } from './schema.js';

/**
 * Offset in the source of the key or value at `path`, or of the deepest
 * part of the path that exists (a missing key points at the object that
 * should hold it).
 */
export function locate(doc: Document, path: readonly PathSegment[], at: SchemaIssue['at']): number {
  const root = doc.contents;
  let keyNode: Node | undefined;
  let valueNode: Node | null | undefined = root;
  let resolved = 0;
  for (const segment of path) {
    const node = isAlias(valueNode) ? valueNode.resolve(doc) : valueNode;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment),
      );
      if (pair === undefined) break;
      keyNode = pair.key as Node;
      valueNode = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      keyNode = node.items[segment] as Node;
      valueNode = keyNode;
    } else break;
    resolved++;
  }
  // A missing key ('parent') never resolves completely, so it lands on the key of its parent.
  const target = resolved === path.length && at === 'value' ? (valueNode ?? keyNode) : keyNode;
  return target?.range?.[0] ?? root?.range?.[0] ?? 0;
}

/** `['filter', 'kind', 1]` → `filter.kind[1]` */
export function dottedKey(path: readonly PathSegment[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`,
    )
    .join('');
}
