import { getEventListeners } from 'node:events';
import { closeAfterTest, execution, IDS, json, loopback, REF } from '@idp-kit/testkit';
import { describe, expect, it, vi } from 'vitest';
import type { IdpHooks, Outcome } from '../src/hooks.js';
import {
  IdpAbortError,
  IdpAuthError,
  IdpConnectionError,
  IdpNotFoundError,
  IdpRedirectError,
  IdpRequestTimeoutError,
  IdpResponseTooLargeError,
  IdpValidationError,
} from '../src/index.js';
import { checkTrustedOrigin } from '../src/pipeline.js';
import { rejection, setup } from './helpers.js';

// The pipeline's rules as hooks, logs and callers see them, beyond the common path of pipeline.test.ts:
// what each hook is told, what the log lines say, what a call leaves behind, and how a failed connection
// is told apart.

/** A token provider that sends no token request: the hooks and logs below see getExecution only. */
const fixed = { getToken: async () => 'fixed-token', invalidate: () => {} };

/** The review task of REF: its URL has no query string. */
const REVIEW_PATH = `/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/reviews/${IDS.executionId}`;

/** Every hook call, as [hook, operation name, outcome]. */
function recorder(extra: Partial<IdpHooks> = {}) {
  const calls: [string, string, Outcome | undefined][] = [];
  const hooks: IdpHooks = {
    operationStart: (op) => calls.push(['operationStart', op.name, undefined]),
    attemptEnd: (attempt, outcome) => calls.push(['attemptEnd', attempt.operation.name, outcome]),
    operationEnd: (op, outcome) => calls.push(['operationEnd', op.name, outcome]),
    ...extra,
  };
  const of = (hook: string) => calls.filter(([h]) => h === hook).map(([, , outcome]) => outcome);
  return { hooks, calls, of };
}

describe('hooks', () => {
  it('a hook that asks for the body gets it at operationEnd; without asking, none', async () => {
    const asking = recorder({ wantsBody: (_op, response) => response.status === 200 });
    const quiet = recorder(); // no wantsBody at all: not a hook error
    const warnings: string[] = [];
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: fixed,
      hooks: [asking.hooks, quiet.hooks],
      logger: { warn: (m: string) => warnings.push(m) },
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    expect(warnings).toEqual([]);
    expect(JSON.parse(asking.of('operationEnd')[0]?.response?.body ?? '{}')).toMatchObject({
      status: 'SUCCEEDED',
    });
    const declined = recorder({ wantsBody: () => false });
    const second = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: fixed,
      hooks: declined.hooks,
    });
    await second.client.getExecution(REF);
    expect(declined.of('operationEnd')[0]?.response).toMatchObject({ status: 200 });
    expect(declined.of('operationEnd')[0]?.response?.body).toBeUndefined();
  });

  it('a wantsBody that throws is logged naming it, and the call goes on', async () => {
    const warnings: string[] = [];
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: fixed,
      hooks: {
        wantsBody: () => {
          throw new Error('hook bug');
        },
      },
      logger: { warn: (m: string) => warnings.push(m) },
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    expect(warnings).toEqual([expect.stringMatching(/wantsBody hook threw \(ignored\): hook bug/)]);
  });

  it.each([
    ['no logger', undefined],
    ['a logger without warn', { debug: () => {} }],
  ])('a throwing hook with %s breaks nothing', async (_name, logger) => {
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: fixed,
      hooks: {
        attemptStart: () => {
          throw new Error('hook bug');
        },
      },
      ...(logger ? { logger } : {}),
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
  });

  it('hooks see the URL without its query, ending with the execution id', async () => {
    const urls: string[] = [];
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: fixed,
      hooks: { operationStart: (op) => urls.push(op.url) },
    });
    await client.getExecution(REF);
    expect(urls).toEqual([expect.stringMatching(new RegExp(`/executions/${IDS.executionId}$`))]);
  });

  it('hooks see a URL that has no query string whole', async () => {
    const urls: string[] = [];
    const { idp, client } = await setup((_req, res) => json(res, 200, { hello: 'not a review' }), {
      auth: fixed,
      hooks: { operationStart: (op) => urls.push(op.url) },
    });
    await rejection(client.getReview(REF));
    expect(urls).toEqual([`${idp.baseUrl}${REVIEW_PATH}`]);
  });

  it('a hook that reads the body leaves raw’s caller the same status, headers and body', async () => {
    const problem = { status: 404, title: 'Not Found', detail: 'no such execution' };
    const answer = (_req: unknown, res: Parameters<typeof json>[0]) => {
      res.setHeader('x-request-id', 'req-404');
      json(res, 404, problem);
    };
    const path =
      '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}';
    const params = { params: { path: { organizationId: IDS.organizationId, ...REF } } };
    const seen: (string | undefined)[] = [];
    const { client } = await setup(answer, {
      auth: fixed,
      hooks: {
        wantsBody: () => true,
        operationEnd: (_op, outcome) => seen.push(outcome.response?.body),
      },
    });
    const { response, error } = await client.raw.GET(path, params);
    expect(seen).toEqual([JSON.stringify(problem)]); // the hook did read it
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('req-404');
    expect(error).toEqual(problem);
  });

  it('a wait that fails: its own operationEnd is told the error', async () => {
    const { hooks, calls } = recorder();
    const controller = new AbortController();
    const { client } = await setup(
      (_req, res) => {
        json(res, 200, execution('IN_PROGRESS'));
        controller.abort(new Error('stop'));
      },
      { auth: fixed, hooks },
    );
    const error = await rejection(
      client.waitForExecution(REF, { signal: controller.signal, pollIntervalMs: 1 }),
    );
    expect(error).toBeInstanceOf(IdpAbortError);
    const waitEnd = calls.find(([hook, name]) => hook === 'operationEnd' && name === 'waitForExecution');
    expect(waitEnd?.[2]?.error).toBe(error);
  });

  it('a refused redirect: attemptEnd once for the attempt, and operationEnd gets the error', async () => {
    const { hooks, of } = recorder();
    const { client } = await setup(
      (_req, res) => {
        res.writeHead(302, { Location: 'http://127.0.0.1:9/elsewhere' });
        res.end();
      },
      { auth: fixed, hooks, retry: false },
    );
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpRedirectError);
    expect(of('attemptEnd')).toHaveLength(1);
    expect(of('operationEnd')[0]?.error).toBe(error);
  });

  it('an answer over the cap: attemptEnd is told the error', async () => {
    const { hooks, of } = recorder();
    const { client } = await setup(
      (_req, res) => json(res, 200, execution('SUCCEEDED', { padding: 'x'.repeat(4_000) })),
      { auth: fixed, hooks, retry: false, maxResponseBytes: 1_024 },
    );
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpResponseTooLargeError);
    expect(of('attemptEnd')).toEqual([expect.objectContaining({ error })]);
  });

  it('a body cut off after the headers: attemptEnd is told the error, not the status', async () => {
    const { hooks, of } = recorder();
    const { client } = await setup(
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
        res.write('{"status":"SUCC');
        setImmediate(() => res.destroy());
      },
      { auth: fixed, hooks, retry: false },
    );
    await rejection(client.getExecution(REF));
    const [outcome] = of('attemptEnd');
    expect(outcome?.error).toBeDefined();
    expect(outcome?.status).toBeUndefined();
  });
});

