import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DocumentRecord, type summarize, writeOutputs } from '@idp-kit/batch';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  batchView,
  type ExecutionView,
  embedDocument,
  executionView,
  startViewer,
  type ViewData,
  writeStandalone,
} from '../src/index.js';
import { chromiumMissing, launch, screenshot, watchErrors } from './browser.js';
import { execution, INVOICE, LINE, pdf, png, type Rect, TOTAL } from './fixtures.js';

const missing = chromiumMissing('the viewer’s browser tests');

let dir = '';
let browser: Awaited<ReturnType<typeof launch>> | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-viewer-'));
  if (!missing) browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  if (!browser) throw new Error('setup: Chromium did not start');
  const context = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } });
  onTestFinished(() => context.close());
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, errors };
}

async function serve(data: ViewData, files: string[] = []) {
  const viewer = await startViewer({ data, files });
  onTestFinished(() => viewer.close());
  return viewer;
}

/** Where a value's box is, as fractions of its page element. */
async function boxOnPage(page: Page, name: string) {
  return page.evaluate((label) => {
    const box = [...document.querySelectorAll<HTMLElement>('.box')].find((b) =>
      b.getAttribute('aria-label')?.startsWith(`${label}:`),
    );
    if (!box) return undefined;
    const p = (box.parentElement as HTMLElement).getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return {
      page: Number((box.parentElement as HTMLElement).dataset.page),
      left: (b.left - p.left) / p.width,
      top: (b.top - p.top) / p.height,
      width: b.width / p.width,
      height: b.height / p.height,
      classes: box.className,
    };
  }, name);
}

function near(
  actual: { left: number; top: number; width: number; height: number } | undefined,
  expected: Rect,
) {
  expect(actual).toBeDefined();
  // Within 0.5 % of the page: borders are drawn inside the box, the page is rendered to whole pixels.
  for (const key of ['left', 'top', 'width', 'height'] as const) {
    expect(Math.abs((actual?.[key] ?? Number.NaN) - expected[key])).toBeLessThan(0.005);
  }
}

/** The lowest text contrast on the page (WCAG formula), with the element it belongs to. */
async function lowestContrast(page: Page) {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r = 0, g = 0, b = 0]: number[]) => {
      const f = (v: number) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c[3] ?? 0) > 0.5) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    let lowest = { ratio: 21, text: '' };
    for (const el of document.querySelectorAll('body *')) {
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim());
      if (!own || (el as HTMLElement).offsetParent === null) continue;
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))].sort((x, y) => y - x);
      const ratio = ((a ?? 0) + 0.05) / ((b ?? 0) + 0.05);
      if (ratio < lowest.ratio) lowest = { ratio, text: el.textContent?.trim().slice(0, 40) ?? '' };
    }
    return lowest;
  });
}

const listed = (page: Page) =>
  page.$$eval('.fields li:not([hidden]) .name', (nodes) => nodes.map((n) => n.textContent));

