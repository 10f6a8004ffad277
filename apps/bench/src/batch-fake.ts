/**
 * A fake IDP for the batch bench, in its own process (so that its memory is not the engine's): every
 * answer after `LATENCY_MS`, a seeded 2 % of requests answered 429 (no Retry-After, as the service),
 * 1 % of polls 503, executions SUCCEEDED after `POLLS` polls. Counts POSTs per content hash.
 * Prints its port; GET /stats answers the counts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { largeBody } from './bodies.js';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);
const POLLS = Number(process.env.POLLS ?? 3);
const RATE_LIMITED = Number(process.env.RATE_LIMITED ?? 0.02);
const UNAVAILABLE = Number(process.env.UNAVAILABLE ?? 0.01);
/** LARGE=1: every SUCCEEDED result is the 150-page one with scores and geometry (~2.6 MB, --confidence). */
const LARGE_PAGES = process.env.LARGE === '1' ? JSON.stringify(JSON.parse(largeBody()).pages) : undefined;

let seed = 20261202;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const posts = new Map<string, number>();
const polls = new Map<string, number>();
const counts = { post: 0, get: 0, rateLimited: 0, unavailable: 0 };
/** When the first and the latest API request came (ms, this process's clock): the busy span. */
const span = { firstMs: 0, lastMs: 0 };
/** When each request came, token requests included (ms, this process's clock): the rate bench's windows. */
const arrivals: number[] = [];

function send(res: import('node:http').ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/stats') {
      const values = [...posts.values()];
      return send(res, 200, {
        ...counts,
        documents: posts.size,
        maxPostsPerDocument: Math.max(0, ...values),
        busyMs: span.lastMs - span.firstMs,
      });
    }
    if (req.url === '/arrivals') return send(res, 200, arrivals);
    arrivals.push(performance.now());
    if (req.url?.startsWith('/accounts/'))
      return send(res, 200, { access_token: 't', token_type: 'bearer', expires_in: 3600 });
    span.firstMs ||= performance.now();
    setTimeout(() => {
      span.lastMs = performance.now();
      if (random() < RATE_LIMITED) {
        counts.rateLimited++;
        return send(res, 429, { status: 429, title: 'Too Many Requests' });
      }
      if (req.method === 'POST') {
        counts.post++;
        const body = Buffer.concat(chunks);
        const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1] ?? '';
        const start = body.indexOf('\r\n\r\n', body.indexOf('name="file"')) + 4;
        const file = body.subarray(start, body.indexOf(`\r\n--${boundary}`, start));
        const hash = createHash('sha256').update(file).digest('hex');
        posts.set(hash, (posts.get(hash) ?? 0) + 1);
        const id = randomUUID();
        polls.set(id, 0);
        return send(res, 201, { id, documentName: 'doc.pdf', status: 'ACKNOWLEDGED' });
      }
      counts.get++;
      if (random() < UNAVAILABLE) {
        counts.unavailable++;
        return send(res, 503, { status: 503, title: 'Service Unavailable' });
      }
      const id = /executions\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '';
      const n = (polls.get(id) ?? 0) + 1;
      polls.set(id, n);
      const done = n >= POLLS;
      if (done && LARGE_PAGES) {
        // Built as text: the fake holds one copy of the pages, whatever the number of executions.
        const text = `{"id":${JSON.stringify(id)},"documentName":"doc.pdf","status":"SUCCEEDED","pages":${LARGE_PAGES}}`;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        return res.end(text);
      }
      send(res, 200, {
        id,
        documentName: 'doc.pdf',
        status: done ? 'SUCCEEDED' : 'IN_PROGRESS',
        ...(done ? { fields: { total: { value: '1.00' } } } : {}),
      });
    }, LATENCY_MS);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('disconnect', () => process.exit(0));
