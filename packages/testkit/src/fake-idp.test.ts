import { afterEach, describe, expect, it } from 'vitest';
import { closeAfterTest } from './cleanup.js';
import { pdfBytes, tiffBytes } from './documents.js';
import { type FakeIdp, fakeIdp, IDS, TOKEN_PATH } from './fake-idp.js';
import type { FakeCallbackEvent, FakeIdpOptions } from './fake-idp-options.js';
import { loopback } from './loopback.js';
import { until } from './until.js';

const SUBMIT = `/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/${IDS.actionVersion}/executions`;

function submit(idp: FakeIdp, bytes: Uint8Array, fileName: string, callback?: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), fileName);
  if (callback !== undefined) form.append('callback', JSON.stringify({ noAuthUrl: callback }));
  return fetch(`${idp.baseUrl}${SUBMIT}`, { method: 'POST', body: form });
}

async function submitted(idp: FakeIdp, bytes: Uint8Array, fileName: string, callback?: string) {
  const res = await submit(idp, bytes, fileName, callback);
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; documentName: string; status: string };
}

async function poll(idp: FakeIdp, id: string) {
  const res = await fetch(`${idp.baseUrl}${SUBMIT}/${id}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function start(options: FakeIdpOptions = {}) {
  return closeAfterTest(await fakeIdp(options));
}

describe('fakeIdp: submits and executions', () => {
  it('issues tokens tok-0, tok-1, … and counts them apart from the API', async () => {
    const idp = await start();
    for (const n of [0, 1]) {
      const res = await fetch(idp.tokenUrl, { method: 'POST', body: 'grant_type=client_credentials' });
      expect(await res.json()).toMatchObject({ access_token: `tok-${n}`, expires_in: 3600 });
    }
    expect(idp.stats().requests).toEqual({ token: 2, submit: 0, poll: 0, other: 0 });
    expect(idp.tokenRequests()).toHaveLength(2);
  });

  it('a multipart submit creates an execution: documents by content hash, pages counted (PDF and TIFF)', async () => {
    const idp = await start();
    const first = await submitted(idp, pdfBytes(3), 'three.pdf');
    expect(first).toMatchObject({ documentName: 'three.pdf', status: 'ACKNOWLEDGED' });
    await submitted(idp, pdfBytes(3), 'again.pdf');
    await submitted(idp, tiffBytes(4), 'four.tiff');
    const stats = idp.stats();
    expect(stats).toMatchObject({ executions: 3, documents: 2, maxPostsPerDocument: 2, pages: 10 });
    expect(idp.documents().map((d) => [d.fileName, d.pages, d.version, d.actionId])).toEqual([
      ['three.pdf', 3, IDS.actionVersion, IDS.actionId],
      ['again.pdf', 3, IDS.actionVersion, IDS.actionId],
      ['four.tiff', 4, IDS.actionVersion, IDS.actionId],
    ]);
  });

  it('an execution is IN_PROGRESS until its Nth poll, then SUCCEEDED with fields; an unknown id is 404', async () => {
    const idp = await start({ polls: 3 });
    const { id } = await submitted(idp, pdfBytes(1), 'a.pdf');
    expect((await poll(idp, id)).body).toEqual({ id, documentName: 'a.pdf', status: 'IN_PROGRESS' });
    expect((await poll(idp, id)).body.status).toBe('IN_PROGRESS');
    expect((await poll(idp, id)).body).toEqual({
      id,
      documentName: 'a.pdf',
      status: 'SUCCEEDED',
      fields: { total: { value: '=a.pdf' } },
    });
    expect((await poll(idp, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('FAILED carries no results; review holds MANUAL_VALIDATION_REQUIRED until approved', async () => {
    let approved = false;
    const idp = await start({
      polls: 1,
      finalStatus: (d) => (d.fileName === 'bad.pdf' ? 'FAILED' : 'SUCCEEDED'),
      statusMessage: (d) => (d.fileName === 'bad.pdf' ? 'unreadable scan' : undefined),
      review: (d) => d.fileName === 'check.pdf',
      approved: () => approved,
      fields: (_d, inReview) => ({ total: { value: inReview ? '?' : '12.00' } }),
    });
    const bad = await submitted(idp, pdfBytes(1), 'bad.pdf');
    expect((await poll(idp, bad.id)).body).toEqual({
      id: bad.id,
      documentName: 'bad.pdf',
      status: 'FAILED',
      statusMessage: 'unreadable scan',
    });
    const check = await submitted(idp, pdfBytes(2), 'check.pdf');
    expect((await poll(idp, check.id)).body).toMatchObject({
      status: 'MANUAL_VALIDATION_REQUIRED',
      fields: { total: { value: '?' } },
    });
    approved = true;
    expect((await poll(idp, check.id)).body).toMatchObject({
      status: 'SUCCEEDED',
      fields: { total: { value: '12.00' } },
    });
  });

  it('settles on time rather than polls with settleAfterMs (on the fake clock it is given)', async () => {
    let clock = 1_000;
    const idp = await start({ now: () => clock, settleAfterMs: () => 500 });
    const { id } = await submitted(idp, pdfBytes(1), 'a.pdf');
    for (let i = 0; i < 5; i++) expect((await poll(idp, id)).body.status).toBe('IN_PROGRESS');
    clock += 500;
    expect((await poll(idp, id)).body.status).toBe('SUCCEEDED');
  });

  it('resultPages is spliced into every settled result; canned executions answer their bytes at once', async () => {
    const canned = '{"id":"canned","status":"SUCCEEDED"}';
    const idp = await start({ polls: 1, resultPages: '[{"page":1,"words":["a"]}]', canned: { canned } });
    const { id } = await submitted(idp, pdfBytes(1), 'a.pdf');
    expect((await poll(idp, id)).body.pages).toEqual([{ page: 1, words: ['a'] }]);
    const res = await fetch(`${idp.baseUrl}${SUBMIT}/canned`);
    expect(await res.text()).toBe(canned);
    expect(res.headers.get('content-length')).toBe(String(canned.length));
  });

  it('the older form: a runtime handler answers everything but the token endpoint', async () => {
    const idp = await fakeIdp((_req, res, index) => {
      res.end(String(index));
    });
    try {
      expect(await (await fetch(`${idp.baseUrl}/x`)).text()).toBe('0');
      expect(await (await fetch(`${idp.baseUrl}/y`)).text()).toBe('1');
      expect(idp.runtimeRequests().map((r) => r.url)).toEqual(['/x', '/y']);
    } finally {
      await idp.close();
    }
  });
});

describe('fakeIdp: faults', () => {
  it('429 with and without Retry-After; a rate-limited submit creates nothing', async () => {
    const idp = await start({
      fault: (r) =>
        r.kind !== 'submit'
          ? undefined
          : r.index === 0
            ? { type: 'rate-limit', retryAfter: 2 }
            : r.index === 1
              ? { type: 'rate-limit' }
              : undefined,
    });
    const first = await submit(idp, pdfBytes(1), 'a.pdf');
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '2']);
    const second = await submit(idp, pdfBytes(1), 'a.pdf');
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, null]);
    expect((await submit(idp, pdfBytes(1), 'a.pdf')).status).toBe(201);
    expect(idp.stats()).toMatchObject({ executions: 1, faults: { submit: { 'rate-limit': 2 } } });
  });

  it('5xx and unreadable 2xx before acting; after a submit was created, the server acted anyway', async () => {
    const idp = await start({
      fault: (r) => (r.kind === 'poll' && r.index === 0 ? { type: 'server-error', status: 500 } : undefined),
      faultAfterSubmit: (r) => (r.index === 0 ? { type: 'unreadable' } : { type: 'server-error' }),
    });
    const unreadable = await submit(idp, pdfBytes(1), 'a.pdf');
    expect([unreadable.status, unreadable.headers.get('content-type')]).toEqual([200, 'text/html']);
    expect((await submit(idp, pdfBytes(2), 'b.pdf')).status).toBe(503);
    expect(idp.stats().executions).toBe(2);
    const [created] = idp.documents();
    expect((await poll(idp, created?.id ?? '')).status).toBe(500);
    expect((await poll(idp, created?.id ?? '')).status).toBe(200);
  });

  it('a stalled request is never answered; the client gives up; a cut one fails at once', async () => {
    const arrived: number[] = [];
    const idp = await start({
      onRequest: (r) => {
        arrived.push(r.count);
      },
      fault: (r) => (r.kind === 'poll' ? (r.index === 0 ? { type: 'stall' } : { type: 'cut' }) : undefined),
    });
    const abort = new AbortController();
    const stalled = fetch(`${idp.baseUrl}${SUBMIT}/x`, { signal: abort.signal }).catch((e: Error) => e.name);
    await until(() => arrived.length === 1, 'the stalled request to arrive');
    abort.abort();
    expect(await stalled).toBe('AbortError');
    await expect(fetch(`${idp.baseUrl}${SUBMIT}/x`)).rejects.toThrow(/fetch failed/);
    expect(idp.stats().faults.poll).toEqual({ stall: 1, cut: 1 });
  });
});

describe('fakeIdp: per version', () => {
  const versioned = (version: string) =>
    SUBMIT.replace(`/versions/${IDS.actionVersion}/`, `/versions/${version}/`);

  it('fields see the version a document was submitted to; onRequest holds one version’s polls until released', async () => {
    const held: Array<() => void> = [];
    const idp = await start({
      polls: 1,
      fields: (doc) => ({ total: { value: `${doc.version} ${doc.fileName}` } }),
      onRequest: (r) =>
        r.kind === 'poll' && r.document?.version === '1.2.0'
          ? new Promise<void>((resolve) => held.push(resolve))
          : undefined,
    });
    const ids: Record<string, string> = {};
    for (const version of ['1.1.0', '1.2.0']) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(pdfBytes(1))], { type: 'application/pdf' }), 'a.pdf');
      const res = await fetch(`${idp.baseUrl}${versioned(version)}`, { method: 'POST', body: form });
      ids[version] = ((await res.json()) as { id: string }).id;
    }
    expect(idp.documents().map((d) => d.version)).toEqual(['1.1.0', '1.2.0']);
    expect((await poll(idp, ids['1.1.0'] ?? '')).body.fields).toEqual({ total: { value: '1.1.0 a.pdf' } });
    const answered = poll(idp, ids['1.2.0'] ?? '');
    await until(() => held.length === 1, 'the 1.2.0 poll to be held');
    expect(idp.polls.get(ids['1.2.0'] ?? '')).toBeUndefined(); // held before it is counted
    for (const release of held) release();
    expect((await answered).body.fields).toEqual({ total: { value: '1.2.0 a.pdf' } });
  });
});

describe('fakeIdp: callbacks', () => {
  const receivers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
  });

  async function receiver() {
    const server = await loopback((_req, res) => {
      res.writeHead(204).end();
    });
    receivers.push(server);
    return server;
  }

  it('PATCHes the submitted callback URL once when the execution settles, with its ids', async () => {
    const target = await receiver();
    const events: FakeCallbackEvent[] = [];
    const idp = await start({ polls: 2, onCallback: (e) => events.push(e) });
    const { id } = await submitted(idp, pdfBytes(1), 'a.pdf', `${target.url}/done?nonce=1`);
    await poll(idp, id);
    expect(events).toEqual([]);
    await poll(idp, id);
    await poll(idp, id);
    await until(() => events.length === 1, 'the callback');
    expect(target.requests.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ['PATCH', '/done?nonce=1', { executionId: id, actionId: IDS.actionId, version: IDS.actionVersion }],
    ]);
    expect(events[0]).toMatchObject({
      n: 0,
      executionId: id,
      status: 'SUCCEEDED',
      outcome: 'sent',
      answer: 204,
    });
  });

  it('settled on time, it calls back without being polled; lost ones are never sent, non-loopback ones refused', async () => {
    const target = await receiver();
    const events: FakeCallbackEvent[] = [];
    const idp = await start({
      settleAfterMs: () => 0,
      callbacks: { lost: [1] },
      onCallback: (e) => events.push(e),
    });
    await submitted(idp, pdfBytes(1), 'a.pdf', `${target.url}/a`);
    await until(() => events.length === 1, 'the first callback');
    await submitted(idp, pdfBytes(2), 'b.pdf', `${target.url}/b`);
    await until(() => events.length === 2, 'the second callback');
    await submitted(idp, pdfBytes(3), 'c.pdf', 'http://idp-callbacks.example/c');
    await until(() => events.length === 3, 'the third callback');
    expect(events.map((e) => e.outcome)).toEqual(['sent', 'lost', 'refused']);
    expect(target.requests.map((r) => r.url)).toEqual(['/a']);
    expect(idp.stats().callbacks).toEqual({ sent: 1, lost: 1, refused: 1, failed: 0 });
  });

  it('lossRate loses about that share, the same ones for the same seed', async () => {
    async function outcomes(seed: number) {
      const target = await receiver();
      const events: FakeCallbackEvent[] = [];
      const idp = await start({
        polls: 1,
        callbacks: { lossRate: 0.5, seed },
        onCallback: (e) => events.push(e),
      });
      for (let i = 0; i < 20; i++) {
        const { id } = await submitted(
          idp,
          pdfBytes(1, { text: `doc ${i}` }),
          `d${i}.pdf`,
          `${target.url}/${i}`,
        );
        await poll(idp, id);
      }
      await until(() => events.length === 20, 'every callback');
      return events.map((e) => e.outcome);
    }
    const first = await outcomes(7);
    expect(await outcomes(7)).toEqual(first);
    const lost = first.filter((o) => o === 'lost').length;
    expect(lost).toBeGreaterThan(3);
    expect(lost).toBeLessThan(17);
  });
  it("when: 'accepted' calls back once the submit is answered, settled or not; fate sends, loses or holds each document's", async () => {
    const target = await receiver();
    const events: FakeCallbackEvent[] = [];
    const fates = { 'a.pdf': 'send', 'b.pdf': 'lose', 'c.pdf': 'hold' } as const;
    const idp = await start({
      polls: 2,
      callbacks: { when: 'accepted', fate: (d) => fates[d.fileName as keyof typeof fates] },
      onCallback: (e) => events.push(e),
    });
    const a = await submitted(idp, pdfBytes(1), 'a.pdf', `${target.url}/a`);
    await until(() => events.length === 1, 'the first callback');
    // Sent before any poll: the execution is still running, and a poll says so.
    expect(events[0]).toMatchObject({
      executionId: a.id,
      status: 'IN_PROGRESS',
      outcome: 'sent',
      answer: 204,
    });
    expect((await poll(idp, a.id)).body.status).toBe('IN_PROGRESS');
    await poll(idp, a.id); // settles now: its callback fell due once, not again
    const b = await submitted(idp, pdfBytes(2), 'b.pdf', `${target.url}/b`);
    await until(() => events.length === 2, 'the lost callback');
    const c = await submitted(idp, pdfBytes(3), 'c.pdf', `${target.url}/c`);
    await poll(idp, c.id);
    await poll(idp, c.id);
    expect(events.map((e) => [e.executionId, e.outcome])).toEqual([
      [a.id, 'sent'],
      [b.id, 'lost'],
    ]);
    expect(target.requests.map((r) => r.url)).toEqual(['/a']);
    expect([...idp.polls]).toEqual([
      [a.id, 2],
      [c.id, 2],
    ]);
    expect(idp.documents().map((d) => d.callbackUrl)).toEqual(
      ['a', 'b', 'c'].map((n) => `${target.url}/${n}`),
    );
  });

  it('sendCallback sends on demand, as often as asked, with another body or to another URL, through route; loopback only', async () => {
    const elsewhere = await receiver();
    const target = await loopback((req, res) => {
      res.writeHead(req.url === '/forbidden' ? 403 : 204).end();
    });
    receivers.push(target);
    const events: FakeCallbackEvent[] = [];
    const idp = await start({
      polls: 1,
      callbacks: { fate: () => 'hold', route: (url) => url.replace('/moved', `${elsewhere.url}/moved`) },
      onCallback: (e) => events.push(e),
    });
    const { id } = await submitted(idp, pdfBytes(1), 'a.pdf', `${target.url}/a?nonce=1`);
    await poll(idp, id); // settled: held, so nothing is sent
    expect(await idp.sendCallback(id)).toBe(204);
    expect(await idp.sendCallback(id)).toBe(204);
    expect(await idp.sendCallback(id, { body: { executionId: 'x', status: 'SUCCEEDED' } })).toBe(204);
    expect(await idp.sendCallback(id, { url: `${target.url}/forbidden` })).toBe(403);
    expect(await idp.sendCallback(id, { url: '/moved' })).toBe(204);
    const ids = { executionId: id, actionId: IDS.actionId, version: IDS.actionVersion };
    expect(target.requests.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ['PATCH', '/a?nonce=1', ids],
      ['PATCH', '/a?nonce=1', ids],
      ['PATCH', '/a?nonce=1', { executionId: 'x', status: 'SUCCEEDED' }],
      ['PATCH', '/forbidden', ids],
    ]);
    expect(elsewhere.requests.map((r) => r.url)).toEqual(['/moved']);
    // The fake's own callbacks are what fell due: none here, all held.
    expect(events).toEqual([]);
    expect(idp.stats().callbacks).toEqual({ sent: 0, lost: 0, refused: 0, failed: 0 });
    await expect(idp.sendCallback(id, { url: 'http://idp-callbacks.example/a' })).rejects.toThrow(
      /loopback URLs only; idp-callbacks\.example is not one/,
    );
    await expect(idp.sendCallback('nope')).rejects.toThrow(/no execution nope/);
  });
});

describe('fakeIdp: counters over time', () => {
  it('counts requests per 10 s window and in the busiest 10 s, on the fake clock', async () => {
    let clock = 0;
    const idp = await start({ now: () => clock });
    for (const at of [0, 1_000, 9_999, 10_000, 25_000, 26_000, 34_000]) {
      clock = at;
      await fetch(`${idp.baseUrl}${SUBMIT}/x`);
    }
    await fetch(`${idp.baseUrl}${TOKEN_PATH}`, { method: 'POST' }); // not counted: not the API
    expect(idp.perWindow(10_000)).toEqual([3, 1, 2, 1]);
    expect(idp.busiestWindow(10_000)).toBe(3);
    expect(idp.log().map((e) => e.at)).toEqual([0, 1_000, 9_999, 10_000, 25_000, 26_000, 34_000, 34_000]);
    idp.reset();
    expect(idp.stats().requests).toEqual({ token: 0, submit: 0, poll: 0, other: 0 });
  });
});
