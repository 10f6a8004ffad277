import type { Handler } from './loopback.js';

/** What a request to the fake IDP is: the token endpoint, a submit, a poll, or anything else. */
export type FakeRequestKind = 'token' | 'submit' | 'poll' | 'other';

/**
 * One request as the fake's hooks see it.
 *
 * @example
 * ```ts
 * const fault = (r: FakeRequest) => (r.kind === 'submit' && r.index === 0 ? { type: 'rate-limit' } : undefined);
 * ```
 */
export interface FakeRequest {
  kind: FakeRequestKind;
  method: string;
  url: string;
  /** Its place among the requests of its kind, from 0 (the first submit, the first poll, …). */
  index: number;
  /** Requests other than token requests so far, this one included (from 1). */
  count: number;
  /** A submit's uploaded file name. */
  fileName?: string;
  /** A poll's execution id. */
  executionId?: string;
  /**
   * A poll's execution, when the fake created it: its action version, file name, … So `onRequest` can
   * hold one version's polls until the test releases them, and `fault` can pick a version's.
   */
  document?: FakeDocument;
}

/**
 * A document the fake accepted, as its hooks see it.
 *
 * @example
 * ```ts
 * const finalStatus = (doc: FakeDocument) => (doc.pages > 10 ? 'FAILED' : 'SUCCEEDED');
 * ```
 */
export interface FakeDocument {
  /** The execution id the submit answered. */
  id: string;
  fileName: string;
  /** The order it was accepted in, from 0. */
  index: number;
  /** sha256 of the uploaded file's bytes (hex). */
  hash: string;
  /** Its pages (a PDF's page objects, a TIFF's directories, else 1). */
  pages: number;
  actionId: string;
  version: string;
  /** The callback URL its submit named (`noAuthUrl`), if it named one. */
  callbackUrl?: string;
}

/**
 * A way the fake misbehaves for one request:
 * - `rate-limit`: 429, with `Retry-After` only when `retryAfter` is given;
 * - `server-error`: a 5xx (default 503);
 * - `unreadable`: an answer the client cannot read (default a 200 HTML page);
 * - `not-found`: 404;
 * - `stall`: no answer at all, until the client gives up or the fake closes;
 * - `cut`: the connection is destroyed without an answer.
 *
 * @example
 * ```ts
 * const fault: FakeFault = { type: 'rate-limit', retryAfter: 1 };
 * ```
 */
export type FakeFault =
  | { type: 'rate-limit'; retryAfter?: number | string }
  | { type: 'server-error'; status?: number }
  | { type: 'unreadable'; status?: number; contentType?: string; body?: string }
  | { type: 'not-found' }
  | { type: 'stall' }
  | { type: 'cut' };

/**
 * How the fake calls back: a submit whose multipart form carries a `callback` part (JSON text
 * `{"noAuthUrl": "…"}`) gets a PATCH `{executionId, actionId, version}` when its execution settles,
 * once, never retried, as IDP does. Only loopback URLs are called.
 *
 * @example
 * ```ts
 * const callbacks: FakeCallbackOptions = { lossRate: 0.1, seed: 7 }; // the same tenth lost every run
 * ```
 */
export interface FakeCallbackOptions {
  /** Sent this long after the execution settles, in ms; default 0. */
  delayMs?: number;
  /** Share of callbacks lost (never sent), 0–1, drawn from `seed`; default 0. */
  lossRate?: number;
  /** Seeds which callbacks are lost; default 1. */
  seed?: number;
  /** Exactly which callbacks are lost, by the order they fall due (0 = the first); wins over `lossRate`. */
  lost?: readonly number[];
  /**
   * When a callback falls due: when its execution settles (default), or as soon as its submit has been
   * answered (`accepted`), whatever a poll would say then: a callback that outruns the execution's state.
   */
  when?: 'settled' | 'accepted';
  /**
   * What becomes of one document's callback when it falls due, chosen by the test: `send` (then `lost`
   * and `lossRate` still apply), `lose` (never sent, reported `lost`), or `hold` (not sent and not
   * reported: the test sends it itself with `sendCallback`, when and as often as it likes).
   */
  fate?: (doc: FakeDocument) => 'send' | 'lose' | 'hold';
  /**
   * Where a callback really goes, given the URL its submit named: another worker's listener, say. A
   * promise holds the callback until it settles. Applies to `sendCallback` too; still loopback only.
   */
  route?: (url: string) => string | Promise<string>;
}

/**
 * What happened to one callback: `sent` (the receiver answered `answer`), `lost` (dropped on purpose),
 * `refused` (not a loopback URL: nothing sent), `failed` (the receiver could not be reached).
 *
 * @example
 * ```ts
 * const event: FakeCallbackEvent = { n: 0, executionId: 'e', status: 'SUCCEEDED', outcome: 'sent', answer: 204, at: 12 };
 * ```
 */
