import { lookup } from 'node:dns/promises';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { AuthError, CONTROL_PLANE_TOKEN_URLS, clientCredentialsGrant } from '@idp-kit/auth';
import {
  type ExecutionRef,
  IDP_SETTINGS,
  IdpApiError,
  type IdpClient,
  isLoopbackHost,
  REGION_CONTROL_PLANES,
  runtimeBaseUrl,
} from '@idp-kit/client';
import { type DriftReport, driftHooks } from '@idp-kit/client/drift';
import type { Command } from 'commander';
import { type ConnectionFlags, type ExecutionFlags, flagKey, resolveExecution } from '../config.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { connectionOptions, executionOptions } from '../flags.js';
import { terminalLine } from '../terminal-text.js';

type Outcome = 'pass' | 'fail' | 'note';

interface Check {
  group: string;
  name: string;
  outcome: Outcome;
  detail: string;
  /** What to do when it failed. */
  hint?: string;
}

const CONNECTED_APP_CHECKLIST =
  'Check the connected app in Anypoint Access Management: type "App acts on its own behalf (client credentials)", ' +
  'scope "Execute Published Actions" granted for the business group that owns the action, the client id and ' +
  'secret copied whole, and the region (US: anypoint.mulesoft.com, EU: eu1.anypoint.mulesoft.com).';

/**
 * Where each setting came from: a flag, the environment, the .env file, or nowhere. Never a value. The
 * settings and the reading of .env are the client's and the CLI's own (`IDP_SETTINGS`, `ctx.settings()`),
 * not a copy.
 */
function settingSources(ctx: CliContext, flags: Record<string, unknown>): Check[] {
  let dotenv: { path: string; supplied: string[] } | undefined;
  try {
    dotenv = ctx.settings().dotenv;
  } catch {
    dotenv = undefined; // an unreadable .env is reported when the connection is made
  }
  const path = dotenv?.path ?? join(ctx.io.cwd, '.env');
  return IDP_SETTINGS.map(({ name, flag, secret, required }) => {
    const from =
      flag && flags[flagKey(flag)] !== undefined
        ? `flag ${flag}`
        : ctx.io.env[name]
          ? 'environment'
          : dotenv?.supplied.includes(name)
            ? `.env (${path})`
            : undefined;
    return {
      group: 'settings',
      name,
      outcome: from ? 'pass' : required ? 'fail' : 'note',
      detail: from ? `set, from the ${from}${secret ? ' (value not shown)' : ''}` : 'not set',
      ...(!from && required ? { hint: `set ${name} in the environment or in ${path}` } : {}),
    };
  });
}

/**
 * An error as the report may show it: an API error by its status, title and request id only (its detail
 * or an excerpt of its body could hold extracted values); other errors by their message.
 */
function shown(error: unknown): string {
  if (error instanceof IdpApiError) {
    const title = error.problem?.title ? ` ${error.problem.title}` : '';
    const id = error.requestId ? ` (request id ${error.requestId})` : '';
    return `${error.operation ?? 'request'} failed: HTTP ${error.status}${title}${id}; the body is not shown (see the spec checks)`;
  }
  return error instanceof Error ? error.message : String(error);
}

function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  return work().then((value) => ({ value, ms: Math.round(performance.now() - started) }));
}

