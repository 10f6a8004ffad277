/**
 * The batch benches' options for testkit's fake IDP, run in its own process by batch-fake-process.ts
 * (so that its memory is not the engine's): every answer after `LATENCY_MS`, a seeded 2 % of requests
 * answered 429 (no Retry-After, as the service), 1 % of polls 503, executions SUCCEEDED after `POLLS`
 * polls. LARGE=1: every SUCCEEDED result carries the 150-page one's scores and geometry (~2.6 MB,
 * --confidence).
 */
import type { FakeIdpOptions } from '@idp-kit/testkit';
import { largeBody } from './bodies.js';

const RATE_LIMITED = Number(process.env.RATE_LIMITED ?? 0.02);
const UNAVAILABLE = Number(process.env.UNAVAILABLE ?? 0.01);

let seed = 20261202;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

export default {
  latencyMs: Number(process.env.LATENCY_MS ?? 50),
  polls: Number(process.env.POLLS ?? 3),
  fields: () => ({ total: { value: '1.00' } }),
  ...(process.env.LARGE === '1' ? { resultPages: JSON.stringify(JSON.parse(largeBody()).pages) } : {}),
  // The same draws in the same order as before: one per request, a second one for a poll.
  fault: (request) => {
    if (random() < RATE_LIMITED) return { type: 'rate-limit' };
    if (request.kind === 'poll' && random() < UNAVAILABLE) return { type: 'server-error', status: 503 };
    return undefined;
  },
  now: () => performance.now(),
  record: false,
} satisfies FakeIdpOptions;
