/**
 * The callback tests' names for testkit's fake IDP (`fakeIdp`): each upload's `callback` part names a
 * URL, and as soon as the submit is answered (settled or not, here) the fake PATCHes it with
 * {executionId, actionId, version}, as IDP does: no authentication, no retry. What it sends, loses or
 * holds, and where, the test decides. The fake itself lives once, in testkit.
 */
import { type FakeDocument, type FakeIdp, type FakeIdpOptions, fakeIdp } from '@idp-kit/testkit';

export interface CallbackIdpOptions {
  /** GETs before an execution is done (default 1: the first GET finds it SUCCEEDED). */
  polls?: number;
  /** Its status once done, by file name (default SUCCEEDED). */
  finalStatus?: (fileName: string) => string;
  /** What becomes of an execution's callback: sent when its submit is answered (default), lost, or held for `send()`. */
  callback?: (fileName: string) => 'send' | 'lose' | 'hold';
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
  /** GETs per execution id (of executions fetched at least once). */
  gets: Map<string, number>;
  /** Per file name: its execution id and the callback URL its upload named (with the nonce). */
  readonly executions: Map<string, { id: string; callbackUrl?: string }>;
  /** The statuses the receiver answered the fake's own callbacks with (0: it could not be reached). */
  readonly answers: number[];
  /** Every POST and GET, in order. */
  readonly seen: string[];
  /** Sends `fileName`'s callback now (to its own URL, or `url`), with its body or `body`; the answer's status. */
  send(fileName: string, options?: { url?: string; body?: Record<string, unknown> }): Promise<number>;
  /** testkit's fake itself: its stats, log and callback events. */
  fake: FakeIdp;
  close(): Promise<void>;
}

/** A loopback IDP that calls back at once, over testkit's one fake. */
export async function callbackIdp(options: CallbackIdpOptions = {}): Promise<CallbackIdp> {
  const fate = options.callback;
  const finalStatus = options.finalStatus;
  const onRequest = options.onRequest;
  const fake: FakeIdpOptions = {
    polls: options.polls ?? 1,
    ...(finalStatus ? { finalStatus: (d: FakeDocument) => finalStatus(d.fileName) } : {}),
    ...(onRequest ? { onRequest: (r) => onRequest(r.method === 'POST' ? 'POST' : 'GET', r.count) } : {}),
    callbacks: {
      when: 'accepted',
      ...(fate ? { fate: (d: FakeDocument) => fate(d.fileName) } : {}),
      ...(options.route ? { route: options.route } : {}),
    },
  };
  const idp = await fakeIdp(fake);
  const executionOf = (fileName: string) => idp.documents().find((d) => d.fileName === fileName);
  return {
    baseUrl: idp.baseUrl,
    tokenUrl: idp.tokenUrl,
    posts: idp.posts,
    gets: idp.polls,
    get executions() {
      return new Map(
        idp
          .documents()
          .map((d) => [d.fileName, { id: d.id, ...(d.callbackUrl ? { callbackUrl: d.callbackUrl } : {}) }]),
      );
    },
    get answers() {
      return idp.callbacks.flatMap((e) =>
        e.outcome === 'sent' ? [e.answer ?? 0] : e.outcome === 'failed' ? [0] : [],
      );
    },
    get seen() {
      return idp
        .log()
        .filter((r) => r.kind !== 'token')
        .map((r) => (r.method === 'POST' ? 'POST' : 'GET'));
    },
    async send(fileName, over) {
      const execution = executionOf(fileName);
      if (!execution) throw new Error(`no execution for ${fileName}`);
      return idp.sendCallback(execution.id, over);
    },
    fake: idp,
    close: () => idp.close(),
  };
}
