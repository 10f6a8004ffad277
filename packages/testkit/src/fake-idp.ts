/**
 * The one fake IDP of the workspace's tests and benches: a token endpoint, submits that create
 * executions (documents and pages counted), executions that settle over polls or time, faults on
 * demand, callbacks, and counters. Every package's tests use it, in-process; the benches run it in a
 * child process (`startFakeIdpProcess`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { callbackUrl, fakeCallbacks } from './fake-callbacks.js';
import { type FakeExecution, isSettled, pollAnswer } from './fake-executions.js';
import { answerFault } from './fake-faults.js';
import type {
  FakeCallbackEvent,
  FakeDocument,
  FakeFault,
  FakeIdpOptions,
  FakeIdpStats,
  FakeRequest,
  FakeRequestKind,
} from './fake-idp-options.js';
import { busiestWindow, type FakeLogEntry, fakeCounters, perWindow } from './fake-stats.js';
import { type Handler, json, type Loopback, loopback, type Recorded } from './loopback.js';
import { formFileName, formPart } from './multipart.js';
import { countPages } from './page-count.js';

export const IDS = {
  organizationId: '01f79c97-9a83-4194-b922-15b64fd7305e',
  actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766',
  actionVersion: '1.1.0',
  executionId: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
} as const;

export const REF = { actionId: IDS.actionId, actionVersion: IDS.actionVersion, executionId: IDS.executionId };

export const TOKEN_PATH = '/accounts/api/v2/oauth2/token';

/**
 * Where a fake in a child process answers its counters (`/_fake/stats`, `/_fake/reset`,
 * `/_fake/windows?ms=`, `/_fake/arrivals`).
 */
export const CONTROL_PATH = '/_fake/';