describe('redirects', () => {
  it('a redirected DELETE is refused, saying only a GET follows one, and nothing reaches the target', async () => {
    const { idp, client } = await setup(
      (req, res) => {
        if (req.method !== 'DELETE') return json(res, 200, {});
        res.writeHead(307, { Location: `${idp.baseUrl}/elsewhere` });
        res.end();
      },
      { auth: fixed, retry: false },
    );
    const error = (await rejection(client.approveReview(REF))) as IdpRedirectError;
    expect(error).toBeInstanceOf(IdpRedirectError);
    expect(error.status).toBe(307);
    // Why it was refused: the method, not an upload (nothing was uploaded) nor the target (trusted).
    expect(error.message).toMatch(/only a GET follows a redirect/);
    expect(idp.runtimeRequests().map((r) => `${r.method} ${r.url}`)).toEqual([`DELETE ${REVIEW_PATH}`]);
  });

  it.each([
    ['no Location', {}],
    ['a Location that is no URL', { Location: 'http://[not-a-host' }],
  ])('a redirect with %s is refused at once, saying so', async (_name, headers) => {
    const { idp, client } = await setup(
      (_req, res) => {
        res.writeHead(302, headers);
        res.end();
      },
      { auth: fixed },
    );
    const error = (await rejection(client.getExecution(REF))) as IdpRedirectError;
    expect(error).toBeInstanceOf(IdpRedirectError);
    expect(error.message).toMatch(/no usable Location/);
    expect(idp.runtimeRequests()).toHaveLength(1); // not retried: asking again gets the same answer
  });

  it('a token endpoint that redirects is an auth error that says to fix tokenUrl; it is not followed', async () => {
    const { idp, client } = await setup(
      (_req, res) => json(res, 200, execution('SUCCEEDED')),
      { retry: false },
      (_req, res) => {
        res.writeHead(302, { Location: `${idp.tokenUrl}/v3` });
        res.end();
      },
    );
    const error = (await rejection(client.getExecution(REF))) as IdpAuthError;
    expect(error).toBeInstanceOf(IdpAuthError);
    expect(error.status).toBe(302);
    expect(error.message).toMatch(/tokenUrl/);
    expect(idp.tokenRequests()).toHaveLength(1);
    expect(idp.runtimeRequests()).toHaveLength(0);
  });
});

