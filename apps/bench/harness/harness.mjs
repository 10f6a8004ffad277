/**
 * An independent check of the client's per-call cost, sharing no code with src/ (plain node, built
 * dist, its own server process in server.mjs): each side keeps 16 requests in flight for a fixed time
 * window (not a fixed count), sides alternate in every round, and the medians of the per-round ratios
 * are printed.
 *
 *   node apps/bench/harness/harness.mjs [--rounds 9] [--seconds 2] [--only client] [--before <dist>]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createIdpClient, headers, ORG, ref, startServer } from './setup.mjs';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    seconds: { type: 'string', default: '2' },
    only: { type: 'string' },
    before: { type: 'string' },
  },
});
const { baseUrl, url, bytes, stop } = await startServer();
const auth = { getToken: async () => 'h-token', invalidate: () => {} };
const options = { organizationId: ORG, baseUrl, auth, userAgent: 'harness' };
const client = createIdpClient(options);
const sides = {
  raw: async () => (await fetch(url, { headers })).json(),
  client: () => client.getExecution(ref),
};
if (args.before) {
  const old = await import(pathToFileURL(`${args.before}/index.js`).href);
  const oldClient = old.createIdpClient(options);
  sides.before = () => oldClient.getExecution(ref);
}

/** Keeps 16 calls in flight for `ms`; completed calls per second and CPU µs per call. */
async function window(call, ms) {
  let done = 0;
  let open = true;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const timer = setTimeout(() => (open = false), ms);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (open) {
        await call();
        done++;
      }
    }),
  );
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return { rps: done / seconds, cpuUs: (used.user + used.system) / done };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = Number(args.seconds) * 1000;
const names = args.only ? [args.only] : Object.keys(sides);
for (const name of names) await window(sides[name], 500); // warm-up
const rows = Object.fromEntries(names.map((n) => [n, { rps: [], cpu: [], tput: [], cpuRatio: [] }]));
for (let round = 0; round < Number(args.rounds); round++) {
  const order = round % 2 ? [...names].reverse() : names;
  const got = {};
  for (const name of order) got[name] = await window(sides[name], ms);
  for (const name of names) {
    const r = rows[name];
    r.rps.push(got[name].rps);
    r.cpu.push(got[name].cpuUs);
    if (got.raw) {
      r.tput.push(got[name].rps / got.raw.rps);
      r.cpuRatio.push(got.raw.cpuUs / got[name].cpuUs);
    }
  }
}
console.log(
  `harness: ${bytes}-byte body, 16 in flight, ${args.rounds} rounds of ${args.seconds} s per side, node ${process.version}`,
);
console.table(
  names.map((name) => ({
    side: name,
    'req/s': median(rows[name].rps).toFixed(0),
    'CPU µs/req': median(rows[name].cpu).toFixed(0),
    'throughput / raw': rows[name].tput.length ? median(rows[name].tput).toFixed(3) : '',
    'raw CPU / CPU': rows[name].cpuRatio.length ? median(rows[name].cpuRatio).toFixed(3) : '',
  })),
);
stop();
