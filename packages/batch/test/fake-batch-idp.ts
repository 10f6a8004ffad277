import { createHash, randomUUID } from 'node:crypto';
import { IDS, json, type Loopback, loopback, TOKEN_PATH } from '@idp-kit/testkit';

/** The file part of a multipart body (binary-safe), or undefined. */
function filePart(body: Buffer, contentType: string | undefined): Buffer | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary) return undefined;
  const header = body.indexOf('name="file"');
  if (header < 0) return undefined;
  const start = body.indexOf('\r\n\r\n', header) + 4;
  const end = body.indexOf(`\r\n--${boundary}`, start);
  return body.subarray(start, end);
}

export interface FakeBatchIdp {
  baseUrl: string;
  tokenUrl: string;
  /** POSTs that reached the server, per content hash. */
  posts: Map<string, number>;
  /** Every request, in order: `POST` or `GET`. */
  seen: string[];
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
}

/** A loopback IDP for batches: counts POSTs per content hash; executions settle after a few polls. */
export async function fakeBatchIdp(options: FakeBatchOptions = {}): Promise<FakeBatchIdp> {
  const posts = new Map<string, number>();
  const seen: string[] = [];
  const executions = new Map<string, { polls: number; fileName: string }>();
  let postCount = 0;
  let getCount = 0;
  const server: Loopback = await loopback(async (req, res) => {
    if (req.url.startsWith(TOKEN_PATH)) {
      return json(res, 200, { access_token: 'tok', token_type: 'bearer', expires_in: 3600 });
    }
    seen.push(req.method);
    await options.onRequest?.(req.method, seen.length);
    if (req.method === 'POST') {
      const index = postCount++;
      const retryAfter = options.rateLimit?.(index);
      if (retryAfter !== undefined) {
        if (retryAfter !== null) res.setHeader('retry-after', String(retryAfter));
        return json(res, 429, { status: 429, title: 'Too Many Requests' });
      }
      const body = Buffer.from(req.body); // the test documents are ASCII
      const file = filePart(body, req.headers['content-type']) ?? Buffer.alloc(0);
      const hash = createHash('sha256').update(file).digest('hex');
      posts.set(hash, (posts.get(hash) ?? 0) + 1);
      const fileName = /filename="([^"]*)"/.exec(req.body)?.[1] ?? 'x.pdf';
      const id = randomUUID();
      executions.set(id, { polls: 0, fileName });
      if (options.failAfterCreate?.(index, fileName))
        return json(res, 503, { status: 503, title: 'Service Unavailable' });
      const own = options.answerPost?.(index, id, fileName);
      if (own) {
        res.writeHead(own.status, { 'content-type': own.type });
        res.end(own.body);
        return;
      }
      return json(res, 201, { id, documentName: fileName, status: 'ACKNOWLEDGED' });
    }
    const get = getCount++;
    if (options.notFound?.(get)) return json(res, 404, { status: 404, title: 'Not Found' });
    const id = /executions\/([^/?]+)/.exec(req.url)?.[1] ?? '';
    const execution = executions.get(id);
    if (!execution) return json(res, 404, { status: 404, title: 'Not Found' });
    execution.polls++;
    const done = execution.polls >= (options.polls ?? 2);
    const inReview =
      done &&
      options.review?.(execution.fileName) === true &&
      options.approved?.(execution.fileName) !== true;
    const status = !done
      ? 'IN_PROGRESS'
      : inReview
        ? 'MANUAL_VALIDATION_REQUIRED'
        : (options.finalStatus?.(execution.fileName) ?? 'SUCCEEDED');
    const results =
      done && status !== 'FAILED'
        ? {
            fields: options.fields?.(execution.fileName, inReview) ?? {
              total: { value: `=${execution.fileName}` },
            },
            // Geometry-like bulk outside the fields: in the stored result, not in results.jsonl.
            ...(options.resultBytes ? { pages: [{ words: 'x'.repeat(options.resultBytes) }] } : {}),
          }
        : {};
    const said = done ? options.statusMessage?.(execution.fileName) : undefined;
    json(res, 200, {
      id,
      documentName: execution.fileName,
      status,
      ...results,
      ...(said !== undefined ? { statusMessage: said } : {}),
    });
  });
  return {
    baseUrl: server.url,
    tokenUrl: `${server.url}${TOKEN_PATH}`,
    posts,
    seen,
    close: () => server.close(),
  };
}

export const ACTION = { actionId: IDS.actionId, actionVersion: IDS.actionVersion };