describe.skipIf(Boolean(missing))('the execution view in Chromium', () => {
  it('a PDF: every value with geometry has its box where the result says, coloured by confidence', async () => {
    const file = join(dir, 'invoice.pdf');
    await writeFile(file, pdf([[INVOICE, TOTAL], [LINE]]));
    const view = executionView(execution(), { document: { path: file, url: '/document/0' } });
    expect(view.units).toBe('fraction');
    const viewer = await serve({ view, threshold: 80 }, [file]);
    const { page, errors } = await open(viewer.url);
    expect(await page.$$eval('.page', (p) => p.length)).toBe(2);
    expect(await page.$$eval('.box', (b) => b.length)).toBe(3);
    const total = await boxOnPage(page, 'total');
    near(total, TOTAL);
    expect(total?.page).toBe(1);
    expect(total?.classes).toContain('low'); // 61 < 80
    near(await boxOnPage(page, 'invoiceNumber'), INVOICE);
    expect((await boxOnPage(page, 'invoiceNumber'))?.classes).toContain('ok');
    const line = await boxOnPage(page, 'lines[0].description');
    near(line, LINE);
    expect(line?.page).toBe(2);
    // A value that looks like markup is shown as text.
    expect(await page.textContent('.fields')).toContain('Widgets <b>x</b>');
    expect(await page.$$eval('.fields b', (b) => b.length)).toBe(0);
    expect(await page.textContent('.fields')).toContain('</script><img src=x onerror="document.title=1">');
    expect(await page.$$eval('img', (i) => i.length)).toBe(0);
    expect(await page.title()).toBe('invoice.pdf · idp view');
    // Tables as tables, prompts with their answers.
    expect(await page.textContent('table')).toContain('description');
    expect(await page.textContent('dl.prompts')).toContain('When is payment due?2026-12-31');
    await screenshot(page, 'execution-pdf');
    expect(errors).toEqual([]);
  });

  it('clicking a value selects its box, clicking a box selects its value; the filter and the threshold work', async () => {
    const file = join(dir, 'invoice.pdf');
    await writeFile(file, pdf([[INVOICE, TOTAL], [LINE]]));
    const view = executionView(execution(), { document: { path: file, url: '/document/0' } });
    const viewer = await serve({ view, threshold: 80 }, [file]);
    const { page, errors } = await open(viewer.url);

    await page.click('.fields button:has-text("total")');
    expect(await page.getAttribute('.fields button:has-text("total")', 'aria-pressed')).toBe('true');
    expect((await boxOnPage(page, 'total'))?.classes).toContain('selected');
    await page.click('.box[aria-label^="invoiceNumber:"]');
    expect(await page.getAttribute('.fields button:has-text("invoiceNumber")', 'aria-pressed')).toBe('true');
    expect((await boxOnPage(page, 'total'))?.classes).not.toContain('selected');
    // Keyboard: a value is a button; Enter selects it.
    await page.focus('.fields button:has-text("lines[0].description")');
    await page.keyboard.press('Enter');
    expect((await boxOnPage(page, 'lines[0].description'))?.classes).toContain('selected');

    expect(await listed(page)).toHaveLength(6);
    await page.fill('input[type="search"]', 'INV-');
    expect(await listed(page)).toEqual(['invoiceNumber']);
    await page.fill('input[type="search"]', '');
    await page.check('#low-only');
    expect(await listed(page)).toEqual(['total', 'lines[0].description']); // 61 and 72, below 80
    // Threshold 65: only 61 is low; the box of the 72 turns ok.
    await page.fill('#threshold', '65');
    expect(await listed(page)).toEqual(['total']);
    expect((await boxOnPage(page, 'lines[0].description'))?.classes).toContain('ok');
    expect(await page.getAttribute('td:has-text("Widgets")', 'class')).not.toContain('low');
    await page.fill('#threshold', '80');
    expect(await page.getAttribute('td:has-text("Widgets")', 'class')).toContain('low');
    await page.fill('#threshold', '65');
    await screenshot(page, 'execution-filtered');
    // The README's picture: the first page, a value selected, the list beside it.
    await page.uncheck('#low-only');
    await page.fill('#threshold', '80');
    await page.click('.box[aria-label^="total:"]');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'readme-execution', false);
    // Readable: every text at least 4.5:1 against what is behind it (WCAG AA), a selection included.
    expect((await lowestContrast(page)).ratio).toBeGreaterThanOrEqual(4.5);
    expect(errors).toEqual([]);
  });

  it('geometry in points on a PDF and in pixels on a PNG: the same boxes', async () => {
    const points = (r: Rect) => ({
      top: r.top * 792,
      left: r.left * 612,
      width: r.width * 612,
      height: r.height * 792,
    });
    const file = join(dir, 'points.pdf');
    await writeFile(file, pdf([[INVOICE, TOTAL], [LINE]]));
    const view = executionView(execution(points), { document: { path: file, url: '/document/0' } });
    expect(view.units).toBe('points');
    const viewer = await serve({ view, threshold: 80 }, [file]);
    const { page, errors } = await open(viewer.url);
    near(await boxOnPage(page, 'total'), TOTAL);

    const image = join(dir, 'scan.png');
    await writeFile(image, png(400, 500, [INVOICE, TOTAL]));
    const pixels = (r: Rect) => ({
      top: r.top * 500,
      left: r.left * 400,
      width: r.width * 400,
      height: r.height * 500,
    });
    const onImage = executionView(
      { ...execution(pixels), pages: [execution(pixels).pages[0]] },
      { document: { path: image, url: '/document/0' } },
    );
    const imageViewer = await serve({ view: onImage, threshold: 80 }, [image]);
    const second = await open(imageViewer.url);
    near(await boxOnPage(second.page, 'total'), TOTAL);
    near(await boxOnPage(second.page, 'invoiceNumber'), INVOICE);
    await screenshot(second.page, 'execution-png');
    expect([...errors, ...second.errors]).toEqual([]);
  });

  it('without the document: the list works and the page says why there are no boxes', async () => {
    const viewer = await serve({ view: executionView(execution()), threshold: 80 });
    const { page, errors } = await open(viewer.url);
    expect(await page.textContent('.notice')).toBe(
      'No document was given, so there are no pages to draw boxes on: add --document <file>.',
    );
    expect(await page.$$eval('.box', (b) => b.length)).toBe(0);
    await page.fill('input[type="search"]', 'total');
    expect(await listed(page)).toEqual(['total']);
    expect(errors).toEqual([]);
  });

  it('a FAILED execution shows the model’s reason as text, with what to do', async () => {
    const failed = { ...execution(), status: 'FAILED', statusMessage: '<b>MAX_TOKENS</b>' };
    const viewer = await serve({ view: executionView(failed), threshold: 80 });
    const { page, errors } = await open(viewer.url);
    expect(await page.textContent('.reason')).toBe('Reason: <b>MAX_TOKENS</b>');
    expect(await page.$$eval('.reason b', (b) => b.length)).toBe(0);
    const known = await serve({
      view: executionView({ ...failed, statusMessage: 'MAX_TOKENS' }),
      threshold: 80,
    });
    const second = await open(known.url);
    expect(await second.page.textContent('.reason')).toMatch(/^Reason: MAX_TOKENS: .*select an OpenAI model/);
    expect(errors).toEqual([]);
  });
});