describe('what is sent', () => {
  it('each request says it accepts JSON and problem+json (the service answers 406 otherwise)', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: fixed,
    });
    await client.getExecution(REF);
    expect(idp.runtimeRequests()[0]?.headers.accept).toMatch(/application\/json.*application\/problem\+json/);
  });
});

describe('a request that cannot be sent', () => {
  it('a header value fetch refuses: IdpValidationError with the refusal as cause; attemptEnd is told', async () => {
    const { hooks, of } = recorder();
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: fixed,
      hooks,
    });
    const error = (await rejection(client.getExecution(REF, { headers: { 'x-note': 'a\nb' } }))) as Error;
    expect(error).toBeInstanceOf(IdpValidationError);
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(of('attemptEnd')).toEqual([expect.objectContaining({ error: error.cause })]);
    expect(idp.runtimeRequests()).toHaveLength(0);
  });
});

describe('log lines', () => {
  it('one debug line per attempt: the status for an answer, none for a failure, and a true duration', async () => {
    const lines: [string, Record<string, unknown> | undefined][] = [];
    let reset = true;
    const { client } = await setup(
      (_req, res) => {
        if (reset) {
          reset = false;
          res.socket?.destroy();
          return;
        }
        json(res, 200, execution('SUCCEEDED'));
      },
      { auth: fixed, logger: { debug: (m: string, d?: Record<string, unknown>) => lines.push([m, d]) } },
    );
    const started = performance.now();
    await client.getExecution(REF);
    const wall = performance.now() - started;
    const details = lines.map(([, d]) => d);
    expect(details).toHaveLength(2);
    expect(details[0]?.status).toBeUndefined();
    expect(details[1]?.status).toBe(200);
    for (const d of details) expect(d?.durationMs).toBeLessThanOrEqual(Math.ceil(wall) + 1);
  });

  it('each retry is warned with its reason and its count', async () => {
    const warnings: string[] = [];
    const { client } = await setup(
      (_req, res, i) => {
        if (i === 0) res.socket?.destroy();
        else if (i === 1) json(res, 503, { status: 503, title: 'Service Unavailable' });
        else json(res, 200, execution('SUCCEEDED'));
      },
      { auth: fixed, logger: { warn: (m: string) => warnings.push(m) } },
    );
    await client.getExecution(REF);
    expect(warnings).toEqual([
      expect.stringMatching(/fetch failed.*; retrying \(1\/3\)$/),
      expect.stringMatching(/HTTP 503; retrying in \d+ ms \(2\/3\)$/),
    ]);
  });

  it('an abort during an attempt is not retried, nor logged as a retry', async () => {
    const warnings: string[] = [];
    const controller = new AbortController();
    const { idp, client } = await setup(() => controller.abort(new Error('stop')), {
      auth: fixed,
      logger: { warn: (m: string) => warnings.push(m) },
    });
    const error = await rejection(client.getExecution(REF, { signal: controller.signal }));
    expect(error).toBeInstanceOf(IdpAbortError);
    expect(warnings).toEqual([]);
    expect(idp.runtimeRequests()).toHaveLength(1);
  });
});

describe('what a call leaves behind', () => {
  it.each([
    ['no deadline', {}],
    ['a deadline', { deadlineMs: 60_000 }],
  ])('with %s, the caller’s signal holds no listener once the call is done', async (_name, options) => {
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), { auth: fixed });
    const controller = new AbortController();
    await client.getExecution(REF, { signal: controller.signal, ...options });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('with a deadline that did not pass, an error answer is that error, not a timeout or an abort', async () => {
    const { client } = await setup((_req, res) => json(res, 404, { status: 404, title: 'Not Found' }), {
      auth: fixed,
    });
    const error = await rejection(client.getExecution(REF, { deadlineMs: 60_000 }));
    expect(error).toBeInstanceOf(IdpNotFoundError);
  });

  it('a fetch of your own is handed a signal for each attempt (it cannot be ended otherwise)', async () => {
    const signals: unknown[] = [];
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: fixed,
      fetch: (input, init) => {
        signals.push(init?.signal);
        return globalThis.fetch(input, init);
      },
    });
    await client.getExecution(REF);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
  });

  it('a token provider of your own is handed the call’s signal', async () => {
    const signals: unknown[] = [];
    const provider = {
      getToken: async (options?: { signal?: AbortSignal }) => {
        signals.push(options?.signal);
        return 'fixed-token';
      },
      invalidate: () => {},
    };
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), { auth: provider });
    await client.getExecution(REF, { signal: new AbortController().signal });
    expect(signals[0]).toBeInstanceOf(AbortSignal);
  });

  it('an answer over the cap is refused also when the part read would parse', async () => {
    const { client } = await setup(
      (_req, res) => {
        // No Content-Length: the cap is found while reading, and the cut falls in the trailing spaces.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(JSON.stringify(execution('SUCCEEDED')));
        res.end(' '.repeat(200_000));
      },
      { auth: fixed, retry: false, maxResponseBytes: 65_536 },
    );
    expect(await rejection(client.getExecution(REF))).toBeInstanceOf(IdpResponseTooLargeError);
  });
});

