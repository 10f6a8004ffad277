import { randomUUID } from 'node:crypto';
import { createIdpClient } from '@idp-kit/client';
import { type FakeIdp, fakeIdp, IDS, json } from '@idp-kit/testkit';
import { afterAll, describe, expect, it } from 'vitest';

// Scaled clock: 1 s here stands for 10 s of service time. Executions settle within 3 s (30 s scaled).
const EXECUTIONS = 200;
const SETTLE_WITHIN_MS = 3_000;
const POLL_MS = 200;
const FINALS = ['SUCCEEDED', 'FAILED', 'PARTIAL_SUCCESS'] as const;

describe('load: 200 concurrent waits under 429/503 and a forced token expiry', () => {
  let idp: FakeIdp;
  afterAll(() => idp?.close());

  it('every wait resolves with the right status; one re-auth; no execution polled faster than the floor', async () => {
    const start = Date.now();
    const plan = new Map<string, { settleAt: number; final: string; polls: number[] }>(
      Array.from({ length: EXECUTIONS }, (_, i) => [
        randomUUID(),
        {
          settleAt: start + Math.random() * SETTLE_WITHIN_MS,
          final: FINALS[i % FINALS.length] ?? 'SUCCEEDED',
          polls: [] as number[],
        },
      ]),
    );
    let faults = 0;
    let revokedAfter = Number.POSITIVE_INFINITY;
    idp = await fakeIdp((req, res) => {
      // one forced token expiry, 1.5 s in: tok-0 stops working
      if (Date.now() - start > 1_500 && revokedAfter === Number.POSITIVE_INFINITY) revokedAfter = Date.now();
      if (Date.now() >= revokedAfter && req.headers.authorization === 'Bearer tok-0') {
        return json(res, 401, { status: 401, title: 'Unauthorized' });
      }
      const roll = Math.random();
      if (roll < 0.05) {
        faults++;
        return json(res, 429, { status: 429, title: 'Too Many Requests' }, { 'Retry-After': '0' });
      }
      if (roll < 0.1) {
        faults++;
        return json(res, 503, { status: 503, title: 'Service Unavailable' });
      }
      const id = /executions\/([0-9a-f-]{36})/.exec(req.url)?.[1] ?? '';
      const entry = plan.get(id);
      if (!entry) return json(res, 404, { status: 404, title: 'Not Found' });
      entry.polls.push(Date.now());
      const status = Date.now() >= entry.settleAt ? entry.final : 'IN_PROGRESS';
      return json(res, 200, { id, documentName: 'doc.pdf', status });
    });
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: idp.baseUrl,
      auth: { clientId: 'load', clientSecret: 'load-secret', tokenUrl: idp.tokenUrl },
      retry: { maxRetries: 5, baseDelayMs: 20, maxDelayMs: 200 },
    });
    const rssBefore = process.memoryUsage().rss;
    const results = await Promise.all(
      [...plan.keys()].map((executionId) =>
        client.waitForExecution(
          { actionId: IDS.actionId, actionVersion: IDS.actionVersion, executionId },
          { pollIntervalMs: POLL_MS, maxPollIntervalMs: 2 * POLL_MS },
        ),
      ),
    );
    const rssAfter = process.memoryUsage().rss;

    expect(results.map((r) => r.status)).toEqual([...plan.values()].map((entry) => entry.final));
    expect(idp.tokenRequests()).toHaveLength(2); // 1 + the forced refresh
    let minGap = Number.POSITIVE_INFINITY;
    for (const { polls } of plan.values()) {
      for (let i = 1; i < polls.length; i++) minGap = Math.min(minGap, (polls[i] ?? 0) - (polls[i - 1] ?? 0));
    }
    // successful polls of one execution are never closer than the floor, less the 10% jitter
    expect(minGap).toBeGreaterThanOrEqual(POLL_MS * 0.9 - 5);
    const polls = [...plan.values()].reduce((n, e) => n + e.polls.length, 0);
    const report = {
      executions: EXECUTIONS,
      seconds: (Date.now() - start) / 1000,
      runtimeRequests: idp.runtimeRequests().length,
      successfulPolls: polls,
      injectedFaults: faults,
      tokenRequests: idp.tokenRequests().length,
      minGapBetweenPollsMs: minGap,
      rssGrowthMiB: Math.round(((rssAfter - rssBefore) / 1024 / 1024) * 10) / 10,
    };
    console.log(`load figures: ${JSON.stringify(report)}`);
    expect(report.rssGrowthMiB).toBeLessThan(150);
  });
});