/** DNS, then TCP (or TLS for https) to the host, each with its time. */
async function reach(origin: string, what: string): Promise<Check[]> {
  const url = new URL(origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const checks: Check[] = [];
  try {
    const { value, ms } = await timed(() => lookup(host));
    checks.push({
      group: 'reach',
      name: `DNS ${host}`,
      outcome: 'pass',
      detail: `${value.address} in ${ms} ms (${what})`,
    });
  } catch (error) {
    checks.push({
      group: 'reach',
      name: `DNS ${host}`,
      outcome: 'fail',
      detail: `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      hint: `check the host name (${what}) and your DNS or proxy settings`,
    });
    return checks;
  }
  const tls = url.protocol === 'https:';
  try {
    const { ms } = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = tls
            ? tlsConnect({ host, port, servername: host }, () => {
                socket.end();
                resolve();
              })
            : netConnect({ host, port }, () => {
                socket.end();
                resolve();
              });
          socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
          socket.on('error', reject);
        }),
    );
    checks.push({
      group: 'reach',
      name: `${tls ? 'TLS' : 'TCP'} ${host}:${port}`,
      outcome: 'pass',
      detail: `connected in ${ms} ms`,
    });
  } catch (error) {
    checks.push({
      group: 'reach',
      name: `${tls ? 'TLS' : 'TCP'} ${host}:${port}`,
      outcome: 'fail',
      detail: `cannot connect to ${host}:${port}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      hint: 'check the network path (firewall, proxy) to this host',
    });
  }
  return checks;
}

/** The server's clock against ours, from the `Date` header: tokens and signatures need them close. */
async function clockSkew(origin: string): Promise<Check> {
  try {
    const response = await fetch(origin, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
    const date = response.headers.get('date');
    if (!date)
      return { group: 'reach', name: 'clock', outcome: 'note', detail: 'the server sent no Date header' };
    const skew = Math.round((Date.now() - Date.parse(date)) / 1000);
    const ok = Math.abs(skew) <= 60;
    return {
      group: 'reach',
      name: 'clock',
      outcome: ok ? 'pass' : 'fail',
      detail: `this machine is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} ${new URL(origin).host}`,
      ...(ok ? {} : { hint: 'set the clock (NTP): token lifetimes depend on it' }),
    };
  } catch (error) {
    return {
      group: 'reach',
      name: 'clock',
      outcome: 'note',
      detail: `no answer to read a Date from: ${(error as Error).message}`,
    };
  }
}

interface DoctorFlags extends ConnectionFlags, ExecutionFlags {
  json?: boolean;
  verbose?: boolean;
}

/** `idp doctor`: settings, reach, token, access and spec drift, in order, each ✓ or ✗ with what to do. */
export function doctorCommand(program: Command, ctx: CliContext): void {
  executionOptions(connectionOptions(program.command('doctor')))
    .description('Check settings, reach, token, access and spec drift against the service, in one go.')
    .option('--json', 'print the whole report as JSON')
    .addHelpText(
      'after',
      '\nNo secret, token or extracted value is printed: paste the output into a bug report as it is.\nExit code 0 when every check passed, 1 otherwise.',
    )
    .action(async (url: string | undefined, flags: DoctorFlags) => {
      const checks: Check[] = [];
      const drift: DriftReport[] = [];
      const done = () => finish(ctx, checks, drift, flags.json === true);

      checks.push(...settingSources(ctx, flags as Record<string, unknown>));
      let idp: IdpClient;
      let target: { ref: ExecutionRef } | undefined;
      let tokenUrl: string;
      try {
        const named = url !== undefined || flags.action !== undefined || flags.execution !== undefined;
        const resolved = named ? resolveExecution(url, flags) : undefined;
        if (resolved) target = { ref: resolved.ref };
        idp = ctx.connect(flags, resolved?.fromUrl, {
          hooks: [driftHooks({ onReport: (report) => drift.push(report) })],
        });
        // The token host the client itself uses (the client says: one rule, not a copy of it here).
        tokenUrl =
          idp.tokenUrl ??
          CONTROL_PLANE_TOKEN_URLS[REGION_CONTROL_PLANES[ctx.lastConnection?.region ?? 'us-east-1']];
        checks.push({
          group: 'settings',
          name: 'shape',
          outcome: 'pass',
          detail: `runtime ${idp.baseUrl}, control plane ${idp.controlPlaneUrl}`,
        });
      } catch (error) {
        checks.push({ group: 'settings', name: 'shape', outcome: 'fail', detail: (error as Error).message });
        return done();
      }

      // Reach: the runtime, the token host and the control plane, once each.
      const origins = new Map<string, string>();
      for (const [origin, what] of [
        [new URL(idp.baseUrl).origin, 'the IDP runtime'],
        [new URL(tokenUrl).origin, 'the token endpoint'],
        [new URL(idp.controlPlaneUrl).origin, 'the control plane'],
      ] as const) {
        origins.set(origin, origins.has(origin) ? `${origins.get(origin)}, ${what}` : what);
      }
      for (const [origin, what] of origins) checks.push(...(await reach(origin, what)));
      if (checks.some((c) => c.group === 'reach' && c.outcome === 'fail')) return done();
      checks.push(await clockSkew(new URL(idp.baseUrl).origin));

      // Token: one request, its lifetime and type; the checklist when it is refused.
      const connection = ctx.lastConnection;
      try {
        const grant = clientCredentialsGrant({
          clientId: connection?.clientId ?? '',
          clientSecret: connection?.clientSecret ?? '',
          tokenUrl,
        });
        const request = grant.request();
        const sentAt = Date.now();
        const response = await fetch(grant.tokenUrl, { ...request, signal: AbortSignal.timeout(30_000) });
        const copy = response.clone();
        const body = (await copy.json().catch(() => ({}))) as {
          access_token?: unknown;
          token_type?: unknown;
          scope?: unknown;
        };
        // This token is fetched here, not by the client: the redactor learns it before anything is shown.
        if (typeof body.access_token === 'string') ctx.keepSecret(body.access_token);
        const issued = await grant.read(response, sentAt);
        const lifetime = Math.round((issued.expiresAt - issued.issuedAt) / 1000);
        checks.push({
          group: 'token',
          name: 'token',
          outcome: 'pass',
          detail: `obtained from ${new URL(grant.tokenUrl).host}: type ${String(body.token_type ?? '?')}, lifetime ${lifetime} s${typeof body.scope === 'string' ? `, scopes ${body.scope}` : ''}`,
        });
      } catch (error) {
        const status = error instanceof AuthError ? error.status : undefined;
        checks.push({
          group: 'token',
          name: 'token',
          outcome: 'fail',
          detail: (error as Error).message,
          ...(status === 401 || status === 403 || status === 400 ? { hint: CONNECTED_APP_CHECKLIST } : {}),
        });
        return done();
      }

      // Access: the execution (values, then confidence), one page of actions, the version's runtime.
      if (target) {
        for (const valueOnly of [true, false]) {
          try {
            const execution = await idp.getExecution(target.ref, { valueOnly, ...ctx.signalOption });
            checks.push({
              group: 'access',
              name: `execution, valueOnly=${valueOnly}`,
              outcome: 'pass',
              // The model's reason is a documented code, not an extracted value: safe to show.
              detail: `status ${execution.status}${execution.statusMessage ? ` (statusMessage ${execution.statusMessage.slice(0, 80)})` : ''}`,
            });
          } catch (error) {
            checks.push({
              group: 'access',
              name: `execution, valueOnly=${valueOnly}`,
              outcome: 'fail',
              detail: shown(error),
            });
          }
        }
      }
      try {
        const page = await idp.listActions({ size: 20, ...ctx.signalOption });
        checks.push({
          group: 'access',
          name: 'actions',
          outcome: 'pass',
          detail: `${page.total ?? page.actions.length} action(s) in this business group`,
        });
        if (target) {
          const version = await idp.getActionVersion(
            target.ref.actionId,
            target.ref.actionVersion,
            ctx.signalOption,
          );
          const runtime = runtimeBaseUrl(version);
          // On a loopback base URL (the mock) the published host cannot be the configured one: not a failure.
          const here = runtime === idp.baseUrl || isLoopbackHost(new URL(idp.baseUrl).hostname);
          checks.push({
            group: 'access',
            name: `version ${version.version}`,
            outcome: here ? 'pass' : 'fail',
            detail: runtime ? `published to ${runtime}` : 'not published to a runtime',
            ...(here
              ? {}
              : { hint: `use the region (or --base-url) of ${runtime ?? 'a published version'}` }),
          });
        }
      } catch (error) {
        checks.push({
          group: 'access',
          name: 'actions',
          outcome: 'fail',
          detail: shown(error),
          hint: 'listing actions needs the control plane (IDP_CONTROL_PLANE_URL) and a connected app allowed to read them',
        });
      }

      // Spec drift: each operation's answer, where the spec describes it (a retried call once).
      for (const report of drift) {
        const failures = report.drift.filter((d) => !d.note);
        const notes = report.drift.filter((d) => d.note);
        const path = new URL(report.url).pathname;
        checks.push({
          group: 'spec',
          name: `${report.method} ${path} ${report.status} (${report.schema})`,
          outcome: failures.length > 0 ? 'fail' : notes.length > 0 ? 'note' : 'pass',
          detail:
            report.drift.length === 0
              ? `matches the spec; request id header: ${report.requestIdHeader ?? 'none'}`
              : report.drift
                  .map(
                    (d) =>
                      `${d.note ? 'note' : 'drift'} ${d.path}: ${d.kind}${d.expected ? `, expected ${d.expected}` : ''}${d.got ? `, got ${d.got}` : ''}`,
                  )
                  .join('; '),
          ...(failures.length > 0
            ? { hint: 'please report this (it has no values in it): the spec needs to learn it' }
            : {}),
        });
      }
      return done();
    });
}

function finish(ctx: CliContext, checks: Check[], drift: DriftReport[], asJson: boolean): void {
  const passed = checks.every((c) => c.outcome !== 'fail');
  ctx.exitCode = passed ? EXIT.SUCCEEDED : EXIT.ERROR;
  if (asJson) {
    ctx.json({ passed, checks, drift }, 2);
    return;
  }
  const { style } = ctx;
  let group = '';
  for (const check of checks) {
    if (check.group !== group) {
      group = check.group;
      ctx.say(style.bold(`\n${group}`));
    }
    const mark =
      check.outcome === 'pass' ? style.ok('✓') : check.outcome === 'fail' ? style.bad('✗') : style.dim('·');
    ctx.say(`${mark} ${terminalLine(check.name)}: ${terminalLine(check.detail)}`);
    if (check.hint && check.outcome === 'fail') ctx.say(style.dim(`    → ${terminalLine(check.hint)}`));
  }
  ctx.say(passed ? style.ok('\nevery check passed') : style.bad('\nsome checks failed: see → above'));
}
