import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { documentKind } from './build.js';
import type { ExecutionView, ViewData } from './model.js';

let template: string | undefined;
/** The page Vite built: next to this module in the package, or in dist/ when run from source. */
function pageTemplate(): string {
  if (template) return template;
  for (const candidate of ['./page.html', '../dist/page.html']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) {
      template = readFileSync(path, 'utf8');
      return template;
    }
  }
  throw new Error('the viewer page is not built (pnpm --filter @idp-kit/viewer build)');
}

/** JSON that is safe inside a <script> element: no `<` can end it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The Content-Security-Policy of the page: its own inline script only, nothing from elsewhere. */
function policy(nonce: string, served: boolean): string {
  const self = served ? "'self' " : '';
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    `img-src ${self}blob: data:`,
    `connect-src ${served ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * The page with its data, as one HTML text. `served: false` is the static export: a policy in a meta
 * element forbids every request, so the file works offline and reaches nothing.
 *
 * @example
 * ```ts
 * const html = renderPage({ view: executionView(execution), threshold: 80 }, { served: false });
 * ```
 */
export function renderPage(data: ViewData, options: { served: boolean; nonce?: string }): string {
  const nonce = options.nonce ?? randomBytes(16).toString('base64');
  const meta = options.served
    ? ''
    : `<meta http-equiv="Content-Security-Policy" content="${policy(nonce, false)}" />`;
  return pageTemplate()
    .replace('<meta charset="utf-8" />', () => `<meta charset="utf-8" />${meta}`)
    .replace(/IDP_NONCE/g, nonce)
    .replace(
      '<!--IDP_DATA-->',
      () => `<script id="idp-data" type="application/json">${scriptJson(data)}</script>`,
    );
}

/**
 * Writes the view as one self-contained HTML file (documents embedded as base64): it opens from disk,
 * without a server or a network.
 *
 * @example
 * ```ts
 * await writeStandalone('report.html', { view, threshold: 80 });
 * ```
 */
export async function writeStandalone(path: string, data: ViewData): Promise<void> {
  await writeFile(path, renderPage(data, { served: false }));
}

/**
 * Embeds a document file in a view (for the static export).
 *
 * @example
 * ```ts
 * const view = await embedDocument(executionView(execution, { document: { path } }), path);
 * ```
 */
export async function embedDocument(view: ExecutionView, path: string): Promise<ExecutionView> {
  if (!view.document) return view;
  const { url: _url, ...document } = view.document;
  return { ...view, document: { ...document, base64: (await readFile(path)).toString('base64') } };
}

/**
 * Options of `startViewer()`.
 *
 * @example
 * ```ts
 * const viewer = await startViewer({ data: { view, threshold: 80 }, files: ['invoice.pdf'] });
 * ```
 */
export interface ViewerOptions {
  data: ViewData;
  /** The only files the server gives out: `/document/<index>`. Nothing else on disk is reachable. */
  files?: (string | undefined)[];
  /** Batch: the view of document `index`, for `/api/view/<index>`. */
  view?: (index: number) => ExecutionView | null | Promise<ExecutionView | null>;
  /** Default: a free port. */
  port?: number;
}

/**
 * A running viewer.
 *
 * @example
 * ```ts
 * console.log(`open ${viewer.url}`); await viewer.close();
 * ```
 */
export interface RunningViewer {
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  });
  res.end(body);
}

/**
 * Serves the view on 127.0.0.1 (never another interface): the page at `/`, the given files at
 * `/document/<index>`, a batch's document views at `/api/view/<index>`, and nothing else. Requests
 * whose Host is not this address (DNS rebinding) are refused.
 *
 * @example
 * ```ts
 * const viewer = await startViewer({ data: { view: executionView(execution, { document: { path: 'a.pdf', url: '/document/0' } }), threshold: 80 }, files: ['a.pdf'] });
 * ```
 */
export async function startViewer(options: ViewerOptions): Promise<RunningViewer> {
  const files = options.files ?? [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'the viewer could not answer\n');
      else res.destroy();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { port } = server.address() as AddressInfo;
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return send(res, 421, 'text/plain; charset=utf-8', 'this viewer answers only on 127.0.0.1\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'read only\n');
    }
    // Exact routes on the raw path: no decoding, no joining, so `..` and `%2e%2e` match nothing.
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/' || path === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      res.setHeader('content-security-policy', policy(nonce, true));
      return send(res, 200, 'text/html; charset=utf-8', renderPage(options.data, { served: true, nonce }));
    }
    const documentMatch = /^\/document\/(\d{1,9})$/.exec(path);
    if (documentMatch) {
      const file = files[Number(documentMatch[1])];
      const kind = file ? documentKind(file) : undefined;
      if (!file || !kind) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      const bytes = await readFile(file).catch(() => undefined);
      if (!bytes) return send(res, 404, 'text/plain; charset=utf-8', 'the file is no longer there\n');
      return send(res, 200, kind.mime, bytes);
    }
    const viewMatch = /^\/api\/view\/(\d{1,9})$/.exec(path);
    if (viewMatch && options.view) {
      const view = await options.view(Number(viewMatch[1]));
      if (!view) return send(res, 404, 'application/json', '{"error":"not found"}');
      return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(view));
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
