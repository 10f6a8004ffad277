/**
 * Polling against callbacks in one run (issue 27, item 4), against an in-process fake IDP whose
 * executions settle after a seeded lognormal delay fitted to MuleSoft's benchmark (P50 7.61 s, P95 11 s,
 * P99 13.38 s) and which PATCHes each upload's callback URL when its execution settles (unless lost).
 * Real time by default (`--callback-scale 1`): the poll floor is the real 10 s. A smaller scale
 * multiplies every delay, the poll interval and the sweep alike, so the ratios hold; the delays are
 * reported divided by the scale (request latency on loopback, a few ms, does not scale: it is then
 * overstated in the scaled-back figures).
 *   pnpm bench:batch --only callbacks [--callback-docs 200] [--callback-scale 1]
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BatchEvent, DEFAULT_SWEEP_MS, runBatch } from '@idp-kit/batch';
import { createIdpClient } from '@idp-kit/client';
import { pdfBytes } from '@idp-kit/testkit';
import { ACTION, ORG } from './batch-fake-process.js';

/** Lognormal fitted to P50 7.61 s (μ = ln 7.61) and, by least squares over P95 11 s and P99 13.38 s, σ. */
const MU = Math.log(7.61);
const SIGMA = 0.233;
/** The service's floor between polls, as against MuleSoft. */
const POLL_FLOOR_MS = 10_000;

function seeded(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return (seed + 1) / (2 ** 31 + 1);
  };
}

/** A standard normal draw (Box–Muller) from two uniform ones. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};

interface Execution {
  settlesAt: number;
  delayMs: number;
  gets: number;
  /** When a GET first found it done (the fetch, before the result is stored and journaled). */
  fetchedAt?: number;
  callbackUrl?: string;
  lost: boolean;
}

/** The fake: executions settle after their drawn delay; a settled one is PATCHed back unless lost. */
async function startFake(options: { scale: number; lossRate: number; seed: number }) {
  const random = seeded(options.seed);
  const executions = new Map<string, Execution>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url?.startsWith('/accounts/'))
        return send(200, { access_token: 't', token_type: 'bearer', expires_in: 3600 });
      if (req.method === 'POST') {
        const body = Buffer.concat(chunks).toString('latin1');
        const callback = /name="callback"\r\n(?:[^\r\n]*\r\n)*\r\n([^\r]*)/.exec(body)?.[1];
        const id = randomUUID();
        const delayMs = Math.exp(MU + SIGMA * normal(random)) * 1000;
        const execution: Execution = {
          settlesAt: performance.now() + delayMs * options.scale,
          delayMs,
          gets: 0,
          lost: random() < options.lossRate,
          ...(callback ? { callbackUrl: (JSON.parse(callback) as { noAuthUrl: string }).noAuthUrl } : {}),
        };
        executions.set(id, execution);
        if (execution.callbackUrl && !execution.lost) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            // Settled now, whatever the clocks say: IDP calls back only once its execution has settled
            // (a timer may fire a fraction of a millisecond before performance.now() reaches its mark).
            execution.settlesAt = Math.min(execution.settlesAt, performance.now());
            fetch(execution.callbackUrl as string, {
              method: 'PATCH',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                executionId: id,
                actionId: ACTION.actionId,
                version: ACTION.actionVersion,
              }),
            }).then(
              (r) => r.arrayBuffer(),
              () => {},
            );
          }, delayMs * options.scale);
          timers.add(timer);
        }
        return send(201, { id, documentName: 'doc.pdf', status: 'ACKNOWLEDGED' });
      }
      const id = /executions\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '';
      const execution = executions.get(id);
      if (!execution) return send(404, { status: 404, title: 'Not Found' });
      execution.gets++;
      const done = performance.now() >= execution.settlesAt;
      if (done) execution.fetchedAt ??= performance.now();
      send(200, {
        id,
        documentName: 'doc.pdf',
        status: done ? 'SUCCEEDED' : 'IN_PROGRESS',
        ...(done ? { fields: { total: { value: '1.00' } } } : {}),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    executions,
    stop() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close();
    },
  };
}

