import { describe, expect, it } from 'vitest';
import { FOOTPRINT_BUDGET_BYTES, footprint } from './footprint.js';
import { pollingCost } from './polling.js';

// Deterministic figures only (counts and bytes): timings are reported by `pnpm bench`, never asserted.
describe('bench figures that do not depend on the machine', () => {
  it('polling: never more requests than a fixed 10 s poll, detection within the interval, 2 h well under 250', async () => {
    const rows = await pollingCost();
    for (const row of rows) {
      expect(row.requests).toBeLessThanOrEqual(row.fixed10sRequests);
      expect(row.detectionDelayS).toBeLessThanOrEqual(row.intervalInForceS);
      expect(row.intervalInForceS).toBeGreaterThanOrEqual(10);
    }
    expect(rows.find((r) => r.settlesAfterS === 7200)?.requests).toBeLessThan(130);
  });

  it('footprint: client + auth + openapi-fetch stay within FOOTPRINT_BUDGET_BYTES min+gz', async () => {
    const size = await footprint(1);
    expect(size.clientMinGzBytes).toBeLessThanOrEqual(FOOTPRINT_BUDGET_BYTES);
    expect(size.clientMinGzBytes).toBeGreaterThan(size.openapiFetchMinGzBytes);
  });
});
