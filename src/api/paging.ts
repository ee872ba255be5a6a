/**
 * Page tokens: opaque to clients, base64url of the last key returned and a
 * fingerprint of the filter, so a token cannot be replayed with another filter.
 */
import { at } from '../at.js';
import { createHash } from 'node:crypto';
import { invalid } from './errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export function pageSize(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_PAGE_SIZE) {
    throw invalid('page_size', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return requested;
}

export function fingerprint(filter: unknown): string {
  return createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 16);
}

export function encodePageToken(lastKey: string, filterPrint: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey, f: filterPrint })).toString('base64url');
}

/** The key after which the page starts; undefined for the first page. */
export function decodePageToken(token: string, filterPrint: string): string | undefined {
  if (token === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('page_token', 'not a token this service issued');
  }
  const { k, f } = (parsed ?? {}) as { k?: unknown; f?: unknown };
  if (typeof k !== 'string' || typeof f !== 'string')
    throw invalid('page_token', 'not a token this service issued');
  if (f !== filterPrint)
    throw invalid('page_token', 'issued for other filters; start again without a token');
  return k;
}

/** Sorted by `key` (code units), the items after `after`, one page, and the token for the next. */
export function page<T>(
  items: readonly T[],
  key: (item: T) => string,
  after: string | undefined,
  size: number,
  filterPrint: string,
): { items: T[]; nextPageToken: string } {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const start = after === undefined ? 0 : sorted.findIndex((item) => key(item) > after);
  const from = start < 0 ? sorted.length : start;
  const slice = sorted.slice(from, from + size);
  const more = from + size < sorted.length;
  return {
    items: slice,
    nextPageToken: more ? encodePageToken(key(at(slice, slice.length - 1)), filterPrint) : '',
  };
}
