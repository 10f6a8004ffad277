// A loopback IDP that calls back: each upload's `callback` part names a URL, and once the execution
// settles (at once, here) the fake PATCHes it with {executionId, actionId, version}, as IDP does: no
// authentication, no retry. What it sends, loses or holds, and what it answers, the test decides.
import { createHash, randomUUID } from 'node:crypto';
import { IDS, json, type Loopback, loopback, TOKEN_PATH } from '@idp-kit/testkit';

/** A multipart part's bytes by name (the test documents are ASCII), or undefined. */
function part(body: string, contentType: string | undefined, name: string): string | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  const header = body.indexOf(`name="${name}"`);
  if (!boundary || header < 0) return undefined;
  const start = body.indexOf('\r\n\r\n', header) + 4;
  return body.slice(start, body.indexOf(`\r\n--${boundary}`, start));
}

export interface CallbackIdpOptions {
  /** GETs before an execution is done (default 1: the first GET finds it SUCCEEDED). */
  polls?: number;
  /** Its status once done, by file name (default SUCCEEDED). */
  finalStatus?: (fileName: string) => string;
  /** What becomes of an execution's callback: sent when it settles (default), lost, or held for `send()`. */
  callback?: (fileName: string) => 'send' | 'lose' | 'hold';
  /** The callback's body (default `{executionId, actionId, version}`): a lying one, say. */
  body?: (executionId: string) => Record<string, unknown>;
  /** Where a callback goes, given the URL the upload named (another worker's listener, say). */
  route?: (url: string) => string | Promise<string>;
  /** Called for each POST or GET before it is answered; a promise holds the answer until it settles. */
  onRequest?: (what: 'POST' | 'GET', count: number) => void | Promise<void>;
}

export interface CallbackIdp {
  baseUrl: string;
  tokenUrl: string;
  /** POSTs per content hash. */
  posts: Map<string, number>;
  /** GETs per execution id. */
  gets: Map<string, number>;
  /** Per file name: its execution id and the callback URL its upload named (with the nonce). */
  executions: Map<string, { id: string; callbackUrl?: string }>;
  /** The statuses the receiver answered the fake's own callbacks with. */
  answers: number[];
  /** Every POST and GET, in order. */
  seen: string[];
  /** Sends `fileName`'s callback now (to its own URL, or `url`), with its body or `body`; the answer's status. */
  send(fileName: string, options?: { url?: string; body?: Record<string, unknown> }): Promise<number>;
  close(): Promise<void>;
}

/** The fake. */
export async function callbackIdp(options: CallbackIdpOptions = {}): Promise<CallbackIdp> {
  const posts = new Map<string, number>();
  const gets = new Map<string, number>();
  const executions = new Map<string, { id: string; callbackUrl?: string }>();
  const names = new Map<string, string>();
  const answers: number[] = [];
  const seen: string[] = [];
  const bodyOf = (id: string) =>
    options.body?.(id) ?? { executionId: id, actionId: IDS.actionId, version: IDS.actionVersion };

  async function send(fileName: string, over: { url?: string; body?: Record<string, unknown> } = {}) {
    const execution = executions.get(fileName);
    const target = over.url ?? execution?.callbackUrl;
    if (!execution || !target) throw new Error(`no callback URL for ${fileName}`);
    const response = await fetch((await options.route?.(target)) ?? target, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(over.body ?? bodyOf(execution.id)),
    });
    await response.arrayBuffer();
    return response.status;
  }

  const server: Loopback = await loopback(async (req, res) => {
    if (req.url.startsWith(TOKEN_PATH)) {
      return json(res, 200, { access_token: 'tok', token_type: 'bearer', expires_in: 3600 });
    }
    const what = req.method === 'POST' ? 'POST' : 'GET';
    seen.push(what);
    await options.onRequest?.(what, seen.length);
    if (what === 'POST') {
      const type = req.headers['content-type'];
      const file = part(req.body, type, 'file') ?? '';
      const hash = createHash('sha256').update(file).digest('hex');
      posts.set(hash, (posts.get(hash) ?? 0) + 1);
      const fileName = /filename="([^"]*)"/.exec(req.body)?.[1] ?? 'x.pdf';
      const callback = part(req.body, type, 'callback');
      const callbackUrl = callback ? (JSON.parse(callback) as { noAuthUrl: string }).noAuthUrl : undefined;
      const id = randomUUID();
      executions.set(fileName, { id, ...(callbackUrl ? { callbackUrl } : {}) });
      names.set(id, fileName);
      // Settled at once: the callback follows the answer (IDP does not retry it; a lost one is gone).
      const fate = options.callback?.(fileName) ?? 'send';
      if (callbackUrl && fate === 'send') {
        res.once('finish', () => {
          send(fileName).then(
            (status) => answers.push(status),
            () => answers.push(0),
          );
        });
      }
      return json(res, 201, { id, documentName: fileName, status: 'ACKNOWLEDGED' });
    }
    const id = /executions\/([^/?]+)/.exec(req.url)?.[1] ?? '';
    const fileName = names.get(id);
    if (!fileName) return json(res, 404, { status: 404, title: 'Not Found' });
    const count = (gets.get(id) ?? 0) + 1;
    gets.set(id, count);
    const done = count >= (options.polls ?? 1);
    const status = done ? (options.finalStatus?.(fileName) ?? 'SUCCEEDED') : 'IN_PROGRESS';
    json(res, 200, {
      id,
      documentName: fileName,
      status,
      ...(done && status === 'SUCCEEDED' ? { fields: { total: { value: `=${fileName}` } } } : {}),
    });
  });
  return {
    baseUrl: server.url,
    tokenUrl: `${server.url}${TOKEN_PATH}`,
    posts,
    gets,
    executions,
    answers,
    seen,
    send,
    close: () => server.close(),
  };
}
