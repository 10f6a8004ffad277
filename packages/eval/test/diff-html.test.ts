import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffResults } from '../src/diff.js';
import { diffHtmlReport, diffPageData } from '../src/diff-html.js';
import { checkGate, parseFailOn } from '../src/fail-on.js';
import type { ResultDocument, TruthRow } from '../src/inputs.js';
import { chromiumMissing, launch, screenshot, watchErrors } from './browser.js';

const INJECTION = '</script><script>window.__pwned = 1</script><b>bold</b>';
const hash = (i: number) => i.toString(16).padStart(64, '0');

/**
 * 60 documents, two fields. total: a right everywhere (scores 70–99.5); b wrong on every 6th (score 40).
 * vendor: b loses it on document 7 and reads an injection on document 8.
 */
function inputs() {
  const a: ResultDocument[] = [];
  const b: ResultDocument[] = [];
  const truth: TruthRow[] = [];
  for (let i = 0; i < 60; i++) {
    const file = `/in/invoice-${i}.pdf`;
    a.push({
      file,
      hash: hash(i),
      fields: [
        { kind: 'field', name: 'total', value: `${i}.00`, confidence: 70 + i / 2 },
        { kind: 'field', name: 'vendor', value: 'Acme', confidence: 60 + (i % 40) },
      ],
    });
    b.push({
      file,
      hash: hash(i),
      fields: [
        {
          kind: 'field',
          name: 'total',
          value: i % 6 === 0 ? '1.00' : `${i}.00`,
          confidence: i % 6 === 0 ? 40 : 75 + i / 3,
        },
        {
          kind: 'field',
          name: 'vendor',
          value: i === 7 ? null : i === 8 ? INJECTION : 'Acme',
          confidence: 60 + (i % 40),
        },
      ],
    });
    truth.push({ file: `invoice-${i}.pdf`, fields: { total: `${i}.00`, vendor: 'Acme' } });
  }
  return { a, b, truth };
}

describe('diffPageData', () => {
  it('keeps the worst changes within the cap, and each side’s reliability bins per field', () => {
    const { a, b, truth } = inputs();
    const diff = diffResults(a, b, { truth, config: { fields: { total: 'number' } } });
    const data = diffPageData(diff, { targetAccuracy: 0.99, maxChanges: 3 });
    expect(data.report.changes).toHaveLength(3);
    expect(data.changesOmitted).toBe(diff.report.changes.length - 3);
    expect(data.report.changes[0]?.verdict).toBe('regressed');
    expect(Object.keys(data.charts ?? {})).toEqual(['overall', 'total', 'vendor']);
    const bins = data.charts?.total;
    expect(bins?.a.reduce((s, x) => s + x.count, 0)).toBe(60);
    expect(bins?.b.find((x) => x.from === 40)).toMatchObject({ count: 10, accuracy: 0 });
  });

  it('links each changed value to its document in the viewer of each side that can be served, and only those', () => {
    const { a, b, truth } = inputs();
    const diff = diffResults(a, b, { truth, config: { fields: { total: 'number' } } });
    // The viewer numbers documents its own way: here in reverse, so that a wrong lookup shows.
    const indexOf = (file: string) => 59 - Number(/invoice-(\d+)/.exec(file)?.[1]);
    const data = diffPageData(diff, {
      targetAccuracy: 0.99,
      views: {
        a: 'idp view out/1.1.0',
        b: { command: 'idp view out/1.2.0 --port 4812 --no-open', url: 'http://127.0.0.1:4812/', indexOf },
      },
    });
    expect(data.views).toEqual({ a: 'idp view out/1.1.0', b: 'idp view out/1.2.0 --port 4812 --no-open' });
    expect(data.links).toHaveLength(data.report.changes.length);
    data.report.changes.forEach((c, i) => {
      expect(data.links?.[i]).toEqual({ b: `http://127.0.0.1:4812/#doc=${indexOf(c.file.b)}` });
    });
    expect(diffPageData(diff, { targetAccuracy: 0.99, views: { a: 'idp view x' } }).links).toBeUndefined();
  });
});

const missing = chromiumMissing('the diff report’s browser tests');
if (missing) console.warn(`skipping the browser test: ${missing}`);

describe.skipIf(missing)('the diff HTML report in Chromium', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-diff-html-'));
    const { a, b, truth } = inputs();
    const diff = diffResults(a, b, {
      truth,
      config: { fields: { total: 'number' } },
      sources: { a: '1.1.0', b: '1.2.0' },
    });
    const gate = checkGate(diff.report, parseFailOn(['f1-drop:0.01']));
    file = join(dir, 'diff.html');
    await writeFile(
      file,
      await diffHtmlReport(diff, {
        targetAccuracy: 0.99,
        gate,
        views: {
          a: 'idp view out/1.1.0',
          b: {
            command: 'idp view out/1.2.0 --port 4812 --no-open',
            url: 'http://127.0.0.1:4812/',
            indexOf: (f: string) => Number(/invoice-(\d+)/.exec(f)?.[1]),
          },
        },
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('renders the gate, the fields side by side, the changes and both diagrams; no error, no request', async () => {
    const { browser, close } = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors = watchErrors(page);
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      await page.locator('#changes').waitFor();
      expect(await page.locator('#gate').textContent()).toBe('Gate failed: f1-drop:0.01 (total, vendor)');
      // fields, the largest F1 fall first, then overall
      expect(await page.locator('#fields tbody tr td:first-child').allTextContents()).toEqual([
        'total',
        'vendor',
        'overall',
      ]);
      const total = await page.locator('#fields tbody tr').first().locator('td').allTextContents();
      expect(total.slice(1, 5)).toEqual(['50', '10', '0', '0']); // agree, changed, appeared, disappeared
      expect(await page.locator('#fields tbody tr').first().locator('td.bad').count()).toBe(1); // Δ F1
      // every changed value, regressions first
      const rows = page.locator('#changes tbody tr');
      expect(await rows.count()).toBe(12);
      expect(await rows.first().locator('td').nth(7).textContent()).toBe('right → wrong');
      expect(await page.locator('code', { hasText: 'idp view out/1.2.0' }).count()).toBe(1);
      // each changed value links to its document in b's viewer; a is not served, so no link for a
      const first = await rows.first().locator('td').nth(0).textContent();
      const link = rows.first().locator('td').last().locator('a');
      expect(await link.allTextContents()).toEqual(['b']);
      expect(await link.getAttribute('href')).toBe(
        `http://127.0.0.1:4812/#doc=${/invoice-(\d+)/.exec(first ?? '')?.[1]}`,
      );
      expect(await page.locator('#changes tbody a').count()).toBe(12);
      // a and b reliability diagrams for overall and each field
      expect(await page.locator('section.field svg[viewBox]').count()).toBe(6);
      // the injection is text, and did not run
      expect(await page.locator('#changes').textContent()).toContain(INJECTION);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('b', { hasText: 'bold' }).count()).toBe(0);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      await screenshot(page, 'diff-report');
    } finally {
      await close();
    }
  });
});
