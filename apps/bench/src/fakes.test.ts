import { pdfBytes } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { ACTION, ORG, startBatchFake } from './batch-fake-process.js';
import { IDS, smallBody } from './bodies.js';
import { startServer } from './server-process.js';

// The benches' fakes are testkit's fake IDP in a child process: these check the wiring and the counts
// the benches report, not timings.
describe("the benches' fake IDPs (testkit's, in a child process)", () => {
  it('per-call server: canned bodies, 404 for others, token and runtime requests counted, reset', async () => {
    const server = await startServer();
    try {
      const base = `${server.baseUrl}/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/${IDS.actionVersion}/executions`;
      expect(await (await fetch(`${base}/${IDS.small}?valueOnly=true`)).text()).toBe(smallBody());
      expect((await fetch(`${base}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
      const token = await fetch(`${server.baseUrl}/accounts/api/v2/oauth2/token`, {
        method: 'POST',
        body: 'x',
      });
      expect(((await token.json()) as { access_token: string }).access_token).toMatch(/^tok-/);
      expect(await server.stats()).toEqual({ tokenRequests: 1, runtimeRequests: 2 });
      await server.reset();
      expect(await server.stats()).toEqual({ tokenRequests: 0, runtimeRequests: 0 });
    } finally {
      server.stop();
    }
  });

  it('batch fake: POSTs per document, GETs until SUCCEEDED after POLLS, seeded 429s counted apart', async () => {
    const quiet = await startBatchFake({ LATENCY_MS: '0', POLLS: '2', RATE_LIMITED: '0', UNAVAILABLE: '0' });
    const limited = await startBatchFake({
      LATENCY_MS: '0',
      POLLS: '2',
      RATE_LIMITED: '1',
      UNAVAILABLE: '0',
    });
    try {
      const path = `/api/v1/organizations/${ORG}/actions/${ACTION.actionId}/versions/${ACTION.actionVersion}/executions`;
      const form = () => {
        const body = new FormData();
        body.append('file', new Blob([new Uint8Array(pdfBytes(2))], { type: 'application/pdf' }), 'doc.pdf');
        return body;
      };
      const created = await fetch(`${quiet.baseUrl}${path}`, { method: 'POST', body: form() });
      const { id } = (await created.json()) as { id: string };
      const statuses = [];
      for (let i = 0; i < 2; i++)
        statuses.push(
          ((await (await fetch(`${quiet.baseUrl}${path}/${id}`)).json()) as { status: string }).status,
        );
      expect(statuses).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
      // The rate bench's windows: one time per request, in order.
      const arrivals = await quiet.arrivals();
      expect(arrivals).toHaveLength(3);
      expect([...arrivals].sort((a, b) => a - b)).toEqual(arrivals);
      expect(await quiet.stats()).toMatchObject({
        post: 1,
        get: 2,
        rateLimited: 0,
        unavailable: 0,
        documents: 1,
        maxPostsPerDocument: 1,
      });
      expect((await fetch(`${limited.baseUrl}${path}`, { method: 'POST', body: form() })).status).toBe(429);
      expect(await limited.stats()).toMatchObject({ post: 0, get: 0, rateLimited: 1, documents: 0 });
    } finally {
      quiet.stop();
      limited.stop();
    }
  });
});