export interface FakeIdp {
  server: Loopback;
  /** Base URL for `createIdpClient({ baseUrl })`. */
  baseUrl: string;
  tokenUrl: string;
  /** Requests to the token endpoint (when recording). */
  tokenRequests(): Recorded[];
  /** Requests to anything else, the runtime API (when recording). */
  runtimeRequests(): Recorded[];
  /** Submits that created an execution, per sha256 of the file's bytes (hex). */
  posts: Map<string, number>;
  /** Polls per execution id, of the executions polled at least once (in the order first polled). */
  polls: Map<string, number>;
  /** The executions created, in order. */
  documents(): FakeDocument[];
  /** Every request's kind, method and arrival time (the fake's clock), in order. */
  log(): readonly FakeLogEntry[];
  /** Each callback's outcome, in the order they fell due. */
  callbacks: FakeCallbackEvent[];
  /**
   * Sends an execution's callback now, on demand (a held one, a replay, a forgery): to the URL its
   * submit named or `url`, with `{executionId, actionId, version}` or `body`; through
   * `callbacks.route`, loopback only. Not counted among the fake's own callbacks. Resolves to the
   * receiver's status.
   *
   * @example
   * ```ts
   * const idp = await fakeIdp({ callbacks: { fate: () => 'hold' } });
   * // … once the code under test has submitted:
   * const [doc] = idp.documents();
   * expect(await idp.sendCallback(doc.id, { body: { executionId: 'someone-else' } })).toBe(403);
   * ```
   */
  sendCallback(
    executionId: string,
    options?: { url?: string; body?: Record<string, unknown> },
  ): Promise<number>;
  stats(): FakeIdpStats;
  /** Requests (all but token requests, or `kinds`) per consecutive window of `windowMs`. */
  perWindow(windowMs: number, kinds?: readonly FakeRequestKind[]): number[];
  /** The most requests (all but token requests, or `kinds`) in any span of `windowMs`. */
  busiestWindow(windowMs: number, kinds?: readonly FakeRequestKind[]): number;
  /** Zeroes the counters and the log (executions are kept). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for IDP. Given options, it is the whole IDP a client or a batch needs; given a
 * handler (the older form), it answers the token endpoint and hands everything else to `runtime`, whose
 * `index` counts runtime requests only.
 *
 * @example
 * ```ts
 * const idp = closeAfterTest(
 *   await fakeIdp({
 *     polls: 3,
 *     finalStatus: (doc) => (doc.fileName === 'bad.pdf' ? 'FAILED' : 'SUCCEEDED'),
 *     fault: (r) => (r.kind === 'submit' && r.index === 0 ? { type: 'rate-limit', retryAfter: 1 } : undefined),
 *   }),
 * );
 * const client = createIdpClient({ organizationId: IDS.organizationId, baseUrl: idp.baseUrl, auth: { clientId: 'c', clientSecret: 's', tokenUrl: idp.tokenUrl } });
 * // … run the code under test, then:
 * expect(idp.stats().requests.submit).toBe(2);
 * ```
 */
export async function fakeIdp(options?: FakeIdpOptions): Promise<FakeIdp>;
export async function fakeIdp(runtime: Handler, token?: Handler): Promise<FakeIdp>;
export async function fakeIdp(first: Handler | FakeIdpOptions = {}, token?: Handler): Promise<FakeIdp> {
  const options: FakeIdpOptions =
    typeof first === 'function' ? { runtime: first, ...(token ? { token } : {}) } : first;
  const now = options.now ?? Date.now;
  const counters = fakeCounters();
  const executions = new Map<string, FakeExecution>();
  const callbackEvents: FakeCallbackEvent[] = [];
  const callbacks = fakeCallbacks(options.callbacks ?? {}, now, (event) => {
    callbackEvents.push(event);
    counters.calledBack(event.outcome);
    options.onCallback?.(event);
  });
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const canned = new Map(Object.entries(options.canned ?? {}).map(([id, body]) => [id, Buffer.from(body)]));
  const index: Record<FakeRequestKind, number> = { token: 0, submit: 0, poll: 0, other: 0 };
  let runtimeIndex = 0;
  let apiCount = 0;

  /** A timer the fake clears when it closes: none outlives it. */
  function later(ms: number, then: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      then();
    }, ms);
    timers.add(timer);
  }

  function callBackOnce(execution: FakeExecution, status: string): void {
    if (!execution.callbackUrl || execution.calledBack) return;
    execution.calledBack = true;
    const { id: executionId, actionId, version } = execution;
    const fate = options.callbacks?.fate?.(execution);
    callbacks.schedule({
      url: execution.callbackUrl,
      executionId,
      actionId,
      version,
      status,
      ...(fate ? { fate } : {}),
    });
  }

  async function sendCallback(
    executionId: string,
    over: { url?: string; body?: Record<string, unknown> } = {},
  ): Promise<number> {
    const execution = executions.get(executionId);
    if (!execution) throw new Error(`sendCallback: the fake created no execution ${executionId}`);
    const url = over.url ?? execution.callbackUrl;
    if (!url)
      throw new Error(
        `sendCallback: execution ${executionId}'s submit named no callback URL; pass { url } to send one anyway`,
      );
    const { actionId, version } = execution;
    return callbacks.sendNow(url, over.body ?? { executionId, actionId, version });
  }

  async function api(req: Recorded, res: ServerResponse, bytes: Buffer): Promise<void> {
    const kind: FakeRequestKind = req.method === 'POST' ? 'submit' : req.method === 'GET' ? 'poll' : 'other';
    counters.arrived({ kind, method: req.method, at: now() });
    const count = ++apiCount;
    if (options.runtime) {
      await options.runtime(req, res, runtimeIndex++, bytes);
      return counters.answered(now());
    }
    const submit = kind === 'submit' ? submitted(req, bytes) : undefined;
    const executionId = kind === 'poll' ? /executions\/([^/?]+)/.exec(req.url)?.[1] : undefined;
    const document = executionId !== undefined ? executions.get(executionId) : undefined;
    const seen = {
      kind,
      method: req.method,
      url: req.url,
      count,
      ...(submit ? { fileName: submit.fileName } : {}),
      ...(executionId !== undefined ? { executionId } : {}),
      ...(document ? { document } : {}),
    };
    await options.onRequest?.(seen);
    const latency = typeof options.latencyMs === 'function' ? options.latencyMs(seen) : options.latencyMs;
    if (latency) await new Promise<void>((resolve) => later(latency, resolve));
    const request: FakeRequest = { ...seen, index: index[kind]++ };
    const fault = options.fault?.(request);
    if (fault) await faulted(res, kind, fault);
    else if (submit) await accept(request, res, submit);
    else if (kind === 'poll') poll(res, executionId ?? '');
    else json(res, 404, { status: 404, title: 'Not Found' });
    counters.answered(now());
  }

  async function faulted(res: ServerResponse, kind: FakeRequestKind, fault: FakeFault): Promise<void> {
    counters.faulted(kind, fault.type);
    await answerFault(res, fault);
  }

  async function accept(request: FakeRequest, res: ServerResponse, submit: Submitted): Promise<void> {
    const hash = createHash('sha256').update(submit.file).digest('hex');
    const pages = countPages(submit.file);
    counters.accepted(hash, pages);
    const [, actionId = '', version = ''] =
      /actions\/([^/]+)\/versions\/([^/]+)\/executions/.exec(request.url) ?? [];
    const execution: FakeExecution = {
      id: randomUUID(),
      fileName: submit.fileName,
      index: executions.size,
      hash,
      pages,
      actionId: decodeURIComponent(actionId),
      version: decodeURIComponent(version),
      createdAt: now(),
      polls: 0,
      ...(submit.callbackUrl ? { callbackUrl: submit.callbackUrl } : {}),
    };
    executions.set(execution.id, execution);
    settleOnTime(execution);
    callBackOnAccept(execution, res);
    const fault = options.faultAfterSubmit?.(request, execution);
    if (fault) return faulted(res, 'submit', fault);
    json(res, 201, { id: execution.id, documentName: execution.fileName, status: 'ACKNOWLEDGED' });
  }

  /** An execution that settles on time calls back when it settles, polled or not. */
  function settleOnTime(execution: FakeExecution): void {
    const afterMs = options.settleAfterMs?.(execution);
    if (afterMs === undefined || !execution.callbackUrl) return;
    later(afterMs, () => {
      if (isSettled(execution, options, now()))
        callBackOnce(execution, pollAnswer(execution, options, now()).status);
    });
  }

  /** With `callbacks.when: 'accepted'`, the callback follows the submit's answer, settled or not. */
  function callBackOnAccept(execution: FakeExecution, res: ServerResponse): void {
    if (options.callbacks?.when !== 'accepted' || !execution.callbackUrl) return;
    // 'close' comes when the answer is sent or its connection dropped: the server acted either way.
    res.once('close', () => callBackOnce(execution, pollAnswer(execution, options, now()).status));
  }

  function poll(res: ServerResponse, id: string) {
    const body = canned.get(id);
    if (body) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
      return;
    }
    const execution = executions.get(id);
    if (!execution) return json(res, 404, { status: 404, title: 'Not Found' });
    execution.polls++;
    counters.polled(id);
    const answer = pollAnswer(execution, options, now());
    if (answer.settled) callBackOnce(execution, answer.status);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(answer.text),
    });
    res.end(answer.text);
  }

  function control(req: Recorded, res: ServerResponse) {
    const url = new URL(req.url, 'http://fake');
    const what = url.pathname.slice(CONTROL_PATH.length);
    if (what === 'stats') return json(res, 200, counters.stats());
    if (what === 'windows')
      return json(res, 200, perWindow(counters.log, Number(url.searchParams.get('ms'))));
    // Every request's time, token requests included: a rate bench finds its own busiest windows.
    if (what === 'arrivals')
      return json(
        res,
        200,
        counters.log.map((entry) => entry.at),
      );
    if (what === 'reset') {
      counters.reset();
      res.writeHead(204).end();
      return;
    }
    json(res, 404, {
      status: 404,
      title: `The fake answers ${CONTROL_PATH}stats, reset, windows?ms= and arrivals`,
    });
  }

  const server = await loopback(
    async (req, res, _index, bytes) => {
      if (options.control && req.url.startsWith(CONTROL_PATH)) return control(req, res);
      if (req.url.startsWith(TOKEN_PATH)) {
        counters.arrived({ kind: 'token', method: req.method, at: now() });
        const n = index.token++;
        if (options.token) return options.token(req, res, n, bytes);
        return json(res, 200, { access_token: `tok-${n}`, token_type: 'bearer', expires_in: 3600 });
      }
      await api(req, res, bytes);
    },
    {
      ...(options.record !== undefined ? { record: options.record } : {}),
      ...(options.keepAliveMs !== undefined ? { keepAliveMs: options.keepAliveMs } : {}),
    },
  );
  const isToken = (r: Recorded) => r.url.startsWith(TOKEN_PATH);
  return {
    server,
    baseUrl: server.url,
    tokenUrl: `${server.url}${TOKEN_PATH}`,
    tokenRequests: () => server.requests.filter(isToken),
    runtimeRequests: () => server.requests.filter((r) => !isToken(r)),
    posts: counters.posts,
    polls: counters.polls,
    documents: () => [...executions.values()],
    log: () => counters.log,
    callbacks: callbackEvents,
    sendCallback,
    stats: () => counters.stats(),
    perWindow: (windowMs, kinds) => perWindow(counters.log, windowMs, kinds),
    busiestWindow: (windowMs, kinds) => busiestWindow(counters.log, windowMs, kinds),
    reset: () => {
      counters.reset();
      server.requests.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      callbacks.close();
      await server.close();
    },
  };
}

