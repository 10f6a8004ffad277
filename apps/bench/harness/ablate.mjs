/**
 * Where the client's per-call cost goes: raw fetch against one other side, in a process of its own (two
 * sides only, so that undici's code stays as monomorphic as in an application), at 16 calls in flight
 * against harness/server.mjs; many short rounds, the sides alternated, CPU summed per side.
 *
 *   node apps/bench/harness/ablate.mjs <side> [--rounds 40]
 *
 * Sides: client (the built client), dispatcher (fetch given a dispatcher that can end it, as the client's
 * attempt timeout does), timer (a 30 s timer set and cleared per call), init (the client's request init:
 * its User-Agent, method, redirect: 'manual', a headers object per call), manual, method, fresh-headers,
 * text (text() + JSON.parse instead of json()).
 */
import { parseArgs } from 'node:util';
import { ACCEPT, createIdpClient, headers, ORG, ref, startServer } from './setup.mjs';

const { values: args, positionals } = parseArgs({
  options: { rounds: { type: 'string', default: '40' } },
  allowPositionals: true,
});
const { baseUrl, url, stop } = await startServer();
await fetch(url).then((r) => r.text()); // creates undici's global dispatcher
const global = globalThis[Symbol.for('undici.globalDispatcher.1')];

/** A dispatcher that keeps each request's abort, as `dispatchAbort` in @idp-kit/http does. */
class Endable {
  constructor(inner) {
    this.inner = inner;
    this.current = undefined;
  }
  dispatch(options, handler) {
    const self = this;
    const connect = handler.onConnect;
    handler.onConnect = function (abort, ...rest) {
      const result = connect.call(this, abort, ...rest);
      self.current = abort;
      return result;
    };
    return this.inner.dispatch(options, handler);
  }
}

const noop = () => {};
const client = createIdpClient({
  organizationId: ORG,
  baseUrl,
  auth: { getToken: async () => 'h-token', invalidate: noop },
  userAgent: 'harness',
});
const sides = {
  raw: async () => (await fetch(url, { headers })).json(),
  client: () => client.getExecution(ref),
  dispatcher: async () => (await fetch(url, { headers, dispatcher: new Endable(global) })).json(),
  timer: async () => {
    const timer = setTimeout(noop, 30_000);
    try {
      return await (await fetch(url, { headers })).json();
    } finally {
      clearTimeout(timer);
    }
  },
  init: async () => {
    const own = { 'User-Agent': 'harness' };
    Object.assign(own, { Accept: ACCEPT });
    own.Authorization = 'Bearer h-token';
    return (await fetch(url, { method: 'GET', headers: own, redirect: 'manual' })).json();
  },
  manual: async () => (await fetch(url, { headers, redirect: 'manual' })).json(),
  method: async () => (await fetch(url, { method: 'GET', headers })).json(),
  'fresh-headers': async () =>
    (
      await fetch(url, {
        headers: { Authorization: 'Bearer h-token', 'User-Agent': 'harness', Accept: ACCEPT },
      })
    ).json(),
  text: async () => JSON.parse(await (await fetch(url, { headers })).text()),
};
const side = positionals[0] ?? 'client';
if (!sides[side]) throw new Error(`no side ${side}: ${Object.keys(sides).join(', ')}`);

/** CPU µs for `n` calls, 16 in flight. */
async function round(call, n) {
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = 0; i < n / 16; i++) await call();
    }),
  );
  const used = process.cpuUsage(cpu);
  return used.user + used.system;
}

const rounds = Number(args.rounds);
const calls = 800;
await round(sides.raw, 3200); // warm-up
await round(sides[side], 3200);
let raw = 0;
let other = 0;
for (let r = 0; r < rounds; r++) {
  if (r % 2) {
    other += await round(sides[side], calls);
    raw += await round(sides.raw, calls);
  } else {
    raw += await round(sides.raw, calls);
    other += await round(sides[side], calls);
  }
}
const perCall = (total) => (total / rounds / calls).toFixed(1);
console.log(
  `raw ${perCall(raw)} µs, ${side} ${perCall(other)} µs per call: raw CPU / ${side} CPU ${(raw / other).toFixed(3)}`,
);
stop();
