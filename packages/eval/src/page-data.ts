import type { CalibrationBin } from './calibration.js';
import type { WrongValue } from './compare.js';
import type { EvalReport } from './evaluate.js';
import type { ThresholdPoint } from './review-budget.js';

/**
 * What the HTML report's page script draws: the report, and per field its reliability bins, its
 * threshold curve and its wrong values.
 *
 * @example
 * ```ts
 * const data: PageData = reportPageData(report, comparison, { targetAccuracy: 0.99 });
 * ```
 */
export interface PageData {
  title: string;
  targetAccuracy: number;
  report: EvalReport;
  charts: Record<string, { bins: CalibrationBin[]; curve: ThresholdPoint[] }>;
  wrong: WrongValue[];
  /** Wrong values left out of `wrong` to keep the page small. */
  wrongOmitted: number;
}
