/**
 * The batch tests' names for testkit's fake IDP (`fakeIdp`): their options by file name and POST/GET
 * index, mapped onto its documents and faults. The fake itself lives once, in testkit.
 */
import {
  type FakeDocument,
  type FakeFault,
  type FakeIdp,
  type FakeIdpOptions,
  fakeIdp,
  IDS,
} from '@idp-kit/testkit';

export interface FakeBatchIdp {
  baseUrl: string;
  tokenUrl: string;
  /** POSTs that reached the server, per content hash. */
  posts: Map<string, number>;
  /** Every request, in order: `POST` or `GET`. */
  readonly seen: string[];
  /** testkit's fake itself: its stats, request log and windows, callbacks. */
  fake: FakeIdp;
  close(): Promise<void>;
}

export interface FakeBatchOptions {
  /** GETs before an execution is SUCCEEDED (default 2: IN_PROGRESS, then SUCCEEDED). */
  polls?: number;
  /**
   * Answer this POST (by index) with 429: a number or string is the Retry-After header's value, `null`
   * sends none; `undefined` does not limit it.
   */
  rateLimit?: (post: number) => number | string | null | undefined;
  /**
   * Answer this POST (by index, or by the uploaded file's name) itself, after the execution was created
   * (a 2xx IDP-ish answer the engine cannot read).
   */
  answerPost?: (
    post: number,
    id: string,
    fileName: string,
  ) => { status: number; type: string; body: string } | undefined;
  /** Answer this GET (by index over all GETs) with 404. */
  notFound?: (get: number) => boolean;
  /** Answer this POST with 503 after creating the execution (the server acted, the client cannot know). */
  failAfterCreate?: (post: number, fileName: string) => boolean;
  /** Status of an execution once done (default SUCCEEDED); by file name. */
  finalStatus?: (fileName: string) => string;
  /** The `statusMessage` a done execution carries (the model's reason), by file name. */
  statusMessage?: (fileName: string) => string | undefined;
  /**
   * Make each SUCCEEDED result about this many bytes more (as `--confidence` on a long document
   * gives), in a `pages` member beside the fields.
   */
  resultBytes?: number;
  /**
   * Documents a reviewer must look at (by file name): once done, MANUAL_VALIDATION_REQUIRED with the
   * review-time fields until `approved` says yes, then SUCCEEDED with the fields after the review.
   */
  review?: (fileName: string) => boolean;
  /** Asked at each poll of a document in review: has its reviewer approved it? Default: never. */
  approved?: (fileName: string) => boolean;
  /** The result's fields (default `total` = `=<fileName>`), by file name and whether it is in review. */
  fields?: (fileName: string, inReview: boolean) => Record<string, unknown>;
  /** Called for each request before it is answered; a promise holds the answer until it settles. */
  onRequest?: (what: string, count: number) => void | Promise<void>;
  /** Anything else testkit's fake takes (callbacks, settleAfterMs, latencyMs, …); these win. */
  fake?: FakeIdpOptions;
}

/** A loopback IDP for batches: counts POSTs per content hash; executions settle after a few polls. */
export async function fakeBatchIdp(options: FakeBatchOptions = {}): Promise<FakeBatchIdp> {
  const idp = await fakeIdp({ ...batchOptions(options), ...options.fake });
  return {
    baseUrl: idp.baseUrl,
    tokenUrl: idp.tokenUrl,
    posts: idp.posts,
    get seen() {
      return idp
        .log()
        .filter((r) => r.kind !== 'token')
        .map((r) => r.method);
    },
    fake: idp,
    close: () => idp.close(),
  };
}

/** The batch tests' options as testkit's fake takes them. */
function batchOptions(o: FakeBatchOptions): FakeIdpOptions {
  const byName = <T>(f: ((fileName: string) => T) | undefined) => f && ((d: FakeDocument) => f(d.fileName));
  const { finalStatus, statusMessage, review, approved } = {
    finalStatus: byName(o.finalStatus),
    statusMessage: byName(o.statusMessage),
    review: byName(o.review),
    approved: byName(o.approved),
  };
  return {
    ...(o.polls !== undefined ? { polls: o.polls } : {}),
    ...(o.resultBytes !== undefined ? { resultBytes: o.resultBytes } : {}),
    ...(finalStatus ? { finalStatus } : {}),
    ...(statusMessage ? { statusMessage } : {}),
    ...(review ? { review } : {}),
    ...(approved ? { approved } : {}),
    ...(o.fields
      ? { fields: (d: FakeDocument, inReview: boolean) => o.fields?.(d.fileName, inReview) ?? {} }
      : {}),
    ...(o.onRequest ? { onRequest: (r) => o.onRequest?.(r.method, r.count) } : {}),
    fault: (r): FakeFault | undefined => {
      if (r.kind === 'submit') {
        const retryAfter = o.rateLimit?.(r.index);
        if (retryAfter === undefined) return undefined;
        return retryAfter === null ? { type: 'rate-limit' } : { type: 'rate-limit', retryAfter };
      }
      return o.notFound?.(r.index) ? { type: 'not-found' } : undefined;
    },
    faultAfterSubmit: (r, d): FakeFault | undefined => {
      if (o.failAfterCreate?.(r.index, d.fileName)) return { type: 'server-error', status: 503 };
      const own = o.answerPost?.(r.index, d.id, d.fileName);
      return own
        ? { type: 'unreadable', status: own.status, contentType: own.type, body: own.body }
        : undefined;
    },
  };
}

export const ACTION = { actionId: IDS.actionId, actionVersion: IDS.actionVersion };