describe.skipIf(Boolean(missing))('the batch view and the static export in Chromium', () => {
  function records(): DocumentRecord[] {
    const base = { hash: 'h', updatedAt: '2026-12-02T00:00:00.000Z' };
    const shaky = execution();
    const sure = {
      ...execution(),
      pages: [
        {
          page: 1,
          fields: { invoiceNumber: { value: 'INV-1', confidenceScore: 99 } },
          tables: {},
          prompts: {},
        },
      ],
    };
    return [
      {
        ...base,
        key: 'a',
        path: '/in/a.pdf',
        fileName: 'a.pdf',
        state: 'retrieved',
        status: 'SUCCEEDED',
        execution: sure,
      },
      {
        ...base,
        key: 'b',
        path: '/in/b.pdf',
        fileName: 'b.pdf',
        state: 'retrieved',
        status: 'SUCCEEDED',
        execution: shaky,
      },
      {
        ...base,
        key: 'c',
        path: '/in/c.pdf',
        fileName: 'c.pdf',
        state: 'rejected',
        error: 'the file is empty',
      },
      {
        ...base,
        key: 'd',
        path: '/in/d.pdf',
        fileName: 'd.pdf',
        state: 'settled',
        status: 'MANUAL_VALIDATION_REQUIRED',
      },
    ];
  }

  it('counts match summary.json; the shakiest document comes first and links into its view', async () => {
    const out = join(dir, 'batch');
    const list = records();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(out, { recursive: true });
    await writeOutputs(out, list);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as ReturnType<
      typeof summarize
    >;
    const items = list.map((r) => ({
      file: r.path,
      state: r.state,
      ...(r.status ? { status: r.status } : {}),
      ...(r.execution ? { execution: r.execution } : {}),
    }));
    const view = batchView(items, 80, 'march');
    const views = items.map((item) =>
      item.execution ? executionView(item.execution, { title: item.file }) : null,
    );
    const viewer = await startViewer({ data: { view, threshold: 80 }, view: (i) => views[i] ?? null });
    onTestFinished(() => viewer.close());
    const { page, errors } = await open(viewer.url);

    const counts = await page.$$eval('#states tr', (rows) =>
      Object.fromEntries(
        rows.map((r) => [r.querySelector('th')?.textContent, Number(r.querySelector('td')?.textContent)]),
      ),
    );
    expect(counts).toEqual(summary.states);
    const statuses = await page.$$eval('#statuses tr', (rows) =>
      Object.fromEntries(
        rows.map((r) => [r.querySelector('th')?.textContent, Number(r.querySelector('td')?.textContent)]),
      ),
    );
    expect(statuses).toEqual(summary.statuses);
    const order = await page.$$eval('#documents tbody tr td:first-child', (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(order).toEqual(['b.pdf', 'a.pdf', 'c.pdf', 'd.pdf']); // b has 2 values below 80
    expect(await page.$$eval('#histograms tbody tr th', (h) => h.map((x) => x.textContent))).toEqual([
      'amount',
      'description',
      'dueDate',
      'invoiceNumber',
      'total',
    ]);
    await screenshot(page, 'batch');
    await page.click('#documents a:has-text("b.pdf")');
    await page.waitForSelector('body[data-ready="true"] .fields');
    expect(await listed(page)).toHaveLength(6);
    expect(await page.textContent('#title')).toBe('/in/b.pdf');
    await page.click('text=← back to the batch');
    await page.waitForSelector('#documents');
    expect(errors).toEqual([]);
  });

  it('--html: one file that opens from disk with its boxes, and asks for nothing over any network', async () => {
    const file = join(dir, 'invoice.pdf');
    await writeFile(file, pdf([[INVOICE, TOTAL], [LINE]]));
    const view = await embedDocument(executionView(execution(), { document: { path: file } }), file);
    const report = join(dir, 'report.html');
    await writeStandalone(report, { view, threshold: 80 });
    if (!browser) throw new Error('setup: Chromium did not start');
    const context = await browser.browser.newContext({ viewport: { width: 1280, height: 900 } });
    onTestFinished(() => context.close());
    const page = await context.newPage();
    const errors = watchErrors(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector('body[data-ready="true"]');
    near(await boxOnPage(page, 'total'), TOTAL);
    expect(
      requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:') && !u.startsWith('data:')),
    ).toEqual([]);
    await screenshot(page, 'export');
    expect(errors).toEqual([]);
  });
});

describe('the server gives out only what it was given', () => {
  it('the page, the given file, nothing else: .. and encoded variants, other hosts, writes', async () => {
    const file = join(dir, 'only.pdf');
    await writeFile(file, pdf([[TOTAL]]));
    const view: ExecutionView = executionView(execution(), { document: { path: file, url: '/document/0' } });
    const viewer = await serve({ view, threshold: 80 }, [file]);
    // Raw requests: the path goes out exactly as written (fetch() would resolve `..` itself).
    const { port } = new URL(viewer.url);
    const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await get('/')).status).toBe(200);
    expect((await get('/document/0')).text.startsWith('%PDF-1.4')).toBe(true);
    for (const path of [
      '/document/1',
      '/document/../../../../etc/passwd',
      '/document/0/../../../etc/passwd',
      '/document/0/..',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/document/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/..%2f..%2fetc%2fpasswd',
      '/..\\..\\etc\\passwd',
      '/document/%30',
      '//etc/passwd',
      `/${file}`,
      `/document/0?path=${encodeURIComponent('/etc/passwd')}`.replace('0?', '1?'),
      '/api/view/0',
    ]) {
      const answer = await get(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.text).not.toContain('root:');
    }
    expect((await get('/', { host: 'evil.example:80' })).status).toBe(421);
    expect((await get('/', {}, 'POST')).status).toBe(405);
    const page = await fetch(viewer.url);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'nonce-/);
  });
});