/** One batch of `docs` documents against a fresh fake, polling or with callbacks; the figures. */
async function oneRun(mode: 'polling' | 'callbacks' | 'callbacks, 10% lost', docs: number, scale: number) {
  const fake = await startFake({ scale, lossRate: mode === 'callbacks, 10% lost' ? 0.1 : 0, seed: 27 });
  const dir = await mkdtemp(join(tmpdir(), 'idp-bench-callbacks-'));
  try {
    const input = join(dir, 'in');
    await mkdir(input);
    for (let i = 0; i < docs; i++) {
      await writeFile(
        join(input, `doc-${String(i).padStart(5, '0')}.pdf`),
        pdfBytes(1, { text: `document ${i}` }),
      );
    }
    const retrievedAt = new Map<string, number>();
    let uploadedAt = 0;
    const onEvent = (e: BatchEvent) => {
      if (e.type === 'state' && e.state === 'submitted') uploadedAt = performance.now();
      if (e.type === 'state' && e.state === 'retrieved' && e.executionId)
        retrievedAt.set(e.executionId, performance.now());
    };
    const started = performance.now();
    const summary = await runBatch({
      client: createIdpClient({
        organizationId: ORG,
        baseUrl: fake.baseUrl,
        auth: {
          clientId: 'bench',
          clientSecret: 'bench-secret',
          tokenUrl: `${fake.baseUrl}/accounts/api/v2/oauth2/token`,
        },
      }),
      inputs: [input],
      ...ACTION,
      outDir: join(dir, 'out'),
      // The batch's defaults, at the scale: first poll at once, then 10 s growing ×1.5 to 60 s.
      pollIntervalMs: POLL_FLOOR_MS * scale,
      maxPollIntervalMs: 60_000 * scale,
      ...(mode === 'polling'
        ? {}
        : { callbacks: { listen: '127.0.0.1:0', sweepMs: DEFAULT_SWEEP_MS * scale } }),
      onEvent,
    });
    const wallS = (performance.now() - started) / 1000 / scale;
    const all = [...fake.executions.entries()];
    const notice = (list: typeof all) =>
      list.flatMap(([id, e]) => {
        const at = retrievedAt.get(id);
        return at === undefined ? [] : [(at - e.settlesAt) / scale / 1000];
      });
    const delays = notice(all);
    const fetched = all.flatMap(([, e]) =>
      e.fetchedAt === undefined ? [] : [(e.fetchedAt - e.settlesAt) / scale / 1000],
    );
    const service = all.map(([, e]) => e.delayMs / 1000);
    const lost = all.filter(([, e]) => e.lost && e.callbackUrl);
    const lostDelays = notice(lost);
    const gets = all.reduce((n, [, e]) => n + e.gets, 0) / docs;
    return {
      mode,
      documents: docs,
      'results lost': docs - summary.succeeded,
      'GETs/doc': gets.toFixed(2),
      'goal ≤ 1.2': mode === 'polling' ? '' : gets <= 1.2 ? 'yes' : 'NO',
      'service P50/P95/P99 s': `${quantile(service, 0.5).toFixed(2)} / ${quantile(service, 0.95).toFixed(2)} / ${quantile(service, 0.99).toFixed(2)}`,
      'notice P50 s': quantile(delays, 0.5).toFixed(2),
      'notice P95 s': quantile(delays, 0.95).toFixed(2),
      'notice max s': Math.max(...delays).toFixed(2),
      'fetch P50/P95 s': `${quantile(fetched, 0.5).toFixed(2)} / ${quantile(fetched, 0.95).toFixed(2)}`,
      'goal ≤ 1 s': mode !== 'callbacks' ? '' : quantile(delays, 0.95) <= 1 ? 'yes' : 'NO',
      'callbacks lost': lost.length,
      'notice of lost P50/max s': lost.length
        ? `${quantile(lostDelays, 0.5).toFixed(2)} / ${Math.max(...lostDelays).toFixed(2)}`
        : '',
      'uploads s': ((uploadedAt - started) / 1000 / scale).toFixed(1),
      'wall s': wallS.toFixed(1),
    };
  } finally {
    fake.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The three runs, one after another in this process: polling, callbacks, callbacks with 10 % lost.
 *
 * @example
 * ```ts
 * console.table(await callbackFigures(200, 1));
 * ```
 */
export async function callbackFigures(docs: number, scale: number) {
  const rows = [];
  for (const mode of ['polling', 'callbacks', 'callbacks, 10% lost'] as const)
    rows.push(await oneRun(mode, docs, scale));
  return rows;
}
