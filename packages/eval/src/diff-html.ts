import { reliabilityBins } from './calibration.js';
import type { ChangedValue, VersionDiff } from './diff.js';
import type { DiffPageData } from './diff-page-data.js';
import type { GateResult } from './fail-on.js';
import { selfContainedPage } from './html-report.js';

/**
 * Options of {@link diffHtmlReport}.
 *
 * @example
 * ```ts
 * const options: DiffHtmlOptions = { targetAccuracy: 0.99, views: { a: 'idp view out/1.1.0', b: 'idp view out/1.2.0' } };
 * ```
 */
export interface DiffHtmlOptions {
  targetAccuracy: number;
  /** The gate's verdict, shown at the top. */
  gate?: GateResult;
  /** The `idp view` command of each side that is a batch folder at hand. */
  views?: { a?: string; b?: string };
  /** At most this many changed values on the page, worst first (default 2,000). */
  maxChanges?: number;
}

/**
 * The data the diff page draws (pure; {@link diffHtmlReport} puts it in the page).
 *
 * @example
 * ```ts
 * const data = diffPageData(diffResults(a, b, { truth }), { targetAccuracy: 0.99 });
 * ```
 */
export function diffPageData(diff: VersionDiff, options: DiffHtmlOptions): DiffPageData {
  const { report, comparisons } = diff;
  const max = options.maxChanges ?? 2000;
  let charts: DiffPageData['charts'];
  if (comparisons) {
    charts = {
      overall: { a: reliabilityBins(comparisons.a.scored), b: reliabilityBins(comparisons.b.scored) },
    };
    for (const [name, f] of comparisons.a.fields) {
      charts[name] = {
        a: reliabilityBins(f.scored),
        b: reliabilityBins(comparisons.b.fields.get(name)?.scored ?? []),
      };
    }
  }
  const changes: ChangedValue[] = report.changes.slice(0, max);
  return {
    title: `idp diff: ${report.a.source} → ${report.b.source}`,
    targetAccuracy: options.targetAccuracy,
    report: { ...report, changes },
    changesOmitted: Math.max(0, report.changes.length - max),
    ...(options.gate ? { gate: options.gate } : {}),
    views: options.views ?? {},
    ...(charts ? { charts } : {}),
  };
}

/**
 * One self-contained HTML page of a diff: the gate's verdict, the fields side by side with their changes
 * (and each side's F1 with truth), the changed values worst first with the `idp view` command of each
 * side, and with truth both reliability diagrams per field (eval's chart, bundled). No network.
 *
 * @example
 * ```ts
 * await writeFile('diff.html', await diffHtmlReport(diffResults(a, b, { truth }), { targetAccuracy: 0.99 }));
 * ```
 */
export async function diffHtmlReport(diff: VersionDiff, options: DiffHtmlOptions): Promise<string> {
  const data = diffPageData(diff, options);
  return selfContainedPage(data.title, 'diff-data', data, 'diff-page.js');
}
