import type { BatchPlan, BatchSummary, BudgetLimits } from '@idp-kit/batch';
import { UsageError } from '../config.js';
import type { CliContext } from '../context.js';

/** The cost flags of `idp batch run`, as commander gives them. */
export interface CostFlags {
  dryRun?: boolean;
  creditsPerPage?: string;
  maxPages?: string;
  maxCredits?: string;
}

function number(text: string | undefined, flag: string, whole: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const ok =
    text.trim() !== '' && Number.isFinite(value) && value >= 0 && (!whole || Number.isInteger(value));
  if (!ok) {
    throw new UsageError(
      `${flag} must be ${whole ? 'a whole number' : 'a number'} of at least 0, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * The budget and rate from the flags, checked: a credit budget needs the rate (never guessed), and a
 * rate must be more than 0.
 */
export function costOptions(flags: CostFlags): BudgetLimits {
  const maxPages = number(flags.maxPages, '--max-pages', true);
  const maxCredits = number(flags.maxCredits, '--max-credits', false);
  const creditsPerPage = number(flags.creditsPerPage, '--credits-per-page', false);
  if (creditsPerPage === 0) throw new UsageError('--credits-per-page must be more than 0');
  if (maxCredits !== undefined && creditsPerPage === undefined) {
    throw new UsageError(
      '--max-credits needs --credits-per-page: the credits one page costs, as your MuleSoft contract or the Usage page of Anypoint states (idp-kit never guesses a rate); or cap pages with --max-pages',
    );
  }
  return {
    ...(maxPages !== undefined ? { maxPages } : {}),
    ...(maxCredits !== undefined ? { maxCredits } : {}),
    ...(creditsPerPage !== undefined ? { creditsPerPage } : {}),
  };
}

function creditsText(credits: number | null, limits: BudgetLimits): string {
  return credits === null
    ? 'credits unknown (give --credits-per-page to price it)'
    : `${credits} credits at ${limits.creditsPerPage} per page`;
}

/** `--dry-run`: each document with its verdict on stdout, then the totals. */
export function showPlan(ctx: CliContext, plan: BatchPlan, limits: BudgetLimits): void {
  for (const d of plan.documents) {
    const why = d.reason ?? (d.duplicateOf !== undefined ? `duplicate of ${d.duplicateOf}` : '');
    const pages = d.pages === null ? '?' : String(d.pages);
    ctx.say(
      `${d.verdict.padEnd(9)} ${pages.padStart(4)} p ${String(d.bytes).padStart(9)} B  ${(d.format ?? '-').padEnd(4)}  ${d.file}${why ? `  (${why})` : ''}`,
    );
  }
  const count = (verdict: string) => plan.documents.filter((d) => d.verdict === verdict).length;
  ctx.say(
    `would submit ${plan.submit.documents} document(s), ${plan.submit.pages} page(s): ${creditsText(plan.credits, limits)}; ` +
      `${count('reject')} rejected, ${count('duplicate')} duplicate, ${count('done')} done already. Nothing was sent (dry run).`,
  );
}

/** The pages (and credits) a run's summary says, for the end of `batch run` and `batch status`. */
export function pagesLine(summary: BatchSummary): string {
  const { submitted, rejected, failed } = summary.pages;
  const credits = summary.credits === null ? '' : `; ${summary.credits} credits`;
  return `pages: ${submitted} submitted in this batch (${failed} of them in FAILED executions, paid all the same), ${rejected} rejected before sending (free)${credits}`;
}

/** The line a budget that stopped the batch ends the run with, or undefined. */
export function budgetLine(summary: BatchSummary, limits: BudgetLimits): string | undefined {
  const held = summary.heldByBudget;
  if (held.documents === 0) return undefined;
  const caps = [
    limits.maxPages !== undefined ? `--max-pages ${limits.maxPages}` : undefined,
    limits.maxCredits !== undefined ? `--max-credits ${limits.maxCredits}` : undefined,
  ].filter((c) => c !== undefined);
  const cap = caps.length > 0 ? caps.join(', ') : 'an earlier run’s budget';
  const credits =
    limits.creditsPerPage !== undefined
      ? ` (${Math.round(held.pages * limits.creditsPerPage * 1e6) / 1e6} credits)`
      : '';
  return (
    `the budget stopped the batch (${cap}; ${summary.pages.submitted} pages submitted in it): ` +
    `${held.documents} document(s), ${held.pages} page(s)${credits} left to send, still queued. ` +
    'Rerun with a larger budget to send them; nothing already sent is sent again.'
  );
}
