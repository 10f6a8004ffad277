import { readFile } from 'node:fs/promises';
import { reliabilityBins, type ScoredValue } from './calibration.js';
import type { Comparison, WrongValue } from './compare.js';
import type { EvalReport } from './evaluate.js';
import type { PageData } from './page-data.js';
import { ascending, type ThresholdPoint, thresholdCurveSorted } from './review-budget.js';

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
  /** At most this many wrong values on the page, lowest confidence first (default 2,000). */
  maxWrong?: number;
}

/** At most `n` points of a curve, evenly spread, the ends kept: a chart needs no more. */
function thin(curve: ThresholdPoint[], n = 300): ThresholdPoint[] {
  if (curve.length <= n) return curve;
  const step = (curve.length - 1) / (n - 1);
  return Array.from({ length: n }, (_, i) => curve[Math.round(i * step)] as ThresholdPoint);
}

function charts(scored: readonly ScoredValue[]) {
  return { bins: reliabilityBins(scored), curve: thin(thresholdCurveSorted(ascending(scored))) };
}

/**
 * The data the report page draws (pure; {@link htmlReport} puts it in the page).
 *
 * @example
 * ```ts
 * const data = reportPageData(report, compareAll(results, truth), { targetAccuracy: 0.99 });
 * ```
 */
export function reportPageData(
  report: EvalReport,
  comparison: Comparison,
  options: HtmlReportOptions,
): PageData {
  const perField: PageData['charts'] = { overall: charts(comparison.scored) };
  const wrong: WrongValue[] = [];
  for (const [name, f] of comparison.fields) {
    perField[name] = charts(f.scored);
    wrong.push(...f.wrong);
  }
  // The confident mistakes first: those are the ones a threshold lets through.
  wrong.sort((a, b) => (b.confidence ?? -1) - (a.confidence ?? -1));
  const max = options.maxWrong ?? 2000;
  return {
    title: options.source ? `idp eval: ${options.source}` : 'idp eval',
    targetAccuracy: options.targetAccuracy,
    report,
    charts: perField,
    wrong: wrong.slice(0, max),
    wrongOmitted: Math.max(0, wrong.length - max),
  };
}

/**
 * JSON that is safe inside a `<script type="application/json">`: `<`, `>`, `&` and the two JS line
 * separators escaped, so a value such as `</script><script>…` stays a string.
 *
 * @example
 * ```ts
 * scriptJson({ v: '</script>' }); // '{"v":"\\u003c/script\\u003e"}'
 * ```
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A bundled page script: beside this module in dist/, or in dist/ when run from src/ (tests). */
async function pageScript(name: string): Promise<string> {
  const here = new URL(`./${name}`, import.meta.url);
  return readFile(here, 'utf8').catch(() =>
    readFile(new URL(`../dist/${name}`, import.meta.url), 'utf8').catch(() => {
      throw new Error(`the report page script ${name} is missing: build @idp-kit/eval (pnpm build)`);
    }),
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1a1a1a;background:#fff}
h1{font-size:22px}h2{font-size:18px;margin-top:32px}h3{font-size:15px;margin:16px 0 4px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:4px 6px;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left;white-space:nowrap}th.text{text-align:left}#fields td.text:last-child{min-width:200px}td.text{text-align:left;max-width:320px;overflow-wrap:anywhere}
.muted{color:#555}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:8px 24px}
.advice{margin:2px 0 0;color:#333}td:not(.text){white-space:nowrap}.bad{color:#a40000}.good{color:#1a6e1a}code{font-size:13px;background:#f3f3f3;padding:1px 4px}`;

/**
 * One self-contained HTML page of a report: the per-field table, a reliability diagram and a threshold
 * curve per field (Observable Plot, bundled into the page), the wrong values with their documents. No
 * network: a Content-Security-Policy lets nothing load.
 *
 * @example
 * ```ts
 * await writeFile('report.html', await htmlReport(report, comparison, { targetAccuracy: 0.99 }));
 * ```
 */
export async function htmlReport(
  report: EvalReport,
  comparison: Comparison,
  options: HtmlReportOptions,
): Promise<string> {
  const data = reportPageData(report, comparison, options);
  return selfContainedPage(data.title, 'eval-data', data, 'report-page.js');
}

/**
 * A page that opens from disk with no network (a Content-Security-Policy lets nothing load): its data in
 * a JSON script element, then the bundled script that draws it. The eval and the diff reports are both
 * built by it.
 */
export async function selfContainedPage(
  title: string,
  dataId: string,
  data: unknown,
  scriptName: string,
): Promise<string> {
  const script = await pageScript(scriptName);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main id="app"><h1>${escapeHtml(title)}</h1><noscript>The charts and tables need JavaScript.</noscript></main>
<script id="${dataId}" type="application/json">${scriptJson(data)}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
}
