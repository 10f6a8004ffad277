// The fake IDP of the batch benches (testkit's, with batch-fake.ts's options) in its own process, and the ids they use.
import { startFakeIdpProcess } from '@idp-kit/testkit';

export const ORG = '01f79c97-9a83-4194-b922-15b64fd7305e';
export const ACTION = { actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766', actionVersion: '1.1.0' };

/** Starts the fake with these settings (LATENCY_MS, POLLS, RATE_LIMITED, UNAVAILABLE, LARGE). */
export async function startBatchFake(env: Record<string, string>) {
  const fake = await startFakeIdpProcess(new URL('./batch-fake.ts', import.meta.url), { env });
  return {
    baseUrl: fake.baseUrl,
    /** The counts the benches report: POSTs and GETs past the 429s, the faults, documents and busy time. */
    stats: async (): Promise<Record<string, number>> => {
      const s = await fake.stats();
      const rateLimited = (kind: 'submit' | 'poll') => s.faults[kind]?.['rate-limit'] ?? 0;
      return {
        post: s.requests.submit - rateLimited('submit'),
        get: s.requests.poll - rateLimited('poll'),
        rateLimited: rateLimited('submit') + rateLimited('poll'),
        unavailable: s.faults.poll?.['server-error'] ?? 0,
        documents: s.documents,
        maxPostsPerDocument: s.maxPostsPerDocument,
        busyMs: s.busyMs,
      };
    },
    /** When each request came, token requests included (the rate bench's windows). */
    arrivals: () => fake.arrivals(),
    stop: () => fake.stop(),
  };
}
