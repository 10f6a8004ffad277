import type { DocumentRecord } from '@idp-kit/batch';

/**
 * The order in which `idp view <batch folder>` numbers a batch's documents (`#doc=<n>` on its page): by
 * path. Written once, so that the diff report's links to the viewer point at the documents it shows.
 *
 * @example
 * ```ts
 * const sorted = viewOrder(await readJournal('out/1.2.0'));
 * ```
 */
export function viewOrder<R extends Pick<DocumentRecord, 'path'>>(records: readonly R[]): R[] {
  return [...records].sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Each document's number in the viewer of a batch, by its path and by `sha256:<hash>` (the diff knows a
 * document by either).
 *
 * @example
 * ```ts
 * const n = viewIndex(records).get('/in/invoice-2.pdf'); // open http://127.0.0.1:4812/#doc=<n>
 * ```
 */
export function viewIndex(records: readonly Pick<DocumentRecord, 'path' | 'hash'>[]): Map<string, number> {
  const index = new Map<string, number>();
  viewOrder(records).forEach((r, i) => {
    if (!index.has(r.path)) index.set(r.path, i);
    const key = `sha256:${r.hash.toLowerCase()}`;
    if (!index.has(key)) index.set(key, i);
  });
  return index;
}