describe('a connection that fails', () => {
  it('refused: IdpConnectionError with refused set, and the fetch error as its cause', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 200, {}), { auth: fixed, retry: false });
    await idp.close();
    const error = (await rejection(client.getExecution(REF))) as IdpConnectionError;
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect(error.refused).toBe(true);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('no answer in time: IdpRequestTimeoutError with the attempt’s timeout as its cause', async () => {
    const { client } = await setup(() => {}, { auth: fixed, retry: false }); // never answers
    const error = (await rejection(client.getExecution(REF, { attemptTimeoutMs: 50 }))) as Error;
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    // The transport's error (fetch wraps the timeout's reason in its own): what ended the attempt.
    const chain: string[] = [];
    for (let e: unknown = error.cause; e instanceof Error; e = e.cause) chain.push(e.name);
    expect(chain).toContain('TimeoutError');
  });

  it('a fetch of your own that fails with an error caused by itself: the call still ends', async () => {
    const looped = new TypeError('fetch failed');
    looped.cause = looped; // a cause chain with no end: the refused-connection check must not follow it forever
    const { client } = await setup(() => {}, {
      auth: fixed,
      retry: false,
      fetch: () => Promise.reject(looped),
    });
    const error = (await rejection(client.getExecution(REF))) as IdpConnectionError;
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect(error.refused).toBe(false);
  });

  it('reset after it was accepted: refused is not set (the server may have seen the request)', async () => {
    const { client } = await setup((_req, res) => void res.socket?.destroy(), { auth: fixed, retry: false });
    const error = (await rejection(client.getExecution(REF))) as IdpConnectionError;
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect(error.refused).toBe(false);
  });
});

describe('the trusted origins', () => {
  it('a token URL of your own on another host is asked: the IDP token’s rule is not the grant’s', async () => {
    const tokens = closeAfterTest(
      await loopback((_req, res) =>
        json(res, 200, { access_token: 'own-token', token_type: 'bearer', expires_in: 3600 }),
      ),
    );
    const { idp, client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      auth: { clientId: 'client-1', clientSecret: 'secret-1', tokenUrl: `${tokens.url}/oauth2/token` },
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    expect(tokens.requests).toHaveLength(1);
    expect(idp.runtimeRequests()[0]?.headers.authorization).toBe('Bearer own-token');
  });

  it('a trusted URL is let through without parsing it (the check runs on every request)', () => {
    const origin = 'http://127.0.0.1:4010';
    const parsed = vi.spyOn(globalThis, 'URL');
    try {
      for (const url of [`${origin}/api/v1/x`, `${origin}?a=1`, origin]) {
        checkTrustedOrigin(url, new Set(['https://idp.test', origin]), 'getExecution');
      }
      expect(parsed).not.toHaveBeenCalled();
    } finally {
      parsed.mockRestore();
    }
  });

  it('a URL that merely ends with a trusted origin (in its query) is refused', () => {
    const origin = 'http://127.0.0.1:4010';
    // Shaped so that the character at the origin's length is a '/', as after a trusted origin.
    const url = `http://evil.test/${'a'.repeat(origin.length - 17)}/?next=${origin}`;
    expect(url.charAt(origin.length)).toBe('/');
    expect(() => checkTrustedOrigin(url, new Set([origin]), 'getExecution')).toThrow(IdpValidationError);
  });

  it('the refusal names where the token may go, so the user can configure it', () => {
    const trusted = new Set(['https://idp.test', 'http://127.0.0.1:4010']);
    expect(() => checkTrustedOrigin('https://other.test/x', trusted, 'getExecution')).toThrow(
      /https:\/\/other\.test.*https:\/\/idp\.test, http:\/\/127\.0\.0\.1:4010/,
    );
  });
});