interface Submitted {
  fileName: string;
  file: Buffer;
  callbackUrl?: string;
}

/** A submit's file, name and callback, from its multipart form or its JSON (base64) form. */
function submitted(req: Recorded, bytes: Buffer): Submitted {
  const type = req.headers['content-type'];
  if (type?.startsWith('application/json')) {
    const body = parseJson(req.body);
    const url = callbackUrl(typeof body.callback === 'string' ? body.callback : undefined);
    return {
      fileName: typeof body.fileName === 'string' ? body.fileName : 'x.pdf',
      file: Buffer.from(typeof body.file === 'string' ? body.file : '', 'base64'),
      ...(url ? { callbackUrl: url } : {}),
    };
  }
  const url = callbackUrl(formPart(bytes, type, 'callback')?.toString());
  return {
    fileName: formFileName(req.body) ?? 'x.pdf',
    file: formPart(bytes, type, 'file') ?? Buffer.alloc(0),
    ...(url ? { callbackUrl: url } : {}),
  };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** An execution body in `status`, with a one-field result for statuses that carry results. */
export function execution(status: string, extra: Record<string, unknown> = {}) {
  const results = ['SUCCEEDED', 'PARTIAL_SUCCESS', 'MANUAL_VALIDATION_REQUIRED'].includes(status)
    ? { pages: [{ page: 1, fields: { invoiceNumber: { value: 'INV-2291' } } }] }
    : {};
  return { id: IDS.executionId, documentName: 'invoice-2291.pdf', status, ...results, ...extra };
}
