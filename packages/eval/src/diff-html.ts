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
  /**
   * Each side that is a batch folder at hand: the `idp view` command that serves it (a string), or that
   * command with where it serves and each document's place there, so that each changed value links to
   * its document in the viewer (see {@link SideView}).
   */
  views?: { a?: string | SideView; b?: string | SideView };
  /** At most this many changed values on the page, worst first (default 2,000). */
  maxChanges?: number;
}

/**
 * One side of a diff as `idp view` serves it. The links of the report point at `url` + `#doc=<n>`: they
 * work while `command` runs (it binds that port), and say so on the page rather than pretend otherwise.
 *
 * @example
 * ```ts
 * const a: SideView = {
 *   command: 'idp view out/1.1.0 --port 4811 --no-open',
 *   url: 'http://127.0.0.1:4811/',
 *   indexOf: (file, hash) => order.get(file) ?? order.get(`sha256:${hash}`),
 * };
 * ```
 */
export interface SideView {
  /** The command that serves the side, to copy. */
  command: string;
  /** Where that command serves it, e.g. `http://127.0.0.1:4811/` (loopback only). */
  url?: string;
  /** The viewer's number of a document of this side (`#doc=<n>`), by its path or content hash. */
  indexOf?: (file: string, hash: string | undefined) => number | undefined;
}

/** Each side's link to a changed value's document in the viewer, when the side can be served. */
function linksOf(changes: readonly ChangedValue[], views: DiffHtmlOptions['views']) {
  const sides = (['a', 'b'] as const).filter((side) => {
    const v = views?.[side];
    return typeof v === 'object' && v.url !== undefined && v.indexOf !== undefined;
  });
  if (sides.length === 0) return undefined;
  return changes.map((c) => {
    const link: { a?: string; b?: string } = {};
    for (const side of sides) {
      const v = views?.[side] as SideView;
      const n = v.indexOf?.(c.file[side], c.hash);
      if (n !== undefined) link[side] = `${v.url}#doc=${n}`;
    }
    return link;
  });
}

const commandOf = (v: string | SideView | undefined) => (typeof v === 'object' ? v.command : v);

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
  const links = linksOf(changes, options.views);
  const views: DiffPageData['views'] = {};
  for (const side of ['a', 'b'] as const) {
    const command = commandOf(options.views?.[side]);
    if (command !== undefined) views[side] = command;
  }
  return {
    title: `idp diff: ${report.a.source} → ${report.b.source}`,
    targetAccuracy: options.targetAccuracy,
    report: { ...report, changes },
    changesOmitted: Math.max(0, report.changes.length - max),
    ...(options.gate ? { gate: options.gate } : {}),
    views,
    ...(links ? { links } : {}),
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
