// The viewer page: no framework, DOM built with textContent only (values come from documents and are
// never parsed as HTML). pdf.js runs in the page's own thread (no worker file to serve or inline).
import * as pdfjs from 'pdfjs-dist';
import * as pdfWorker from 'pdfjs-dist/build/pdf.worker.min.mjs';
import type { BatchView, ExecutionView, ViewData, ViewField } from '../src/model.js';
import './style.css';

(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = pdfWorker;

const dataElement = document.getElementById('idp-data');
const data = JSON.parse(dataElement?.textContent ?? 'null') as ViewData | null;
const app = document.getElementById('app') as HTMLElement;
const thresholdInput = document.getElementById('threshold') as HTMLInputElement;
const thresholdOutput = document.getElementById('threshold-value') as HTMLOutputElement;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

let threshold = data?.threshold ?? 80;
const onThreshold: (() => void)[] = [];
thresholdInput.value = String(threshold);
thresholdOutput.value = String(threshold);
thresholdInput.addEventListener('input', () => {
  threshold = Number(thresholdInput.value);
  thresholdOutput.value = String(threshold);
  for (const redraw of onThreshold) redraw();
});

const grade = (f: ViewField) =>
  f.confidence === undefined ? 'unknown' : f.confidence < threshold ? 'low' : 'ok';
const scoreText = (f: ViewField) => (f.confidence === undefined ? '–' : `${Math.round(f.confidence)}`);

function base64Bytes(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function documentBytes(doc: NonNullable<ExecutionView['document']>): Promise<Uint8Array> {
  if (doc.base64) return base64Bytes(doc.base64);
  const response = await fetch(doc.url ?? '', { credentials: 'omit' });
  if (!response.ok) throw new Error(`the document could not be loaded (${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Each page as an element to draw on, with its size in the units geometry may use (points, pixels). */
async function renderPages(view: ExecutionView, into: HTMLElement) {
  const pages: { element: HTMLElement; width: number; height: number }[] = [];
  const doc = view.document;
  if (!doc) return pages;
  const bytes = await documentBytes(doc);
  if (doc.type === 'image') {
    const img = el('img', { alt: `${view.documentName}, page 1` });
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: doc.mime }));
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the image could not be shown'));
      img.src = url;
    });
    const element = el('div', { class: 'page', 'data-page': '1' }, img);
    into.append(element);
    pages.push({ element, width: img.naturalWidth, height: img.naturalHeight });
    return pages;
  }
  const pdf = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const base = page.getViewport({ scale: 1 });
    const scale = Math.min(3, Math.max(1, 1200 / base.width)) * (window.devicePixelRatio || 1);
    const viewport = page.getViewport({ scale });
    const canvas = el('canvas', { 'aria-label': `${view.documentName}, page ${n}`, role: 'img' });
    canvas.width = Math.ceil(viewport.width);
    canvas.height = Math.ceil(viewport.height);
    const element = el('div', { class: 'page', 'data-page': String(n) }, canvas);
    into.append(element);
    await page.render({ canvas, viewport }).promise;
    pages.push({ element, width: base.width, height: base.height });
  }
  return pages;
}

function executionPage(view: ExecutionView, back?: () => void): Promise<void> {
  document.title = `${view.title} · idp view`;
  (document.getElementById('title') as HTMLElement).textContent = view.title;
  (document.getElementById('status') as HTMLElement).textContent = view.status;
  app.replaceChildren();
  onThreshold.length = 0;
  if (back) {
    const link = el('a', { href: '#' }, '← back to the batch');
    link.addEventListener('click', (event) => {
      event.preventDefault();
      back();
    });
    app.append(el('p', {}, link));
  }
  // The model's own reason for a FAILED execution: text, never markup.
  if (view.reason) app.append(el('p', { class: 'notice reason', role: 'note' }, `Reason: ${view.reason}`));
  const pagesColumn = el('section', { class: 'pages', 'aria-label': 'Document pages' });
  const side = el('section', { class: 'side', 'aria-label': 'Values' });
  app.append(el('div', { class: 'layout' }, pagesColumn, side));
  if (view.noBoxesReason) pagesColumn.append(el('p', { class: 'notice', role: 'note' }, view.noBoxesReason));

  // The list: search, low-confidence filter, one button per value.
  const search = el('input', {
    type: 'search',
    placeholder: 'Search names and values',
    'aria-label': 'Search names and values',
  });
  const lowOnly = el('input', { type: 'checkbox', id: 'low-only' });
  const count = el('span', { class: 'count', 'aria-live': 'polite' });
  side.append(
    el(
      'div',
      { class: 'filters' },
      search,
      el('label', { for: 'low-only' }, lowOnly, ' Low confidence only'),
      count,
    ),
  );
  const list = el('ul', { class: 'fields', 'aria-label': 'Extracted values' });
  side.append(list);
  const items = new Map<string, HTMLButtonElement>();
  const boxes = new Map<string, HTMLButtonElement>();
  let selected: string | undefined;

  function select(id: string, from: 'list' | 'box') {
    if (selected) {
      items.get(selected)?.setAttribute('aria-pressed', 'false');
      boxes.get(selected)?.classList.remove('selected');
    }
    selected = id;
    const item = items.get(id);
    const box = boxes.get(id);
    item?.setAttribute('aria-pressed', 'true');
    box?.classList.add('selected');
    if (from === 'list') box?.scrollIntoView({ block: 'center' });
    else item?.scrollIntoView({ block: 'nearest' });
  }

  const label = (f: ViewField) =>
    f.kind === 'cell'
      ? `${f.table ?? ''}[${f.row ?? 0}].${f.name}`
      : f.kind === 'prompt'
        ? `prompt: ${f.name}`
        : f.name;
  for (const f of view.fields) {
    const button = el(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'data-id': f.id },
      el('span', { class: 'name' }, label(f)),
      el('span', { class: 'value' }, f.value ?? '(no value)'),
      el('span', { class: 'score', title: 'confidence, 0–100' }, scoreText(f)),
    );
    button.addEventListener('click', () => select(f.id, 'list'));
    items.set(f.id, button);
    list.append(el('li', {}, button));
  }

  /** Table cells, recoloured with the threshold like the list and the boxes. */
  const cells: [ViewField, HTMLElement][] = [];

  function filter() {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    for (const f of view.fields) {
      const item = items.get(f.id);
      if (!item) continue;
      const matches =
        (!q || label(f).toLowerCase().includes(q) || (f.value ?? '').toLowerCase().includes(q)) &&
        (!lowOnly.checked || grade(f) === 'low');
      (item.parentElement as HTMLElement).hidden = !matches;
      if (matches) shown++;
    }
    count.textContent = `${shown} of ${view.fields.length}`;
  }
  function recolor() {
    for (const f of view.fields) {
      const g = grade(f);
      for (const node of [items.get(f.id), boxes.get(f.id)]) {
        node?.classList.remove('ok', 'low', 'unknown');
        node?.classList.add(g);
      }
    }
    for (const [f, td] of cells) td.classList.toggle('low', grade(f) === 'low');
    filter();
  }
  search.addEventListener('input', filter);
  lowOnly.addEventListener('change', filter);
  onThreshold.push(recolor);

  // Tables as tables, prompts with their answers.
  for (const table of view.tables) {
    const head = el(
      'tr',
      {},
      el('th', { scope: 'col' }, '#'),
      ...table.columns.map((c) => el('th', { scope: 'col' }, c)),
    );
    const rows = Array.from({ length: table.rows }, (_, r) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, String(r)),
        ...table.columns.map((c) => {
          const cell = view.fields.find(
            (f) => f.kind === 'cell' && f.table === table.name && f.row === r && f.name === c,
          );
          const td = el('td', {}, cell?.value ?? '');
          if (cell) cells.push([cell, td]);
          return td;
        }),
      ),
    );
    side.append(
      el('h2', {}, `Table: ${table.name}`),
      el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)),
    );
  }
  const prompts = view.fields.filter((f) => f.kind === 'prompt');
  if (prompts.length > 0) {
    side.append(
      el('h2', {}, 'Prompts'),
      el(
        'dl',
        { class: 'prompts' },
        ...prompts.flatMap((p) => [el('dt', {}, p.prompt ?? p.name), el('dd', {}, p.value ?? '(no answer)')]),
      ),
    );
  }

  return renderPages(view, pagesColumn)
    .then((pages) => {
      for (const f of view.fields) {
        const page = pages[f.page - 1];
        if (!f.box || !page) continue;
        const [w, h] = view.units === 'fraction' ? [1, 1] : [page.width, page.height];
        const box = el('button', {
          type: 'button',
          class: 'box',
          'data-id': f.id,
          'aria-label': `${label(f)}: ${f.value ?? '(no value)'}, confidence ${scoreText(f)}`,
          title: `${label(f)}: ${f.value ?? ''} (${scoreText(f)})`,
        });
        box.style.left = `${(f.box.left / w) * 100}%`;
        box.style.top = `${(f.box.top / h) * 100}%`;
        box.style.width = `${(f.box.width / w) * 100}%`;
        box.style.height = `${(f.box.height / h) * 100}%`;
        box.addEventListener('click', () => select(f.id, 'box'));
        boxes.set(f.id, box);
        page.element.append(box);
      }
    })
    .catch((error: unknown) => {
      pagesColumn.append(
        el(
          'p',
          { class: 'notice', role: 'alert' },
          `The document could not be shown: ${String((error as Error).message ?? error)}`,
        ),
      );
    })
    .finally(recolor);
}

function batchPage(view: BatchView): void {
  document.title = `${view.title} · idp view`;
  (document.getElementById('title') as HTMLElement).textContent = `Batch: ${view.title}`;
  (document.getElementById('status') as HTMLElement).textContent = `${view.documents.length} documents`;
  app.replaceChildren();
  onThreshold.length = 0;
  const countTable = (caption: string, counts: Record<string, number>, id: string) =>
    el(
      'table',
      { id },
      el('caption', {}, caption),
      el(
        'tbody',
        {},
        ...Object.entries(counts).map(([k, n]) =>
          el('tr', {}, el('th', { scope: 'row' }, k), el('td', { class: 'num' }, String(n))),
        ),
      ),
    );
  app.append(
    el(
      'div',
      { class: 'counts' },
      countTable('Documents per state', view.states, 'states'),
      countTable('Results per status', view.statuses, 'statuses'),
    ),
  );
  if (view.noScoresReason) app.append(el('p', { class: 'notice', role: 'note' }, view.noScoresReason));

  const docs = el('tbody');
  const hist = el('tbody');
  app.append(
    el('h2', {}, 'Documents, most low-confidence values first'),
    el(
      'table',
      { id: 'documents' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Document', 'State', 'Status', 'Low', 'Scored'].map((h) => el('th', { scope: 'col' }, h)),
        ),
      ),
      docs,
    ),
    el('h2', {}, 'Confidence per field (tenths of 0–100)'),
    el(
      'table',
      { id: 'histograms' },
      el(
        'thead',
        {},
        el('tr', {}, el('th', { scope: 'col' }, 'Field'), el('th', { scope: 'col' }, 'Distribution')),
      ),
      hist,
    ),
  );
  function draw() {
    docs.replaceChildren(
      ...view.documents.map((d) => {
        const name = d.file.split(/[\\/]/).pop() ?? d.file;
        const link = d.viewable ? el('a', { href: `#doc=${d.index}` }, name) : name;
        return el(
          'tr',
          {},
          el('td', { title: d.file }, link),
          el('td', {}, d.state),
          el('td', {}, d.status ?? ''),
          el('td', { class: d.low > 0 ? 'num low' : 'num' }, String(d.low)),
          el('td', { class: 'num' }, String(d.scored)),
        );
      }),
    );
    hist.replaceChildren(
      ...view.histograms.map((h) => {
        const max = Math.max(1, ...h.buckets);
        const bars = h.buckets.map((n, i) => {
          const bar = el('span', {
            class: (i + 1) * 10 <= threshold ? 'low' : '',
            title: `${i * 10}–${i * 10 + 10}: ${n}`,
          });
          bar.style.height = `${(n / max) * 100}%`;
          return bar;
        });
        const total = h.buckets.reduce((a, b) => a + b, 0);
        return el(
          'tr',
          {},
          el('th', { scope: 'row' }, h.name),
          el(
            'td',
            {},
            el(
              'div',
              {
                class: 'hist',
                role: 'img',
                'aria-label': `${h.name}: ${total} values; per tenth ${h.buckets.join(', ')}`,
              },
              ...bars,
            ),
          ),
        );
      }),
    );
  }
  draw();
  onThreshold.push(draw);
}

async function documentView(index: number): Promise<ExecutionView | null> {
  if (data?.documents) return data.documents[index] ?? null;
  const response = await fetch(`/api/view/${index}`, { credentials: 'omit' });
  return response.ok ? ((await response.json()) as ExecutionView) : null;
}

async function route(): Promise<void> {
  document.body.dataset.ready = 'false';
  if (!data) {
    app.replaceChildren(el('p', { class: 'notice' }, 'No data was given to this page.'));
  } else if (data.view.kind === 'execution') {
    await executionPage(data.view);
  } else {
    const match = /^#doc=(\d+)$/.exec(location.hash);
    const view = match ? await documentView(Number(match[1])) : null;
    if (view) {
      await executionPage(view, () => {
        location.hash = '';
      });
    } else {
      batchPage(data.view);
    }
  }
  document.body.dataset.ready = 'true';
}

window.addEventListener('hashchange', () => void route());
void route();
