/**
 * The fake IDP's counters and request times: cheap to keep for a long bench (numbers, no bodies) and
 * read as JSON from another process.
 */
import type { FakeCallbackEvent, FakeFault, FakeIdpStats, FakeRequestKind } from './fake-idp-options.js';

/** One request as the log keeps it: what and when (the fake's clock, ms). */
export interface FakeLogEntry {
  kind: FakeRequestKind;
  method: string;
  at: number;
}

export function fakeCounters() {
  let stats = empty();
  let log: FakeLogEntry[] = [];
  const posts = new Map<string, number>();
  const polls = new Map<string, number>();
  let firstAt: number | undefined;
  let lastAt: number | undefined;

  return {
    posts,
    polls,
    get log(): readonly FakeLogEntry[] {
      return log;
    },
    arrived(entry: FakeLogEntry): void {
      stats.requests[entry.kind]++;
      log.push(entry);
      if (entry.kind !== 'token') firstAt ??= entry.at;
    },
    answered(at: number): void {
      lastAt = at;
    },
    faulted(kind: FakeRequestKind, type: FakeFault['type']): void {
      const byType = stats.faults[kind] ?? {};
      byType[type] = (byType[type] ?? 0) + 1;
      stats.faults[kind] = byType;
    },
    accepted(hash: string, pages: number): void {
      stats.executions++;
      stats.pages += pages;
      posts.set(hash, (posts.get(hash) ?? 0) + 1);
    },
    polled(executionId: string): void {
      polls.set(executionId, (polls.get(executionId) ?? 0) + 1);
    },
    calledBack(outcome: FakeCallbackEvent['outcome']): void {
      stats.callbacks[outcome]++;
    },
    stats(): FakeIdpStats {
      return {
        ...structuredClone(stats),
        documents: posts.size,
        maxPostsPerDocument: Math.max(0, ...posts.values()),
        busyMs: firstAt !== undefined && lastAt !== undefined ? Math.max(0, lastAt - firstAt) : 0,
      };
    },
    reset(): void {
      stats = empty();
      log = [];
      posts.clear();
      polls.clear();
      firstAt = undefined;
      lastAt = undefined;
    },
  };
}

function empty(): FakeIdpStats {
  return {
    requests: { token: 0, submit: 0, poll: 0, other: 0 },
    faults: {},
    executions: 0,
    documents: 0,
    maxPostsPerDocument: 0,
    pages: 0,
    callbacks: { sent: 0, lost: 0, refused: 0, failed: 0 },
    busyMs: 0,
  };
}

const API: readonly FakeRequestKind[] = ['submit', 'poll', 'other'];

/**
 * Requests of `kinds` (default all but token requests) in each consecutive window of `windowMs`,
 * from the first one's window: `[12, 9, 0, 3]`.
 */
export function perWindow(log: readonly FakeLogEntry[], windowMs: number, kinds = API): number[] {
  const times = log.filter((e) => kinds.includes(e.kind)).map((e) => e.at);
  if (times.length === 0) return [];
  const start = times[0] as number;
  const counts: number[] = [];
  for (const at of times) {
    const slot = Math.floor((at - start) / windowMs);
    while (counts.length <= slot) counts.push(0);
    counts[slot] = (counts[slot] ?? 0) + 1;
  }
  return counts;
}

/** The most requests of `kinds` in any span of `windowMs` (a sliding window, not aligned to a start). */
export function busiestWindow(log: readonly FakeLogEntry[], windowMs: number, kinds = API): number {
  const times = log.filter((e) => kinds.includes(e.kind)).map((e) => e.at);
  let most = 0;
  for (let from = 0, to = 0; to < times.length; to++) {
    while ((times[to] as number) - (times[from] as number) >= windowMs) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
}
