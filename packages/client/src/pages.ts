import { IdpPagingError, IdpValidationError } from './errors.js';

/**
 * Paging of a list: `page` from 0, `size` items per page (1–100, default 20).
 *
 * @example
 * ```ts
 * await idp.listReviews({ page: 1, size: 50 });
 * ```
 */
export interface PageOptions {
  page?: number;
  size?: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Checks paging options before anything is sent. */
export function checkPage(options: PageOptions): void {
  const { page, size } = options;
  if (page !== undefined && (!Number.isInteger(page) || page < 0)) {
    throw new IdpValidationError(`page must be an integer ≥ 0 (pages count from 0), got ${String(page)}`);
  }
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)) {
    throw new IdpValidationError(`size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(size)}`);
  }
}

/**
 * How many pages an iterator (`reviews()`, `actions()`, `actionVersions()`) fetches at most: 1,000 pages
 * is 20,000 items at the default size, 100,000 at size 100.
 *
 * @example
 * ```ts
 * for await (const action of idp.actions({ maxPages: DEFAULT_MAX_PAGES * 2 })) console.log(action.id);
 * ```
 */
export const DEFAULT_MAX_PAGES = 1000;

/**
 * Paging of an iterator: the page size, and how many pages it may fetch before it stops with an error.
 *
 * @example
 * ```ts
 * for await (const task of idp.reviews({ size: 100, maxPages: 50 })) show(task);
 * ```
 */
export interface IterateOptions {
  /** Items per page, 1–100; default 20. */
  size?: number;
  /** Pages fetched at most; default 1,000. Past it the iterator throws `IdpPagingError`. */
  maxPages?: number;
}

/** Checks `maxPages` before anything is sent. */
export function checkMaxPages(maxPages: unknown): number {
  if (maxPages === undefined) return DEFAULT_MAX_PAGES;
  if (typeof maxPages !== 'number' || !Number.isInteger(maxPages) || maxPages < 1) {
    throw new IdpValidationError(`maxPages must be an integer ≥ 1, got ${String(maxPages)}`);
  }
  return maxPages;
}

/**
 * Every item of a paged list, fetched a page at a time as the caller iterates. Stops at an empty page,
 * a short page, or once `total` items were seen when the list tells its total. Breaking out of the loop
 * fetches nothing more. A server that ignores `page` (the same full page again) or a list longer than
 * `maxPages` pages ends in `IdpPagingError`, not in a loop that never ends.
 */
export async function* everyPage<T>(
  fetchPage: (page: number, size: number) => Promise<{ items: T[]; total?: number }>,
  options: IterateOptions & { name: string },
): AsyncGenerator<T, void, undefined> {
  const size = options.size ?? DEFAULT_PAGE_SIZE;
  checkPage({ size });
  const maxPages = checkMaxPages(options.maxPages);
  let seen = 0;
  let previous: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= maxPages) {
      throw new IdpPagingError(
        `${options.name}: stopped after ${maxPages} pages of ${size} (maxPages), and the list goes on; ` +
          'pass a larger maxPages (or size) if the list is really that long.',
      );
    }
    const { items, total } = await fetchPage(page, size);
    // Only a full page can repeat without ending the loop; compared as JSON (a page is at most 100 items).
    const same = items.length > 0 ? JSON.stringify(items) : undefined;
    if (same !== undefined && same === previous) {
      throw new IdpPagingError(
        `${options.name}: page ${page} is the same as page ${page - 1}: the server ignores the page parameter, ` +
          'so the rest of the list cannot be read. The items before are complete up to that page.',
      );
    }
    previous = same;
    for (const item of items) yield item;
    seen += items.length;
    if (items.length < size || (total !== undefined && seen >= total)) return;
  }
}

/** The defined ones of `size` and `maxPages`, for `everyPage` (exact optional properties). */
export function paging(size: number | undefined, maxPages: number | undefined): IterateOptions {
  return { ...(size !== undefined ? { size } : {}), ...(maxPages !== undefined ? { maxPages } : {}) };
}