export interface FakeCallbackEvent {
  n: number;
  executionId: string;
  status: string;
  outcome: 'sent' | 'lost' | 'refused' | 'failed';
  answer?: number;
  /** When it was decided (the fake's clock, ms). */
  at: number;
}

/**
 * Everything the fake IDP can be told. All optional: by default it issues tokens `tok-0`, `tok-1`, …,
 * accepts every submit (201 with a fresh execution id) and settles each execution SUCCEEDED at its
 * second poll (IN_PROGRESS before).
 *
 * @example
 * ```ts
 * const options: FakeIdpOptions = { polls: 3, finalStatus: (d) => (d.fileName.startsWith('bad') ? 'FAILED' : 'SUCCEEDED') };
 * ```
 */
export interface FakeIdpOptions {
  /** Answers every request but the token endpoint's itself, instead of the built-in IDP (`index` counts them). */
  runtime?: Handler;
  /** Answers the token endpoint itself (`index` counts token requests). */
  token?: Handler;
  /** Polls before an execution settles (default 2: IN_PROGRESS, then settled). Ignored with `settleAfterMs`. */
  polls?: number;
  /** Settle each execution this long after its submit (ms), whatever the polls: time, not polls, decides. */
  settleAfterMs?: (doc: FakeDocument) => number;
  /** The status an execution settles in (default SUCCEEDED): FAILED, PARTIAL_SUCCESS, … */
  finalStatus?: (doc: FakeDocument) => string;
  /**
   * Documents a reviewer must look at: once settled, MANUAL_VALIDATION_REQUIRED until `approved` says
   * yes (asked at each poll), then SUCCEEDED with the reviewed fields.
   */
  review?: (doc: FakeDocument) => boolean;
  approved?: (doc: FakeDocument) => boolean;
  /** A settled result's fields (default `total` = `=<fileName>`), and whether it is still in review. */
  fields?: (doc: FakeDocument, inReview: boolean) => Record<string, unknown>;
  /** The `statusMessage` a settled execution carries. */
  statusMessage?: (doc: FakeDocument) => string | undefined;
  /** Add about this many bytes to each settled result, as a `pages` member beside the fields. */
  resultBytes?: number;
  /**
   * JSON text of a `pages` array every settled result carries (a long document's scores and geometry),
   * spliced in as text so that the fake holds one copy however many executions it serves.
   */
  resultPages?: string;
  /** Executions answered with exactly these bytes (by id), at once: a bench's canned bodies. */
  canned?: Record<string, string | Uint8Array>;
  /** Wait this long before answering each request other than a token request (ms). */
  latencyMs?: number | ((request: Omit<FakeRequest, 'index'>) => number);
  /** Misbehave for this request, before acting on it (a rate-limited submit creates nothing). */
  fault?: (request: FakeRequest) => FakeFault | undefined;
  /** Misbehave for this submit after its execution was created: the server acted, the client cannot know. */
  faultAfterSubmit?: (request: FakeRequest, doc: FakeDocument) => FakeFault | undefined;
  /**
   * Called for each request other than a token request, before anything else; a promise holds its
   * answer until it settles (hold one version's polls: `r.document?.version === '1.2.0'`).
   */
  onRequest?: (request: Omit<FakeRequest, 'index'>) => void | Promise<void>;
  /** Callbacks to the URL a submit names (see `FakeCallbackOptions`); on whenever a submit asks. */
  callbacks?: FakeCallbackOptions;
  /** Each callback's outcome, as it happens (tests wait on these). */
  onCallback?: (event: FakeCallbackEvent) => void;
  /** The fake's clock for settling and timestamps (ms); default `Date.now`, which fake timers move. */
  now?: () => number;
  /** Keep every request (`server.requests`); default true. Off for long runs (a bench). */
  record?: boolean;
  /** Idle keep-alive connections stay open this long (ms); default Node's 5 s. */
  keepAliveMs?: number;
  /** Answer `GET /_fake/stats`, `/_fake/reset` and `/_fake/windows?ms=` (for a fake in a child process). */
  control?: boolean;
}

/**
 * The fake's counters, as JSON. `requests` counts arrivals by kind; `faults` counts the faults it
 * answered, by request kind and fault type.
 *
 * @example
 * ```ts
 * const { requests, faults } = idp.stats();
 * const accepted = requests.submit - (faults.submit?.['rate-limit'] ?? 0);
 * ```
 */
export interface FakeIdpStats {
  requests: Record<FakeRequestKind, number>;
  faults: Partial<Record<FakeRequestKind, Partial<Record<FakeFault['type'], number>>>>;
  /** Executions created. */
  executions: number;
  /** Distinct documents (by content hash) submitted, and the most submits of any one of them. */
  documents: number;
  maxPostsPerDocument: number;
  /** Pages of every accepted submit. */
  pages: number;
  callbacks: Record<FakeCallbackEvent['outcome'], number>;
  /** From the first request (other than a token request) arriving to the latest one answered, in ms. */
  busyMs: number;
}
