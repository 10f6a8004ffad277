import type { DocumentRecord } from './journal.js';

/**
 * What a batch may spend: pages, or credits at a known rate (`creditsPerPage`, from the customer's
 * contract: never guessed). Both may be given; the smaller wins.
 *
 * @example
 * ```ts
 * const limits: BudgetLimits = { maxCredits: 500, creditsPerPage: 2.5 }; // at most 200 pages
 * ```
 */
export interface BudgetLimits {
  maxPages?: number;
  maxCredits?: number;
  creditsPerPage?: number;
}

/**
 * The reason a document held back by the budget carries (`reason` on its record and results line; a
 * dry run's `reject` reason starts with it).
 *
 * @example
 * ```ts
 * const held = records.filter((r) => r.state === 'queued' && r.reason === BUDGET_REASON);
 * ```
 */
export const BUDGET_REASON = 'budget';

/** States in which IDP has (or may have) a document's upload: its pages are paid, or may be. */
const UPLOADED = new Set<DocumentRecord['state']>([
  'submitting',
  'uncertain',
  'submitted',
  'settled',
  'retrieved',
  'expired',
]);

/**
 * Whether this batch paid (or may have paid) for a document's pages: an upload reached IDP or may have
 * (uncertain counts: it may be charged). A document whose execution another batch of the store paid
 * for (`duplicateOf`) cost this batch nothing.
 *
 * @example
 * ```ts
 * const paid = records.filter(isPaidHere);
 * ```
 */
export function isPaidHere(record: DocumentRecord): boolean {
  if (record.duplicateOf) return false;
  return UPLOADED.has(record.state) || record.executionId !== undefined;
}

/**
 * Pages this batch has submitted, from its records: what a budget is measured against, across runs.
 *
 * @example
 * ```ts
 * const spent = pagesSubmitted(await journal.load());
 * ```
 */
export function pagesSubmitted(records: Iterable<DocumentRecord>): number {
  let pages = 0;
  for (const r of records) if (isPaidHere(r)) pages += r.pages ?? 0;
  return pages;
}

/**
 * The most pages the limits allow in a batch, or undefined without a limit. Throws (a usage error to
 * the caller) when a credit limit comes without a rate, or a number is not one.
 *
 * @example
 * ```ts
 * maxPagesOf({ maxPages: 300, maxCredits: 500, creditsPerPage: 2.5 }); // 200
 * ```
 */
export function maxPagesOf(limits: BudgetLimits): number | undefined {
  const { maxPages, maxCredits, creditsPerPage } = limits;
  for (const [name, value] of Object.entries({ maxPages, maxCredits, creditsPerPage })) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${name} must be a number of at least 0, got ${value}`);
    }
  }
  if (limits.creditsPerPage === 0) throw new RangeError('creditsPerPage must be more than 0');
  let max = limits.maxPages === undefined ? undefined : Math.floor(limits.maxPages);
  if (limits.maxCredits !== undefined) {
    if (limits.creditsPerPage === undefined) {
      throw new RangeError(
        'a credit budget needs the rate: give the credits one page costs (creditsPerPage, --credits-per-page), as your MuleSoft contract states',
      );
    }
    // A tiny epsilon: 0.1 × 3 must fit a budget of 0.3.
    const byCredits = Math.floor(limits.maxCredits / limits.creditsPerPage + 1e-9);
    max = max === undefined ? byCredits : Math.min(max, byCredits);
  }
  return max;
}

/**
 * Credits for a number of pages at a known rate, or null without one (never an invented rate).
 *
 * @example
 * ```ts
 * creditsFor(12, 2.5); // 30
 * creditsFor(12, undefined); // null
 * ```
 */
export function creditsFor(pages: number, creditsPerPage: number | undefined): number | null {
  if (creditsPerPage === undefined) return null;
  // Rounded to a millionth: 3 × 0.1 is 0.3, not 0.30000000000000004.
  return Math.round(pages * creditsPerPage * 1e6) / 1e6;
}

/**
 * A batch's page budget as it is spent: documents are admitted in input order while their pages fit;
 * the first that does not fit stops it, and every later one is held back too (the order is kept, so a
 * rerun with a larger budget goes on where this one stopped). Pages of an upload that came to nothing
 * (refused, never sent, a duplicate reused) are given back.
 *
 * @example
 * ```ts
 * const budget = new PageBudget(200, pagesSubmitted(records));
 * if (budget.admit(doc.pages)) await submit(doc); else hold(doc);
 * ```
 */
export class PageBudget {
  #spent: number;
  #stopped = false;
  constructor(
    readonly max: number | undefined,
    spent = 0,
  ) {
    this.#spent = spent;
  }
  /** Pages submitted in this batch so far (earlier runs included). */
  get spent(): number {
    return this.#spent;
  }
  /** Pages still allowed, or undefined without a limit. */
  get left(): number | undefined {
    return this.max === undefined ? undefined : Math.max(0, this.max - this.#spent);
  }
  /** Whether a document has been held back. */
  get stopped(): boolean {
    return this.#stopped;
  }
  /** Takes a document's pages if they fit; `undefined` pages (not counted) never fit a limit. */
  admit(pages: number | undefined): boolean {
    if (this.max === undefined) {
      this.#spent += pages ?? 0;
      return true;
    }
    if (this.#stopped || pages === undefined || this.#spent + pages > this.max) {
      this.#stopped = true;
      return false;
    }
    this.#spent += pages;
    return true;
  }
  /** Gives back the pages of an admitted document that was not paid for after all. */
  refund(pages: number | undefined): void {
    this.#spent = Math.max(0, this.#spent - (pages ?? 0));
  }
}

/**
 * Why a document was held back, in words, for its record and the dry run.
 *
 * @example
 * ```ts
 * heldMessage(3, budget); // 'budget: not sent, its 3 page(s) would take the batch past its budget of 10 pages (8 before it); …'
 * ```
 */
export function heldMessage(pages: number | undefined, budget: PageBudget): string {
  if (pages === undefined) {
    return `${BUDGET_REASON}: not sent, its pages are unknown (a journal from an older version, or pages that could not be read with --no-preflight), so it cannot be counted against the budget; run without a budget to send it`;
  }
  const head = `${BUDGET_REASON}: not sent`;
  const past = budget.spent + pages > (budget.max ?? 0);
  return past
    ? `${head}, its ${pages} page(s) would take the batch past its budget of ${budget.max} pages (${budget.spent} before it); rerun with a larger budget to send it`
    : `${head}, an earlier document did not fit the budget of ${budget.max} pages, and documents go in input order; rerun with a larger budget to send it`;
}
