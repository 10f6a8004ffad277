import { extname } from 'node:path';
import { explainStatusMessage, extractFields } from '@idp-kit/client';
import type { BatchView, ExecutionView, ViewBox, ViewField } from './model.js';

/**
 * What the browser can draw a document as, by extension; undefined when it cannot (TIFF, say).
 *
 * @example
 * ```ts
 * documentKind('scan.png'); // { type: 'image', mime: 'image/png' }
 * ```
 */
export function documentKind(path: string): { type: 'pdf' | 'image'; mime: string } | undefined {
  switch (extname(path).toLowerCase()) {
    case '.pdf':
      return { type: 'pdf', mime: 'application/pdf' };
    case '.png':
      return { type: 'image', mime: 'image/png' };
    case '.jpg':
    case '.jpeg':
      return { type: 'image', mime: 'image/jpeg' };
    default:
      return undefined;
  }
}

function box(geometry: unknown): ViewBox | undefined {
  if (typeof geometry !== 'object' || geometry === null) return undefined;
  const g = geometry as Record<string, unknown>;
  const n = (k: string) => (typeof g[k] === 'number' && Number.isFinite(g[k]) ? (g[k] as number) : undefined);
  const [top, left, width, height] = [n('top'), n('left'), n('width'), n('height')];
  if (top === undefined || left === undefined || width === undefined || height === undefined)
    return undefined;
  return { top, left, width, height };
}

const pageOf = (page: unknown): number => {
  const n = typeof page === 'string' ? Number.parseInt(page, 10) : page;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : 1;
};

/**
 * The view of one execution (fetched with `valueOnly: false` to have scores and boxes). Units: every
 * geometry number within 0–1 means fractions of the page; anything larger means PDF points (1/72 in)
 * or image pixels. `document` says where the page finds the file, when there is one.
 *
 * @example
 * ```ts
 * const view = executionView(await idp.getExecution({ ...ref, valueOnly: false }), { document: { url: '/document/0', path: 'invoice.pdf' } });
 * ```
 */
export function executionView(
  execution: unknown,
  options: {
    document?: { path: string; url?: string; base64?: string };
    title?: string;
    /** Why there is no document, when the default ("add --document") would not be right. */
    noDocumentReason?: string;
  } = {},
): ExecutionView {
  const e = (typeof execution === 'object' && execution !== null ? execution : {}) as Record<string, unknown>;
  const extracted = extractFields(execution);
  const fields: ViewField[] = extracted.map((f, i) => {
    const b = box(f.geometry);
    return {
      id: `v${i}`,
      kind: f.kind,
      name: f.name,
      value: f.value,
      ...(f.confidence !== undefined ? { confidence: f.confidence } : {}),
      page: pageOf(f.page),
      ...(b ? { box: b } : {}),
      ...(f.table !== undefined ? { table: f.table } : {}),
      ...(f.row !== undefined ? { row: f.row } : {}),
      ...(f.prompt !== undefined ? { prompt: f.prompt } : {}),
    };
  });
  const tables = new Map<string, { columns: string[]; rows: number }>();
  for (const f of fields) {
    if (f.kind !== 'cell' || f.table === undefined) continue;
    const t = tables.get(f.table) ?? { columns: [], rows: 0 };
    if (!t.columns.includes(f.name)) t.columns.push(f.name);
    t.rows = Math.max(t.rows, (f.row ?? 0) + 1);
    tables.set(f.table, t);
  }
  const numbers = fields.flatMap((f) => (f.box ? [f.box.top, f.box.left, f.box.width, f.box.height] : []));
  const units = numbers.every((n) => n >= 0 && n <= 1) ? 'fraction' : 'points';
  const documentName = typeof e.documentName === 'string' ? e.documentName : 'document';
  const kind = options.document ? documentKind(options.document.path) : undefined;
  let noBoxesReason: string | undefined;
  if (!options.document) {
    noBoxesReason =
      options.noDocumentReason ??
      'No document was given, so there are no pages to draw boxes on: add --document <file>.';
  } else if (!kind) {
    noBoxesReason = `${extname(options.document.path) || 'This file type'} pages cannot be drawn in the browser (PDF, PNG and JPEG can): the values are listed without boxes.`;
  } else if (numbers.length === 0) {
    noBoxesReason =
      'The results carry no geometry (fetched with valueOnly=true, or a batch run without --confidence): no boxes to draw.';
  }
  return {
    kind: 'execution',
    title: options.title ?? documentName,
    status: typeof e.status === 'string' ? e.status : 'UNKNOWN',
    ...(explainStatusMessage(e.statusMessage) !== undefined
      ? { reason: explainStatusMessage(e.statusMessage) as string }
      : {}),
    documentName,
    ...(typeof e.id === 'string' ? { executionId: e.id } : {}),
    fields,
    tables: [...tables].map(([name, t]) => ({ name, ...t })),
    units,
    ...(options.document && kind
      ? {
          document: {
            ...kind,
            ...(options.document.url ? { url: options.document.url } : {}),
            ...(options.document.base64 ? { base64: options.document.base64 } : {}),
          },
        }
      : {}),
    ...(noBoxesReason ? { noBoxesReason } : {}),
  };
}

/**
 * One document of a batch: a journal record (with the raw `execution`) or a results.jsonl line (with
 * extracted `fields`).
 *
 * @example
 * ```ts
 * const item: BatchItem = { file: '/in/a.pdf', state: 'retrieved', status: 'SUCCEEDED', execution };
 * ```
 */
export interface BatchItem {
  file: string;
  state: string;
  status?: string;
  execution?: unknown;
  fields?: { name: string; confidence?: number }[];
  /** It has an execution to open (default: `execution` is given); for items built from `fields`. */
  viewable?: boolean;
}

/**
 * The view of a batch: counts per state and status, a confidence histogram per field name, and the
 * documents with the most values below `threshold` first.
 *
 * @example
 * ```ts
 * const view = batchView(records.map((r) => ({ file: r.path, state: r.state, status: r.status, execution: r.execution })), 80);
 * ```
 */
export function batchView(items: BatchItem[], threshold: number, title = 'batch'): BatchView {
  const states: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const histograms = new Map<string, number[]>();
  let scoredAny = false;
  const documents = items.map((item, index) => {
    states[item.state] = (states[item.state] ?? 0) + 1;
    if (item.status && item.state === 'retrieved') statuses[item.status] = (statuses[item.status] ?? 0) + 1;
    const values = item.execution !== undefined ? extractFields(item.execution) : (item.fields ?? []);
    let low = 0;
    let scored = 0;
    for (const v of values) {
      if (v.confidence === undefined) continue;
      scored++;
      scoredAny = true;
      if (v.confidence < threshold) low++;
      const buckets = histograms.get(v.name) ?? Array<number>(10).fill(0);
      const at = Math.min(9, Math.floor(v.confidence / 10));
      buckets[at] = (buckets[at] ?? 0) + 1;
      histograms.set(v.name, buckets);
    }
    return {
      index,
      file: item.file,
      state: item.state,
      ...(item.status ? { status: item.status } : {}),
      low,
      scored,
      values: values.length,
      viewable: item.viewable ?? item.execution !== undefined,
    };
  });
  documents.sort((a, b) => b.low - a.low || a.file.localeCompare(b.file));
  return {
    kind: 'batch',
    title,
    states,
    statuses,
    documents,
    histograms: [...histograms]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, buckets]) => ({ name, buckets })),
    ...(scoredAny
      ? {}
      : {
          noScoresReason:
            'No value has a confidence score: the batch ran with valueOnly=true. Run it with --confidence to see scores and boxes.',
        }),
  };
}
