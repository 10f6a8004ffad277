import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type RequestListener, request, type ServerResponse } from 'node:http';
import {
  type CallbackRequest,
  callbackTarget,
  createCallbacks,
  type MockCallbackOptions,
} from './callbacks.js';
import { asVersion, MOCK_VERSIONS, versionRecord } from './candidate-version.js';
import {
  exampleFor,
  fixedError,
  fixedScenario,
  fixedStatus,
  type Lifecycle,
  lifecycleOf,
  lifecycleStatus,
  MOCK_EXECUTIONS,
  type Scenario,
} from './scenarios.js';

/**
 * Options of `createMockFront()`.
 *
 * @example
 * ```ts
 * const options: FrontOptions = { prismUrl: mock.prismUrl, lifecycleMs: 5_000, now: () => fakeNow };
 * ```
 */
export interface FrontOptions {
  /** Where Prism listens, e.g. `http://127.0.0.1:41234`. */
  prismUrl: string;
  /** One lifecycle, in ms; default 20 s. */
  lifecycleMs?: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
  /** How submits with a `callback` part are called back: a delay, a share lost. */
  callbacks?: MockCallbackOptions;
}

/**
 * The mock's front: a node:http request handler, and `close()`, which cancels the callbacks not yet
 * sent (and those in flight).
 *
 * @example
 * ```ts
 * const front: MockFront = createMockFront({ prismUrl });
 * createServer(front).listen(4010);
 * front.close();
 * ```
 */
export type MockFront = RequestListener & { close(): void };

/**
 * The largest document the mock accepts: the service's 15 MB, read as MiB (the larger reading, so that
 * no upload the service takes is refused here).
 *
 * @example
 * ```ts
 * if (file.byteLength > MAX_UPLOAD_BYTES) console.error('the mock (and IDP) will answer 413');
 * ```
 */
export const MAX_UPLOAD_BYTES = 15 * 1024 * 1024;
/** Prism refuses bodies above 10 MB; larger uploads the front answers itself. */
const PRISM_BODY_LIMIT = 9 * 1024 * 1024;

const EXECUTION = /^\/api\/v1\/organizations\/[^/]+\/actions\/[^/]+\/versions\/[^/]+\/executions\/([^/?]+)$/;
const ACTION_VERSION = /^\/api\/v1\/organizations\/([^/]+)\/actions\/([^/]+)\/versions\/([^/]+)\//;
const SUBMIT = /^\/api\/v1\/organizations\/[^/]+\/actions\/([^/]+)\/versions\/([^/]+)\/executions$/;
const REVIEW = /^\/api\/v1\/organizations\/[^/]+\/actions\/[^/]+\/reviews\/([^/?]+)$/;
const REVIEWS = /^\/api\/v1\/organizations\/[^/]+\/reviews$/;
const VERSION_RECORD = /^\/idp\/api\/v1\/organizations\/[^/]+\/actions\/[^/]+\/versions\/([^/?]+)$/;

/** One execution the front keeps on a clock: a lifecycle id, or a submitted document. */
interface Tracked {
  at: number;
  kind: Lifecycle;
  actionId?: string;
  fileName?: string;
  /** A reviewer approved it (DELETE of the review task): SUCCEEDED from then on. */
  approved?: boolean;
  /** The review payload as last corrected (PATCH). */
  review?: { analyzersResults?: { name?: unknown; result?: unknown }[] };
  /** Where to call back when it settles, as its submit asked. */
  callback?: CallbackRequest;
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  const body = JSON.stringify({ status, title, detail });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendJson(
  res: ServerResponse,
  upstream: Upstream,
  value: unknown,
  extra: Record<string, string> = {},
) {
  const body = JSON.stringify(value);
  const { 'transfer-encoding': _chunked, ...kept } = upstream.headers;
  const headers = { ...kept, ...extra, 'content-length': String(Buffer.byteLength(body)) };
  res.writeHead(upstream.status, headers);
  res.end(body);
}

/** Room for the multipart framing and a callback part around the file. */
const FRAMING_BYTES = 64 * 1024;

/** The `file` part of a multipart body: its file name and size, or `undefined` when there is none. */
function filePart(body: Buffer, contentType: string | undefined) {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary) return undefined;
  const header = /name="file"; filename="([^"]*)"[\s\S]*?\r\n\r\n/.exec(
    body.subarray(0, FRAMING_BYTES).toString('latin1'),
  );
  if (!header) return undefined;
  const start = header.index + header[0].length;
  const end = body.indexOf(`\r\n--${boundary}`, start, 'latin1');
  return { fileName: header[1] ?? '', size: (end < 0 ? body.length : end) - start };
}

