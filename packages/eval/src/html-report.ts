import type { Comparison } from './compare.js';
import type { EvalReport } from './evaluate.js';

/**
 * Options of {@link htmlReport}.
 *
 * @example
 * ```ts
 * const options: HtmlReportOptions = { targetAccuracy: 0.99, source: 'batch-out' };
 * ```
 */
export interface HtmlReportOptions {
  targetAccuracy: number;
  /** What was evaluated, for the title. */
  source?: string;
}

/**
 * One self-contained HTML page of a report.
 *
 * @example
 * ```ts
 * await writeFile('report.html', await htmlReport(report, comparison, { targetAccuracy: 0.99 }));
 * ```
 */
export async function htmlReport(
  report: EvalReport,
  _comparison: Comparison,
  options: HtmlReportOptions,
): Promise<string> {
  return `<!doctype html><title>idp eval</title><pre>${JSON.stringify({ report, options }).replace(/</g, '\\u003c')}</pre>`;
}
