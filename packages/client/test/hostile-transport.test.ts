import type { ServerResponse } from 'node:http';
import { closeAfterTest, execution, IDS, json, loopback, pdfBytes, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  IdpApiError,
  IdpPagingError,
  IdpRedirectError,
  IdpResponseTooLargeError,
  IdpValidationError,
} from '../src/index.js';
import { rejection, setup } from './helpers.js';

const PDF = pdfBytes(1);
const upload = { actionId: IDS.actionId, actionVersion: '1.1.0', file: PDF, fileName: 'invoice-2291.pdf' };
const created = { id: IDS.executionId, documentName: 'invoice-2291.pdf', status: 'ACKNOWLEDGED' };

/** Another loopback origin that would gladly answer anything: it must never hear from the client. */
async function foreignHost() {
  return closeAfterTest(
    await loopback((req, res) =>
      req.method === 'POST' ? json(res, 201, created) : json(res, 200, execution('SUCCEEDED')),
    ),
  );
}

describe('redirects (issue 29, finding 8)', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`${status} from the base URL to another loopback origin: a submit is not re-POSTed, and the other origin gets nothing`, async () => {
      const foreign = await foreignHost();
      const { idp, client } = await setup((req, res) => {
        res.writeHead(status, { Location: `${foreign.url}${req.url}` });
        res.end();
      });
      const error = (await rejection(client.submitExecution(upload))) as IdpRedirectError;
      expect(error).toBeInstanceOf(IdpRedirectError);
      expect(error).toBeInstanceOf(IdpApiError);
      expect(error.status).toBe(status);
      expect(error.location).toBe(foreign.url);
      expect(error.message).toContain(`HTTP ${status} redirect to ${foreign.url}, not followed`);
      expect(error.message).toContain('an upload is never redirected');
      expect(idp.runtimeRequests()).toHaveLength(1);
      expect(foreign.requests).toHaveLength(0);
    });

    it(`${status} from the base URL to another loopback origin: a get fails, and takes nothing from there`, async () => {
      const foreign = await foreignHost();
      const { idp, client } = await setup((req, res) => {
        res.writeHead(status, { Location: `${foreign.url}${req.url}` });
        res.end();
      });
      const error = (await rejection(client.getExecution(REF))) as IdpRedirectError;
      expect(error).toBeInstanceOf(IdpRedirectError);
      expect(error.message).toContain(`HTTP ${status} redirect to ${foreign.url}, not followed`);
      expect(error.message).toContain('not one of the origins this client trusts');
      expect(idp.runtimeRequests()).toHaveLength(1);
      expect(foreign.requests).toHaveLength(0);
    });
  }

  it('a submit is not redirected within its own origin either (the document is sent once)', async () => {
    const { idp, client } = await setup((req, res) => {
      if (req.url.startsWith('/moved')) return json(res, 201, created);
      res.writeHead(308, { Location: `/moved${req.url}` });
      res.end();
    });
    const error = (await rejection(client.submitExecution(upload))) as IdpRedirectError;
    expect(error).toBeInstanceOf(IdpRedirectError);
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('a GET follows a redirect within the trusted origin, with its token, and reads the answer there', async () => {
    const { idp, client } = await setup((req, res) => {
      if (req.url.startsWith('/moved')) return json(res, 200, execution('SUCCEEDED'));
      res.writeHead(302, { Location: `/moved${req.url}` });
      res.end();
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    const [first, second] = idp.runtimeRequests();
    expect(second?.url).toBe(`/moved${first?.url}`);
    expect(second?.headers.authorization).toBe('Bearer tok-0');
  });

  it('a GET stops after 5 redirects', async () => {
    const { idp, client } = await setup((req, res) => {
      res.writeHead(307, { Location: `${req.url}&again=1` });
      res.end();
    });
    const error = (await rejection(client.getExecution(REF))) as IdpRedirectError;
    expect(error).toBeInstanceOf(IdpRedirectError);
    expect(error.message).toContain('more than 5 redirects');
    expect(idp.runtimeRequests()).toHaveLength(6);
  });
});

/** Streams `total` bytes of a JSON string (no Content-Length unless `declare`); counts what it wrote. */
function streamer(total: number, declare = false) {
  const sent = { bytes: 0, done: Promise.resolve() };
  const handler = (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      ...(declare ? { 'Content-Length': String(total) } : {}),
    });
    sent.done = (async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let closed = false;
      const gone = new Promise<void>((resolve) =>
        res.on('close', () => {
          closed = true;
          resolve();
        }),
      );
      while (!closed && sent.bytes < total) {
        sent.bytes += chunk.length;
        if (!res.write(chunk)) {
          await Promise.race([new Promise((resolve) => res.once('drain', resolve)), gone]);
        }
      }
      res.end();
    })();
  };
  return { sent, handler };
}

