/** Sections 1 and 2: per-call overhead against raw fetch, and the cost of auth. */
import { clientCredentials, type TokenProvider } from '@idp-kit/auth';
import { createIdpClient, type paths } from '@idp-kit/client';
import createClient from 'openapi-fetch';
import { IDS } from './bodies.js';
import { type LoadResult, load, median, spread } from './load.js';
import type { BenchServer } from './server-process.js';

const TOKEN = 'bench-token';
const UA = 'idp-kit-bench';
const fixed: TokenProvider = { getToken: async () => TOKEN, invalidate: () => {} };
const PATH =
  '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}';

export interface SideFigures {
  rps: number;
  rpsSpread: { min: number; max: number };
  p50: number;
  p99: number;
  cpuPerRequestUs: number;
}

export interface OverheadRow {
  body: 'small' | 'large';
  bodyBytes: number;
  concurrency: number;
  rounds: number;
  requestsPerRound: number;
  raw: SideFigures;
  client: SideFigures;
  openapiFetch: SideFigures;
  /** Raw fetch with the same per-attempt timeout the client has (an AbortController, a timer, the signal). */
  rawWithTimeout: SideFigures;
  /** client rps / raw rps, median of per-round ratios. */
  ratio: number;
  /** client rps / raw-with-timeout rps: what the client costs beyond the timeout itself. */
  ratioVsTimeout: number;
  ratioSpread: { min: number; max: number };
  target: number;
}

function figures(results: LoadResult[]): SideFigures {
  return {
    rps: median(results.map((r) => r.rps)),
    rpsSpread: spread(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    cpuPerRequestUs: median(results.map((r) => r.cpuPerRequestUs)),
  };
}

export async function perCallOverhead(
  server: BenchServer,
  options: { quick: boolean },
): Promise<OverheadRow[]> {
  const { baseUrl } = server;
  const client = createIdpClient({ organizationId: IDS.organizationId, baseUrl, auth: fixed, userAgent: UA });
  const bare = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${TOKEN}`, 'User-Agent': UA },
  });
  const rows: OverheadRow[] = [];
  for (const body of ['small', 'large'] as const) {
    const executionId = IDS[body];
    const valueOnly = body === 'small';
    const url = `${baseUrl}/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/${IDS.actionVersion}/executions/${executionId}?valueOnly=${valueOnly}`;
    const headers = {
      Authorization: `Bearer ${TOKEN}`,
      'User-Agent': UA,
      Accept: 'application/json, application/problem+json',
    };
    const sides = {
      raw: async () => (await fetch(url, { headers })).json(),
      rawWithTimeout: async () => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 30_000);
        try {
          return await (await fetch(url, { headers, signal: controller.signal })).json();
        } finally {
          clearTimeout(timer);
        }
      },
      client: () =>
        client.getExecution(
          { actionId: IDS.actionId, actionVersion: IDS.actionVersion, executionId },
          { valueOnly },
        ),
      openapiFetch: () =>
        bare.GET(PATH, {
          params: {
            path: {
              organizationId: IDS.organizationId,
              actionId: IDS.actionId,
              actionVersion: IDS.actionVersion,
              executionId,
            },
            query: { valueOnly },
          },
        }),
    };
    const bodyBytes = (await (await fetch(url, { headers })).arrayBuffer()).byteLength;
    for (const concurrency of [1, 16]) {
      // Many short alternated rounds: the machine's drift (±10% here) falls on every side alike.
      const total = body === 'small' ? (concurrency === 1 ? 1000 : 2000) : concurrency === 1 ? 12 : 24;
      const rounds = options.quick ? 3 : body === 'small' ? 15 : 9;
      // warm-up: JIT, sockets
      for (const call of Object.values(sides)) await load(call, Math.min(total, 200), concurrency);
      const results: Record<keyof typeof sides, LoadResult[]> = {
        raw: [],
        client: [],
        openapiFetch: [],
        rawWithTimeout: [],
      };
      const ratios: number[] = [];
      const ratiosVsTimeout: number[] = [];
      for (let round = 0; round < rounds; round++) {
        // alternate the order so neither side always runs on a warmer machine
        const order = (
          round % 2
            ? ['client', 'raw', 'rawWithTimeout', 'openapiFetch']
            : ['openapiFetch', 'rawWithTimeout', 'raw', 'client']
        ) as (keyof typeof sides)[];
        const got: Partial<Record<keyof typeof sides, LoadResult>> = {};
        for (const side of order) {
          got[side] = await load(sides[side], total, concurrency);
          results[side].push(got[side]);
        }
        ratios.push((got.client?.rps ?? 0) / (got.raw?.rps ?? 1));
        ratiosVsTimeout.push((got.client?.rps ?? 0) / (got.rawWithTimeout?.rps ?? 1));
      }
      rows.push({
        body,
        bodyBytes,
        concurrency,
        rounds,
        requestsPerRound: total,
        raw: figures(results.raw),
        client: figures(results.client),
        openapiFetch: figures(results.openapiFetch),
        rawWithTimeout: figures(results.rawWithTimeout),
        ratio: median(ratios),
        ratioVsTimeout: median(ratiosVsTimeout),
        ratioSpread: spread(ratios),
        target: body === 'small' ? 0.95 : 0.98,
      });
    }
  }
  return rows;
}

export interface AuthCost {
  calls: number;
  workers: number;
  tokenRequests: number;
  coldRps: number;
  fixedRps: number;
  ratio: number;
  ratioSpread: { min: number; max: number };
}

export async function authCost(server: BenchServer, options: { quick: boolean }): Promise<AuthCost> {
  const calls = options.quick ? 2_000 : 10_000;
  const workers = 64;
  const ref = { actionId: IDS.actionId, actionVersion: IDS.actionVersion, executionId: IDS.small };
  const rounds = options.quick ? 1 : 3;
  const cold: number[] = [];
  const warm: number[] = [];
  const ratios: number[] = [];
  let tokenRequests = 0;
  for (let round = 0; round < rounds; round++) {
    await server.reset();
    const auth = clientCredentials({
      clientId: 'bench',
      clientSecret: 'bench-secret',
      tokenUrl: `${server.baseUrl}/accounts/api/v2/oauth2/token`,
    });
    const coldClient = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: server.baseUrl,
      auth,
      userAgent: UA,
    });
    const fixedClient = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: server.baseUrl,
      auth: fixed,
      userAgent: UA,
    });
    const a = await load(() => coldClient.getExecution(ref), calls, workers);
    tokenRequests = Math.max(tokenRequests, (await server.stats()).tokenRequests);
    const b = await load(() => fixedClient.getExecution(ref), calls, workers);
    cold.push(a.rps);
    warm.push(b.rps);
    ratios.push(a.rps / b.rps);
  }
  return {
    calls,
    workers,
    tokenRequests,
    coldRps: median(cold),
    fixedRps: median(warm),
    ratio: median(ratios),
    ratioSpread: spread(ratios),
  };
}
