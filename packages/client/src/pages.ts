import { IdpValidationError } from './errors.js';

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
 * Every item of a paged list, fetched a page at a time as the caller iterates. Stops at an empty page,
 * a short page, or once `total` items were seen when the list tells its total. Breaking out of the loop
 * fetches nothing more.
 */
export async function* everyPage<T>(
  fetchPage: (page: number, size: number) => Promise<{ items: T[]; total?: number }>,
  size: number = DEFAULT_PAGE_SIZE,
): AsyncGenerator<T, void, undefined> {
  checkPage({ size });
  let seen = 0;
  for (let page = 0; ; page++) {
    const { items, total } = await fetchPage(page, size);
    for (const item of items) yield item;
    seen += items.length;
    if (items.length < size || (total !== undefined && seen >= total)) return;
  }
}