describe('a cap on answer bodies (issue 29, finding 9)', () => {
  const cap = 1024 * 1024;
  const huge = 256 * 1024 * 1024;

  it('a streamed body over maxResponseBytes: one request, a clear error, and reading stops near the cap', async () => {
    const { sent, handler } = streamer(huge);
    const { idp, client } = await setup(handler, { maxResponseBytes: cap });
    const error = (await rejection(client.getExecution(REF))) as IdpResponseTooLargeError;
    expect(error).toBeInstanceOf(IdpResponseTooLargeError);
    expect(error.limit).toBe(cap);
    expect(error.message).toMatch(
      /^getExecution: the answer \(HTTP 200\) is more than 1048576 bytes, over the limit of 1048576 bytes \(maxResponseBytes\); reading stopped there and the call was not retried/,
    );
    expect(idp.runtimeRequests()).toHaveLength(1);
    await sent.done;
    // What the server could push before the client hung up: the cap plus socket buffers, not 256 MB.
    expect(sent.bytes).toBeLessThan(cap + 16 * 1024 * 1024);
  });

  it('a Content-Length over the cap fails before the body is read', async () => {
    const { sent, handler } = streamer(huge, true);
    const { idp, client } = await setup(handler, { maxResponseBytes: cap });
    const error = (await rejection(client.getExecution(REF))) as IdpResponseTooLargeError;
    expect(error).toBeInstanceOf(IdpResponseTooLargeError);
    expect(error.message).toContain(`is ${huge} bytes (Content-Length)`);
    expect(idp.runtimeRequests()).toHaveLength(1);
    await sent.done;
    expect(sent.bytes).toBeLessThan(cap + 16 * 1024 * 1024);
  });

  it("a submit's answer over the cap is the cap's error (the execution may exist), not 'no id', and not re-POSTed", async () => {
    const { sent, handler } = streamer(huge);
    const { idp, client } = await setup(handler, { maxResponseBytes: cap });
    const error = await rejection(client.submitExecution(upload));
    expect(error).toBeInstanceOf(IdpResponseTooLargeError);
    expect(idp.runtimeRequests()).toHaveLength(1);
    await sent.done;
  });

  it('an error answer over the cap is refused the same way', async () => {
    const { idp, client } = await setup(
      (_req, res) => {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end('x'.repeat(4096));
      },
      { maxResponseBytes: 1000 },
    );
    expect(await rejection(client.getExecution(REF))).toBeInstanceOf(IdpResponseTooLargeError);
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('answers under the cap are read as before; a bad maxResponseBytes is refused', async () => {
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      maxResponseBytes: 4096,
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    await expect(setup(() => {}, { maxResponseBytes: 0 })).rejects.toThrow(
      /maxResponseBytes must be a whole number of bytes ≥ 1/,
    );
  });
});

describe('deeply nested JSON (issue 29)', () => {
  const depth = 100_000;
  const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('a 100k-deep result is a clear IdpApiError, not "Maximum call stack size exceeded"', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"status":"SUCCEEDED","results":${deep}}`);
    });
    const error = (await rejection(client.getExecution(REF))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.message).toContain('The body nests arrays or objects deeper than 512 levels');
    expect(error.message).not.toContain('call stack');
  });

  it('a 100k-deep review list is refused the same way', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(deep);
    });
    const error = (await rejection(client.listReviews())) as IdpApiError;
    expect(error.message).toContain('deeper than 512 levels');
  });

  it("a 100k-deep submit answer carries no readable id: the submit's own error, one POST", async () => {
    const { idp, client } = await setup((_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(`{"id":"${IDS.executionId}","documentName":"x.pdf","status":${deep}}`);
    });
    const error = (await rejection(client.submitExecution(upload))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.message).toContain('the answer carries no execution id');
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('brackets inside strings do not count, and normal answers pass', async () => {
    const text = `"${'['.repeat(5000)}\\"${'{'.repeat(5000)}"`;
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED', { note: text })));
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
  });

  it('a large answer that is not deep passes: 3,000 pages of values, boxes and tables', async () => {
    // About 30,000 brackets in all, never more than 7 open at once: a result with confidence and
    // geometry looks like this, and must never be taken for a deep one.
    const pages = Array.from({ length: 3000 }, (_, i) => ({
      page: i + 1,
      fields: { total: { value: `${i}`, confidenceScore: 0.9, geometry: [[0, 1], [2, 3], { x: 1 }] } },
      tables: [{ rows: [[{ value: 'a' }], [{ value: 'b' }]] }],
    }));
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED', { pages })));
    const result = await client.getExecution(REF, { valueOnly: false });
    expect(result.status).toBe('SUCCEEDED');
    expect((result as unknown as { pages: unknown[] }).pages).toHaveLength(3000);
  });

  it('512 levels deep passes; 513 is refused', async () => {
    // The answer's own object is one level: results nested n more is n + 1 in all. The shallow siblings
    // make more than 512 brackets in all, so that the depth is counted (not skipped as too few).
    const nested = (n: number) =>
      `{"status":"SUCCEEDED","siblings":[${Array(20).fill('[]').join(',')}],"results":${'['.repeat(n)}${']'.repeat(n)}}`;
    let body = nested(511);
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    expect((await client.getExecution(REF)).status).toBe('SUCCEEDED');
    body = nested(512);
    const error = (await rejection(client.getExecution(REF))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.message).toContain('deeper than 512 levels');
  });
});