/**
 * The `callback` part of a multipart body, as text; `undefined` when there is none. Parts are found by
 * their boundary, which cannot occur inside the document, so a file that holds `name="callback"` is no
 * callback.
 */
function multipartCallback(body: Buffer, contentType: string | undefined): string | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary) return undefined;
  const delimiter = `--${boundary}\r\n`;
  for (
    let at = body.indexOf(delimiter, 0, 'latin1');
    at >= 0;
    at = body.indexOf(delimiter, at + 1, 'latin1')
  ) {
    const headersEnd = body.indexOf('\r\n\r\n', at, 'latin1');
    if (headersEnd < 0) return undefined;
    if (!/\bname="callback"/i.test(body.subarray(at, headersEnd).toString('latin1'))) continue;
    const end = body.indexOf(`\r\n--${boundary}`, headersEnd, 'latin1');
    return end < 0 ? undefined : body.subarray(headersEnd + 4, end).toString('utf8');
  }
  return undefined;
}

/** The document of a JSON (base64) submit: its name and decoded size, and its callback text, when the body has them. */
function jsonFile(body: Buffer) {
  try {
    const parsed = JSON.parse(body.toString()) as { file?: unknown; fileName?: unknown; callback?: unknown };
    if (typeof parsed.file !== 'string' || typeof parsed.fileName !== 'string') return undefined;
    return {
      fileName: parsed.fileName,
      size: Buffer.byteLength(parsed.file, 'base64'),
      ...(typeof parsed.callback === 'string' ? { callback: parsed.callback } : {}),
    };
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too large');
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The mock's front, as a node:http request handler over a running Prism. Prism answers every request
 * from the spec; the front only picks *which* answer (a `Prefer` header) from the execution id and
 * `valueOnly` (see `MOCK_EXECUTIONS`), keeps lifecycles on a clock, gives each submitted document an id
 * of its own, and takes uploads up to the spec's 15 MB (Prism's own body limit is 10 MB). A request that
 * carries its own `Prefer` header is passed through untouched. `startMock()` wires it up for you.
 *
 * @example
 * ```ts
 * const server = createServer(createMockFront({ prismUrl: 'http://127.0.0.1:4011' }));
 * server.listen(4010, '127.0.0.1');
 * ```
 */
export function createMockFront(options: FrontOptions): MockFront {
  const prism = new URL(options.prismUrl);
  const lifecycleMs = options.lifecycleMs ?? 20_000;
  const now = options.now ?? Date.now;
  const callbacks = createCallbacks(options.callbacks);
  /** Execution id → when its lifecycle started, which one it follows, and its review. */
  const started = new Map<string, Tracked>();

  function upstream(
    req: IncomingMessage,
    body: Buffer | undefined,
    extraHeaders: Record<string, string> = {},
  ): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, ...extraHeaders, host: prism.host };
      if (body) headers['content-length'] = String(body.length);
      const forward = request(
        { host: prism.hostname, port: prism.port, method: req.method, path: req.url, headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: Buffer.concat(chunks),
            }),
          );
          answer.on('error', reject);
        },
      );
      forward.on('error', reject);
      if (body) forward.end(body);
      else req.pipe(forward);
    });
  }

  function relay(res: ServerResponse, answer: Upstream): void {
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  /** The tracked execution of an id, its lifecycle started on first sight for the well-known ones. */
  function tracked(executionId: string): Tracked | undefined {
    const key = executionId.toLowerCase();
    let life = started.get(key);
    const kind = lifecycleOf(key);
    if (!life && kind) {
      life = { at: now(), kind };
      started.set(key, life);
    }
    return life;
  }

  /**
   * The well-known MANUAL_VALIDATION_REQUIRED execution (the one the review list names): its review can
   * be corrected and approved like any other, and it is SUCCEEDED from then on.
   */
  function heldForReview(executionId: string): Tracked {
    const key = executionId.toLowerCase();
    let life = started.get(key);
    if (!life) {
      // Past the lifecycle's start: 'held' stays MANUAL_VALIDATION_REQUIRED until approved.
      life = { at: now() - 10 * Math.max(1, lifecycleMs), kind: 'held' };
      started.set(key, life);
    }
    return life;
  }

  /**
   * The status a callback reports, `afterMs` into the lifecycle. A timer may fire a millisecond before
   * the clock says it is due: the lifecycle is then moved to meet it, so that what the receiver fetches
   * is the settled status the callback announced.
   */
  function settled(life: Tracked, afterMs: number): string {
    if (now() - life.at < afterMs) life.at = now() - afterMs;
    return statusOf(life);
  }

  function statusOf(life: Tracked): string {
    if (life.approved) return 'SUCCEEDED';
    return lifecycleStatus(life.kind, now() - life.at, lifecycleMs);
  }

  /** A reviewed execution: its results are those that were reviewed, with the corrections. */
  function reviewed(body: Record<string, unknown>, life: Tracked): Record<string, unknown> {
    const corrections = new Map<string, unknown>();
    for (const item of life.review?.analyzersResults ?? []) {
      if (typeof item.name === 'string') corrections.set(item.name, item.result);
    }
    const pages = Array.isArray(body.pages) ? (body.pages as Record<string, unknown>[]) : [];
    const corrected = pages.map((page) => {
      const fields = { ...(page.fields as Record<string, Record<string, unknown>> | undefined) };
      for (const [name, value] of corrections) {
        if (fields[name]) fields[name] = { ...fields[name], value };
      }
      return { ...page, fields };
    });
    return { ...body, status: 'SUCCEEDED', ...(pages.length > 0 ? { pages: corrected } : {}) };
  }

  /**
   * An execution that went through a review, approved or timed out: it keeps the values that were
   * reviewed rather than turning into another document.
   */
  function wasReviewed(life: Tracked | undefined): life is Tracked {
    return life !== undefined && life.kind !== 'lifecycle' && statusOf(life) === 'SUCCEEDED';
  }

  function scenarioFor(executionId: string, valueOnly: boolean): Scenario | undefined {
    const fixed = fixedScenario(executionId, valueOnly);
    if (fixed) return fixed;
    const life = tracked(executionId);
    if (wasReviewed(life)) {
      // Serve what was reviewed; the status and the corrections are set on the way out.
      return { example: exampleFor('MANUAL_VALIDATION_REQUIRED', valueOnly) };
    }
    return { example: exampleFor(life ? statusOf(life) : 'SUCCEEDED', valueOnly) };
  }

  /** Prism's 404 examples name the example's ids; the user must read the ids they asked for. */
  function notFound(res: ServerResponse, answer: Upstream, detail: string): void {
    sendJson(res, answer, { ...(JSON.parse(answer.body.toString()) as object), detail });
  }

  async function getExecution(req: IncomingMessage, res: ServerResponse, executionId: string, url: URL) {
    const valueOnly = url.searchParams.get('valueOnly') !== 'false';
    // The example waiting for a review was run through 1.1.0: under another version it is not found, as
    // an execution of one version is not another's (the CLI finds a review's version this way).
    const [, , , asked] = url.pathname.match(ACTION_VERSION) ?? [];
    const elsewhere =
      executionId.toLowerCase() === MOCK_EXECUTIONS.MANUAL_VALIDATION_REQUIRED &&
      asked !== MOCK_VERSIONS.current;
    const scenario: Scenario | undefined = elsewhere ? { code: 404 } : scenarioFor(executionId, valueOnly);
    const prefer = scenario && ('code' in scenario ? `code=${scenario.code}` : `example=${scenario.example}`);
    const answer = await upstream(req, undefined, prefer ? { prefer } : {});
    if (answer.status === 429)
      return sendJson(res, answer, JSON.parse(answer.body.toString()), { 'retry-after': '1' });
    if (answer.status === 404) {
      const [, , actionId, version] = url.pathname.match(ACTION_VERSION) ?? [];
      return notFound(
        res,
        answer,
        `Action Id: ${actionId}, Version: ${version}, Execution Id: ${executionId}`,
      );
    }
    if (answer.status !== 200) return relay(res, answer);
    // The example's own id would confuse a user who asked for another one.
    const [, , , version] = url.pathname.match(ACTION_VERSION) ?? [];
    // 1.2.0 reads a few values differently (candidate-version.ts); a reviewer's corrections still win.
    let body = asVersion(JSON.parse(answer.body.toString()) as Record<string, unknown>, version);
    const life = started.get(executionId.toLowerCase());
    if (wasReviewed(life)) body = reviewed(body, life);
    // One execution is one document: the name it first showed stays, whichever example serves it later.
    if (life && typeof body.documentName === 'string') life.fileName ??= body.documentName;
    sendJson(res, answer, {
      ...body,
      id: executionId,
      ...(life?.fileName ? { documentName: life.fileName } : {}),
    });
  }

  /**
   * A review task exists while its execution is in MANUAL_VALIDATION_REQUIRED. Tracked executions keep
   * their corrections and end SUCCEEDED on approval; the well-known ids of other statuses have none;
   * any other id gets Prism's examples.
   */
  async function review(req: IncomingMessage, res: ServerResponse, executionId: string) {
    const code = fixedError(executionId);
    if (code) {
      const answer = await upstream(req, undefined, { prefer: `code=${code}` });
      if (answer.status !== 404) return relay(res, answer);
      return notFound(res, answer, `No review task for execution ${executionId}`);
    }
    const fixed = fixedStatus(executionId);
    const life =
      fixed === undefined
        ? tracked(executionId)
        : fixed === 'MANUAL_VALIDATION_REQUIRED'
          ? heldForReview(executionId)
          : undefined;
    const status = life ? statusOf(life) : fixed;
    if (status !== undefined && status !== 'MANUAL_VALIDATION_REQUIRED') {
      req.resume();
      return problem(
        res,
        404,
        'Not Found',
        `No review task for execution ${executionId}: it is ${status}, not MANUAL_VALIDATION_REQUIRED.`,
      );
    }
    if (!life) return relay(res, await upstream(req, undefined));
    if (req.method === 'GET' && life.review) {
      const answer = await upstream(req, undefined);
      if (answer.status !== 200) return relay(res, answer);
      return sendJson(res, answer, life.review);
    }
    const body = req.method === 'PATCH' ? await readBody(req, 1024 * 1024) : undefined;
    if (body === 'too large')
      return problem(res, 413, 'Payload Too Large', 'A review payload is at most 1 MiB.');
    const answer = await upstream(req, body);
    if (req.method === 'PATCH' && answer.status === 200 && body) {
      life.review = JSON.parse(body.toString()) as NonNullable<Tracked['review']>;
      return sendJson(res, answer, life.review);
    }
    if (req.method === 'DELETE' && answer.status < 300 && !life.approved) {
      life.approved = true;
      // Approved: it reaches SUCCEEDED, and IDP calls back again.
      if (life.callback) callbacks.schedule(life.callback, () => statusOf(life), 0);
    }
    relay(res, answer);
  }

  /** The tracked executions waiting for a review, then Prism's example tasks, paged. */
  async function reviews(req: IncomingMessage, res: ServerResponse, url: URL) {
    const answer = await upstream(req, undefined);
    if (answer.status !== 200) return relay(res, answer);
    const waiting = [...started.entries()]
      .filter(([, life]) => statusOf(life) === 'MANUAL_VALIDATION_REQUIRED' && life.actionId)
      .map(([id, life]) => ({
        docActionId: life.actionId,
        docOperationId: id,
        docOperationCreationDate: new Date(life.at).toISOString(),
        docFileName: life.fileName,
      }));
    // Prism's example tasks, less those approved here.
    const examples = (JSON.parse(answer.body.toString()) as { docOperationId?: unknown }[]).filter(
      (task) =>
        typeof task.docOperationId !== 'string' ||
        started.get(task.docOperationId.toLowerCase())?.approved !== true,
    );
    const all = [...waiting, ...examples];
    const page = Number(url.searchParams.get('page') ?? 0);
    const size = Number(url.searchParams.get('size') ?? 20);
    sendJson(res, answer, all.slice(page * size, page * size + size));
  }

  async function submit(req: IncomingMessage, res: ServerResponse) {
    const json = /^application\/json/i.test(req.headers['content-type'] ?? '');
    // The JSON form carries the document as base64: a third larger.
    const limit = (json ? Math.ceil((MAX_UPLOAD_BYTES * 4) / 3) : MAX_UPLOAD_BYTES) + FRAMING_BYTES;
    const declared = Number(req.headers['content-length'] ?? 0);
    const body = declared > limit ? 'too large' : await readBody(req, limit);
    const file =
      body === 'too large' ? undefined : json ? jsonFile(body) : filePart(body, req.headers['content-type']);
    if (body === 'too large' || (file && file.size > MAX_UPLOAD_BYTES)) {
      res.setHeader('connection', 'close');
      return problem(
        res,
        413,
        'Payload Too Large',
        `The document is larger than the service's limit of 15 MB. Split or compress it, then submit again.`,
      );
    }
    const fileName = file?.fileName;
    let answer: Upstream;
    if (body.length <= PRISM_BODY_LIMIT) {
      answer = await upstream(req, body);
    } else if (fileName === undefined) {
      return problem(res, 400, 'Bad Request', "Invalid query parameter 'file'");
    } else {
      answer = {
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ id: '', documentName: fileName, status: 'ACKNOWLEDGED' })),
      };
    }
    if (answer.status !== 201) return relay(res, answer);
    // Each submitted document gets an id of its own that then goes through the lifecycle; one whose
    // name asks for a review waits in MANUAL_VALIDATION_REQUIRED until the review is approved.
    const id = randomUUID();
    const [, actionId, version] = SUBMIT.exec(new URL(req.url ?? '/', 'http://mock').pathname) ?? [];
    const life: Tracked = {
      at: now(),
      kind: fileName && /review/i.test(fileName) ? 'held' : 'lifecycle',
      ...(actionId ? { actionId } : {}),
      ...(fileName ? { fileName } : {}),
    };
    started.set(id, life);
    const text = json
      ? (file as { callback?: string } | undefined)?.callback
      : multipartCallback(body, req.headers['content-type']);
    const target = callbackTarget(text);
    if (target && 'problem' in target) callbacks.log(`idp-mock: execution ${id}: ${target.problem}`);
    if (target && 'url' in target && actionId && version) {
      life.callback = { url: target.url, executionId: id, actionId, version };
      // Settled: SUCCEEDED at the end of its lifecycle; a review waits from the middle on.
      const settlesInMs = life.kind === 'held' ? lifecycleMs * 0.5 : lifecycleMs;
      callbacks.schedule(life.callback, () => settled(life, settlesInMs), settlesInMs);
    }
    const created = JSON.parse(answer.body.toString()) as Record<string, unknown>;
    sendJson(res, answer, { ...created, id, ...(fileName ? { documentName: fileName } : {}) });
  }

  /** A version's record, naming the version asked for when it is the mock's candidate (1.2.0). */
  async function versionAnswer(req: IncomingMessage, res: ServerResponse, version: string) {
    const answer = await upstream(req, undefined);
    if (answer.status !== 200) return relay(res, answer);
    sendJson(
      res,
      answer,
      versionRecord(JSON.parse(answer.body.toString()) as Record<string, unknown>, version),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://mock');
      const own = req.headers.prefer !== undefined;
      const execution = EXECUTION.exec(url.pathname);
      if (!own && req.method === 'GET' && execution?.[1])
        return await getExecution(req, res, execution[1], url);
      if (!own && req.method === 'POST' && SUBMIT.test(url.pathname)) return await submit(req, res);
      const reviewOf = REVIEW.exec(url.pathname)?.[1];
      if (!own && reviewOf) return await review(req, res, reviewOf);
      if (!own && req.method === 'GET' && REVIEWS.test(url.pathname)) return await reviews(req, res, url);
      const versionOf = VERSION_RECORD.exec(url.pathname)?.[1];
      if (!own && req.method === 'GET' && versionOf) return await versionAnswer(req, res, versionOf);
      relay(res, await upstream(req, undefined));
    } catch (error) {
      if (!res.headersSent) problem(res, 502, 'Bad Gateway', `mock front: ${(error as Error).message}`);
      else res.destroy();
    }
  }
  return Object.assign(handle, { close: () => callbacks.close() });
}
