import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseListen } from '@idp-kit/batch';
import { NONCE_PARAM } from '@idp-kit/client/callback';

/** What the check found, as doctor shows a check. */
export interface CallbackCheck {
  outcome: 'pass' | 'fail';
  detail: string;
  hint?: string;
}

/** How long the probe may take to come back through the proxy or tunnel. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * `idp doctor --callback-url`: listens where `idp batch run --callback-listen` would, sends one PATCH
 * to the public URL with a probe nonce, and says whether it arrived at the listener (the proxy or tunnel
 * forwards) and what came back. The probe nonce is random and never printed.
 */
export async function checkCallbackUrl(url: string, listen: string): Promise<CallbackCheck> {
  const at = parseListen(listen);
  const probe = randomBytes(24).toString('base64url');
  let arrived = false;
  const server = createServer((req, res) => {
    const nonce = new URL(req.url ?? '/', 'http://probe').searchParams.get(NONCE_PARAM);
    arrived ||= nonce === probe && req.method === 'PATCH';
    req.resume();
    res.writeHead(nonce === probe ? 204 : 401).end();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at.port, at.host, resolve);
    });
  } catch (error) {
    return {
      outcome: 'fail',
      detail: `cannot listen on ${listen}: ${(error as Error).message}`,
      hint: 'stop what listens there (a running batch?), or check another --callback-listen',
    };
  }
  try {
    const target = new URL(url);
    target.searchParams.set(NONCE_PARAM, probe);
    let status: number;
    try {
      const response = await fetch(target, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: '{"probe":"idp doctor"}',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        redirect: 'manual',
      });
      await response.arrayBuffer();
      status = response.status;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        outcome: 'fail',
        detail: `a PATCH to ${target.origin}${target.pathname} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        hint: 'is the public URL right, and the proxy or tunnel running?',
      };
    }
    if (arrived && status === 204) {
      return {
        outcome: 'pass',
        detail: `a PATCH to ${target.origin}${target.pathname} arrived at ${listen}`,
      };
    }
    return {
      outcome: 'fail',
      detail: arrived
        ? `the PATCH arrived at ${listen}, but the answer came back as ${status}`
        : `a PATCH to ${target.origin}${target.pathname} was answered ${status}, and never arrived at ${listen}`,
      hint: `forward the public URL, with its query string, to ${listen} (see idp batch run --callback-url in the README)`,
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
