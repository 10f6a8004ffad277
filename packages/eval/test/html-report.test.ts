import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareAll } from '../src/compare.js';
import { reportOf } from '../src/evaluate.js';
import { htmlReport, scriptJson } from '../src/html-report.js';
import type { ResultDocument, TruthRow } from '../src/inputs.js';
import { chromiumMissing, launch, screenshot, watchErrors } from './browser.js';

const INJECTION = '</script><script>window.__pwned = 1</script><b>bold</b>';

/** 60 documents, two fields; "total" is wrong on every 6th (low scores), "vendor" once, by an injection. */
function inputs() {
  const results: ResultDocument[] = [];
  const truth: TruthRow[] = [];
  for (let i = 0; i < 60; i++) {
    const wrong = i % 6 === 0;
    results.push({
      file: `/in/invoice-${i}.pdf`,
      fields: [
        {
          kind: 'field',
          name: 'total',
          value: wrong ? '1.00' : `${i}.00`,
          confidence: wrong ? 40 + i / 2 : 70 + i / 2,
        },
        { kind: 'field', name: 'vendor', value: i === 7 ? INJECTION : 'Acme', confidence: 60 + (i % 40) },
      ],
    });
    truth.push({ file: `invoice-${i}.pdf`, fields: { total: `${i}.00`, vendor: 'Acme' } });
  }
  return { results, truth };
}

describe('scriptJson', () => {
  it('keeps a value that tries to end the element a string', () => {
    expect(scriptJson({ v: INJECTION })).not.toMatch(/<\/script/i);
    expect(JSON.parse(scriptJson({ v: `${INJECTION}&\u2028` }))).toEqual({ v: `${INJECTION}&\u2028` });
  });
});

const missing = chromiumMissing('the eval report’s browser tests');
if (missing) console.warn(`skipping the browser test: ${missing}`);

describe.skipIf(missing)('the HTML report in Chromium', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-eval-html-'));
    const { results, truth } = inputs();
    const comparison = compareAll(results, truth, { fields: { total: 'number' } });
    const report = reportOf(comparison, 0.95);
    file = join(dir, 'report.html');
    await writeFile(
      file,
      await htmlReport(report, comparison, { targetAccuracy: 0.95, source: 'batch-out' }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('renders the table and the charts, with no console error and no request', async () => {
    const { browser, close } = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors = watchErrors(page);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      await page.locator('#wrong').waitFor();
      // the per-field table: worst first, then overall
      const firstCells = await page.locator('#fields tbody tr td:first-child').allTextContents();
      expect(firstCells).toEqual(['total', 'vendor', 'overall']);
      // two charts (reliability, threshold curve) for overall and each field, drawn as SVG by Plot
      expect(await page.locator('section.field svg[viewBox]').count()).toBe(6);
      expect(await page.locator('section.field').first().locator('text=advice').count()).toBeGreaterThan(0);
      // the marks are inside their charts (values on the wrong scale are drawn off the chart, unseen)
      const marks = await page.evaluate(() =>
        [...document.querySelectorAll('section.field svg[viewBox]')].map((svg) => {
          const box = svg.getBoundingClientRect();
          const inside = (e: Element) => {
            const r = e.getBoundingClientRect();
            return (
              r.left >= box.left - 1 &&
              r.right <= box.right + 1 &&
              r.top >= box.top - 1 &&
              r.bottom <= box.bottom + 1
            );
          };
          const drawn = [...svg.querySelectorAll('[aria-label="dot"] circle, [aria-label="line"] path')];
          return { drawn: drawn.length, outside: drawn.filter((e) => !inside(e)).length };
        }),
      );
      expect(
        marks.every((m) => m.drawn >= 2 && m.outside === 0),
        JSON.stringify(marks),
      ).toBe(true);
      // the injection is shown as text, and did not run
      expect(await page.locator('#wrong').textContent()).toContain(INJECTION);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('b', { hasText: 'bold' }).count()).toBe(0);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      await screenshot(page, 'eval-report');
    } finally {
      await close();
    }
  });
});