describe('page iterators end (issue 29)', () => {
  const task = (page: number, i: number) => ({ docOperationId: `op-${page}-${i}`, documentName: 'x.pdf' });

  it('a server that answers the same full page for every page number: IdpPagingError after the second', async () => {
    const { idp, client } = await setup((_req, res) =>
      json(
        res,
        200,
        Array.from({ length: 20 }, (_, i) => task(0, i)),
      ),
    );
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const t of client.reviews()) seen.push(t.docOperationId);
      })(),
    );
    expect(error).toBeInstanceOf(IdpPagingError);
    expect((error as Error).message).toMatch(
      /^reviews: page 1 is the same as page 0: the server ignores the page parameter/,
    );
    expect(seen).toHaveLength(20);
    expect(idp.runtimeRequests()).toHaveLength(2);
  });

  it('a list with no end stops at maxPages with IdpPagingError', async () => {
    const { idp, client } = await setup((req, res) => {
      const page = Number(new URL(req.url, 'http://x').searchParams.get('page'));
      json(
        res,
        200,
        Array.from({ length: 5 }, (_, i) => task(page, i)),
      );
    });
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const t of client.reviews({ size: 5, maxPages: 3 })) seen.push(t.docOperationId);
      })(),
    );
    expect(error).toBeInstanceOf(IdpPagingError);
    expect((error as Error).message).toMatch(/^reviews: stopped after 3 pages of 5 \(maxPages\)/);
    expect(seen).toHaveLength(15);
    expect(idp.runtimeRequests()).toHaveLength(3);
  });

  it('the action iterators have the same guard; a bad maxPages is refused before sending', async () => {
    const { idp, client } = await setup((_req, res) =>
      json(res, 200, { actions: Array.from({ length: 20 }, (_, i) => ({ id: `a-${i}` })) }),
    );
    const error = await rejection(
      (async () => {
        for await (const _ of client.actions()) {
        }
      })(),
    );
    expect(error).toBeInstanceOf(IdpPagingError);
    expect(idp.runtimeRequests()).toHaveLength(2);
    const bad = await rejection(
      (async () => {
        for await (const _ of client.reviews({ maxPages: 0 })) {
        }
      })(),
    );
    expect(bad).toBeInstanceOf(IdpValidationError);
    expect(idp.runtimeRequests()).toHaveLength(2);
  });
});
