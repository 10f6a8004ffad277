/**
 * The network checks of `diagnose()`: DNS, then TCP (TLS for https) to each host, and the server's
 * clock. Each says what it took, or what failed and what to do.
 */
import { lookup } from 'node:dns/promises';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { DiagnosisCheck } from './diagnosis.js';

/** How long a connection or a clock probe may take before it counts as no answer. */
const PROBE_MS = 10_000;
/** Token lifetimes and signatures tolerate this much skew. */
const MAX_SKEW_S = 60;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - started) };
}

/** Connects (TLS for https) and closes at once: a refused port or a broken TLS path shows here. */
function connectOnce(host: string, port: number, tls: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = tls
      ? tlsConnect({ host, port, servername: host }, () => {
          socket.end();
          resolve();
        })
      : netConnect({ host, port }, () => {
          socket.end();
          resolve();
        });
    socket.setTimeout(PROBE_MS, () => socket.destroy(new Error(`no answer within ${PROBE_MS / 1000} s`)));
    socket.on('error', reject);
  });
}

/** DNS, then TCP (or TLS for https) to the origin's host, each with its time. `what` names its role. */
export async function reach(origin: string, what: string): Promise<DiagnosisCheck[]> {
  const url = new URL(origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const checks: DiagnosisCheck[] = [];
  try {
    const { value, ms } = await timed(() => lookup(host));
    checks.push({
      id: `reach.dns.${host}`,
      group: 'reach',
      name: `DNS ${host}`,
      status: 'ok',
      message: `${value.address} in ${ms} ms (${what})`,
    });
  } catch (error) {
    checks.push({
      id: `reach.dns.${host}`,
      group: 'reach',
      name: `DNS ${host}`,
      status: 'fail',
      message: `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      action: `check the host name (${what}) and your DNS or proxy settings`,
    });
    return checks;
  }
  const tls = url.protocol === 'https:';
  const name = `${tls ? 'TLS' : 'TCP'} ${host}:${port}`;
  const id = `reach.${tls ? 'tls' : 'tcp'}.${host}:${port}`;
  try {
    const { ms } = await timed(() => connectOnce(host, port, tls));
    checks.push({ id, group: 'reach', name, status: 'ok', message: `connected in ${ms} ms` });
  } catch (error) {
    checks.push({
      id,
      group: 'reach',
      name,
      status: 'fail',
      message: `cannot connect to ${host}:${port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      action: 'check the network path (firewall, proxy) to this host',
    });
  }
  return checks;
}

/** The server's clock against ours, from the `Date` header: tokens and signatures need them close. */
export async function clockSkew(
  origin: string,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<DiagnosisCheck> {
  const base = { id: 'reach.clock', group: 'reach', name: 'clock' } as const;
  try {
    const timeout = AbortSignal.timeout(PROBE_MS);
    const response = await fetchImpl(origin, {
      method: 'HEAD',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    await response.body?.cancel();
    const date = response.headers.get('date');
    if (!date) return { ...base, status: 'skip', message: 'the server sent no Date header' };
    const skew = Math.round((Date.now() - Date.parse(date)) / 1000);
    const ok = Math.abs(skew) <= MAX_SKEW_S;
    return {
      ...base,
      status: ok ? 'ok' : 'fail',
      message: `this machine is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} ${new URL(origin).host}`,
      ...(ok ? {} : { action: 'set the clock (NTP): token lifetimes depend on it' }),
    };
  } catch (error) {
    return { ...base, status: 'warn', message: `no answer to read a Date from: ${(error as Error).message}` };
  }
}
