import { inspect } from 'node:util';
import { until } from '@idp-kit/testkit';
import { describe, expect, it, vi } from 'vitest';
import { tokenCycle } from '../src/index.js';

describe('tokenCycle over any token source', () => {
  it('one fetch for 1,000 concurrent callers; refresh in the window; invalidate after a 401', async () => {
    let calls = 0;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.now();
      const auth = tokenCycle(
        async () => {
          calls++;
          return { token: `vault-${calls}`, issuedAt: Date.now(), expiresAt: Date.now() + 60_000 };
        },
        { refreshBeforeExpiryMs: 10_000, describe: { source: 'vault' } },
      );
      const tokens = await Promise.all(Array.from({ length: 1000 }, () => auth.getToken()));
      expect(new Set(tokens)).toEqual(new Set(['vault-1']));
      expect(calls).toBe(1);
      vi.setSystemTime(start + 50_000); // inside the window: served the valid token, refreshed behind it
      expect(await auth.getToken()).toBe('vault-1');
      await until(() => calls === 2, 'the background refresh');
      await new Promise((resolve) => setImmediate(resolve)); // let it land
      expect(await auth.getToken()).toBe('vault-2');
      auth.invalidate('vault-2');
      expect(await auth.getToken()).toBe('vault-3');
      expect(inspect(auth)).toBe('TokenProvider {"source":"vault"}');
    } finally {
      vi.useRealTimers();
    }
  });
});
