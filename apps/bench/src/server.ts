/**
 * The per-call bench's options for testkit's fake IDP, which server-process.ts runs in its own process
 * so that its work does not count against the measured side: canned bodies, keep-alive for a minute,
 * nothing recorded (it serves hundreds of thousands of requests). Its counters answer `stats()`.
 */
import type { FakeIdpOptions } from '@idp-kit/testkit';
import { IDS, largeBody, smallBody } from './bodies.js';

export default {
  canned: { [IDS.small]: smallBody(), [IDS.large]: largeBody() },
  keepAliveMs: 60_000,
  record: false,
} satisfies FakeIdpOptions;
