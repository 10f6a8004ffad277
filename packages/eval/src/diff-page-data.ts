import type { CalibrationBin } from './calibration.js';
import type { DiffReport } from './diff.js';
import type { GateResult } from './fail-on.js';

/**
 * What the diff page's script draws.
 *
 * @example
 * ```ts
 * const data: DiffPageData = diffPageData(diff, { targetAccuracy: 0.99 });
 * ```
 */
export interface DiffPageData {
  title: string;
  targetAccuracy: number;
  report: DiffReport;
  /** Changed values left out of `report.changes` to keep the page small. */
  changesOmitted: number;
  gate?: GateResult;
  /** The `idp view` command of each side that is a batch folder at hand. */
  views: { a?: string; b?: string };
  /** Per changed value (as `report.changes`), each side's viewer link, when its side can be served. */
  links?: { a?: string; b?: string }[];
  /** With truth: each side's reliability bins, per field and `overall`. */
  charts?: Record<string, { a: CalibrationBin[]; b: CalibrationBin[] }>;
}
