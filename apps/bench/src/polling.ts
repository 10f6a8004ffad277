/**
 * Section 3: what waiting costs. `waitForExecution` with its defaults, against the real MuleSoft base URL
 * (so the 10 s floor applies), with a `fetch` that answers from a fake clock: executions settle after T,
 * and two hours take milliseconds. No request leaves the process.
 */
import { createIdpClient } from '@idp-kit/client';
import { IDS } from './bodies.js';
import { withFakeClock } from './fake-clock.js';

export interface PollingRow {
  settlesAfterS: number;
  requests: number;
  fixed10sRequests: number;
  detectionDelayS: number;
  /** The interval in force when it settled: the detection delay must not exceed it. */
  intervalInForceS: number;
}

export async function pollingCost(): Promise<PollingRow[]> {
  const rows: PollingRow[] = [];
  for (const seconds of [5, 60, 600, 7200]) {
    rows.push(
      await withFakeClock(async (clock) => {
        const start = clock.now;
        const settleAt = start + seconds * 1000;
        const polls: number[] = [];
        const fakeFetch = (async () => {
          polls.push(clock.now);
          const status = clock.now >= settleAt ? 'SUCCEEDED' : 'IN_PROGRESS';
          return Response.json({ id: IDS.small, documentName: 'x.pdf', status });
        }) as typeof fetch;
        const client = createIdpClient({
          organizationId: IDS.organizationId,
          region: 'us-east-1',
          auth: { getToken: async () => 'fake', invalidate: () => {} },
          fetch: fakeFetch,
        });
        const done = client.waitForExecution({
          actionId: IDS.actionId,
          actionVersion: IDS.actionVersion,
          executionId: IDS.small,
        });
        await clock.runAllAsync();
        await done;
        const last = polls.at(-1) ?? start;
        const previous = polls.at(-2) ?? start;
        return {
          settlesAfterS: seconds,
          requests: polls.length,
          fixed10sRequests: Math.ceil(seconds / 10) + 1,
          detectionDelayS: (last - settleAt) / 1000,
          intervalInForceS: (last - previous) / 1000,
        };
      }),
    );
  }
  return rows;
}
