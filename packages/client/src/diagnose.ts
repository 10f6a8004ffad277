/**
 * `diagnose()`: is this setup able to get results out of IDP, and if not, what to do? Settings, reach,
 * token, access and spec drift, in order, as structured checks. `idp doctor` prints them; the MCP server
 * hands them to an agent. A separate entry (`@idp-kit/client/diagnose`): it opens sockets and loads the
 * spec check, which no other use of the client needs.
 */
import { AuthError, clientCredentialsGrant, type TokenProvider } from '@idp-kit/auth';
import { isLoopbackHost } from '@idp-kit/http';
import { createIdpClient, type IdpClient } from './client.js';
import { clockSkew, reach } from './diagnose-reach.js';
import { specChecks } from './diagnose-spec.js';
import type { Diagnosis, DiagnosisCheck } from './diagnosis.js';
import type { DriftReport } from './drift.js';
import { IdpApiError } from './errors.js';
import { executionTarget } from './execution-url.js';
import type { IdpHooks } from './hooks.js';
import { runtimeBaseUrl } from './operations/actions.js';
import { type ClientCredentialsAuth, type IdpClientOptions, isTokenProvider } from './options.js';
import { createRedactor, type Redactor } from './redactor.js';
import { IDP_SETTINGS } from './settings.js';
import type { ExecutionRef } from './types.js';

export type { Diagnosis, DiagnosisCheck, DiagnosisGroup, DiagnosisStatus } from './diagnosis.js';

/**
 * Where each IDP_* setting came from, for the settings checks: names and sources only, never values.
 *
 * @example
 * ```ts
 * const { sources } = readIdpSettings(process.env, dotenvText);
 * const settings: DiagnoseSettings = { sources, dotenvPath: '.env' };
 * ```
 */
export interface DiagnoseSettings {
  /** IDP_* name → where it came from (`environment`, `.env`, `flag --org`), or undefined when not set. */
  sources: Readonly<Record<string, string | undefined>>;
  /** The `.env` file a missing setting could go in (for the advice); default `.env`. */
  dotenvPath?: string;
}

/**
 * Options of `diagnose()`.
 *
 * @example
 * ```ts
 * const options: DiagnoseOptions = {
 *   client: { organizationId, auth: { clientId, clientSecret } },
 *   execution: { actionId, actionVersion: '1.1.0', executionId },
 * };
 * ```
 */
export interface DiagnoseOptions {
  /**
   * The client to diagnose. Best as its options (or a function returning them, whose throw is reported
   * as a settings failure): `diagnose()` then makes its own client from them, requests a token alone to
   * show its lifetime, and checks every answer against the spec. Given a client, it cannot do those two
   * and says so (`skip`).
   */
  client: IdpClientOptions | IdpClient | (() => IdpClientOptions);
  /** An execution to read (ids, or its URL): shows access to the runtime and where its version runs. */
  execution?: ExecutionRef | string;
  /** Where each IDP_* setting came from: adds a check per setting. */
  settings?: DiagnoseSettings;
  /** Stops the diagnosis (every request and probe). */
  signal?: AbortSignal;
}

const CONNECTED_APP_CHECKLIST =
  'Check the connected app in Anypoint Access Management: type "App acts on its own behalf (client credentials)", ' +
  'scope "Execute Published Actions" granted for the business group that owns the action, the client id and ' +
  'secret copied whole, and the region (US: anypoint.mulesoft.com, EU: eu1.anypoint.mulesoft.com).';

/** How long the lone token request may take. */
const TOKEN_TIMEOUT_MS = 30_000;

/** One check per IDP_* setting: where it came from (never its value), or what to do when it is missing. */
function settingChecks({ sources, dotenvPath = '.env' }: DiagnoseSettings): DiagnosisCheck[] {
  return IDP_SETTINGS.map(({ name, secret, required }) => {
    const from = sources[name];
    return {
      id: `settings.${name}`,
      group: 'settings',
      name,
      status: from ? 'ok' : required ? 'fail' : 'skip',
      message: from ? `set, from the ${from}${secret ? ' (value not shown)' : ''}` : 'not set',
      ...(!from && required ? { action: `set ${name} in the environment or in ${dotenvPath}` } : {}),
    };
  });
}

/**
 * An error as a check may show it: an API error by its status, title and request id only (its detail
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

function isClient(value: DiagnoseOptions['client']): value is IdpClient {
  return typeof (value as IdpClient).getExecution === 'function';
}

/** What the diagnosis works with once the settings made a client. */
interface Setup {
  idp: IdpClient;
  /** The options it was made from; absent when a ready client was given. */
  options?: IdpClientOptions;
  /** The unwrapped fetch, for the lone token request and the clock probe. */
  fetch: typeof fetch;
  target?: { ref: ExecutionRef; target: ExecutionRef | string };
}

/** The spec check, as a hook: loaded only here, and only if its optional dependency (ajv) is installed. */
async function driftWatch(reports: DriftReport[]): Promise<IdpHooks | string> {
  try {
    const { driftHooks } = await import('./drift.js');
    return driftHooks({ onReport: (report) => reports.push(report) });
  } catch {
    return 'not checked: the spec check needs the ajv package (npm install ajv)';
  }
}

/** The client to diagnose, with its answers watched for drift when it is made here. */
async function setUp(
  options: DiagnoseOptions,
  redactor: Redactor,
  reports: DriftReport[],
): Promise<Setup & { specSkipped?: string }> {
  const named = options.execution === undefined ? undefined : toTarget(options.execution);
  if (isClient(options.client)) {
    return {
      idp: options.client,
      fetch: globalThis.fetch,
      ...(named ? { target: named } : {}),
      specSkipped:
        "not checked: diagnose() was given a client; give it the client's options to check each answer against the spec",
    };
  }
  const clientOptions = typeof options.client === 'function' ? options.client() : options.client;
  const fetchImpl = clientOptions.fetch ?? globalThis.fetch;
  const watched = await driftWatch(reports);
  const given = clientOptions.hooks === undefined ? [] : [clientOptions.hooks].flat();
  const idp = createIdpClient({
    ...clientOptions,
    redactor: clientOptions.redactor ?? redactor,
    ...(typeof watched === 'string' ? {} : { hooks: [...given, watched] }),
  });
  return {
    idp,
    options: clientOptions,
    fetch: fetchImpl,
    ...(named ? { target: named } : {}),
    ...(typeof watched === 'string' ? { specSkipped: watched } : {}),
  };
}

function toTarget(execution: ExecutionRef | string): { ref: ExecutionRef; target: ExecutionRef | string } {
  return typeof execution === 'string'
    ? executionTarget({ url: execution })
    : executionTarget({
        actionId: execution.actionId,
        actionVersion: execution.actionVersion,
        executionId: execution.executionId,
      });
}

/** The runtime, the token host and the control plane, each host once, with every role it plays. */
async function reachChecks(idp: IdpClient): Promise<DiagnosisCheck[]> {
  const origins = new Map<string, string>();
  const roles: [string | undefined, string][] = [
    [idp.baseUrl, 'the IDP runtime'],
    [idp.tokenUrl, 'the token endpoint'],
    [idp.controlPlaneUrl, 'the control plane'],
  ];
  for (const [url, what] of roles) {
    if (url === undefined) continue;
    const origin = new URL(url).origin;
    origins.set(origin, origins.has(origin) ? `${origins.get(origin)}, ${what}` : what);
  }
  const checks: DiagnosisCheck[] = [];
  for (const [origin, what] of origins) checks.push(...(await reach(origin, what)));
  return checks;
}

/** A signal that ends the lone token request: the caller's, or the timeout. */
function tokenSignal(signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(TOKEN_TIMEOUT_MS);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** One token request of its own, to show the token's type, lifetime and scopes (never the token). */
async function credentialsToken(
  auth: ClientCredentialsAuth,
  tokenUrl: string,
  setup: Setup,
  redactor: Redactor,
  signal: AbortSignal | undefined,
): Promise<DiagnosisCheck> {
  const grant = clientCredentialsGrant({
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    tokenUrl,
  });
  const sentAt = Date.now();
  const response = await setup.fetch(grant.tokenUrl, { ...grant.request(), signal: tokenSignal(signal) });
  const body = (await response
    .clone()
    .json()
    .catch(() => ({}))) as { access_token?: unknown; token_type?: unknown; scope?: unknown };
  // Fetched here, not by the client: the redactor learns it before anything can show it.
  if (typeof body.access_token === 'string') redactor.add(body.access_token);
  const issued = await grant.read(response, sentAt);
  const lifetime = Math.round((issued.expiresAt - issued.issuedAt) / 1000);
  return {
    id: 'token',
    group: 'token',
    name: 'token',
    status: 'ok',
    message: `obtained from ${new URL(grant.tokenUrl).host}: type ${String(body.token_type ?? '?')}, lifetime ${lifetime} s${typeof body.scope === 'string' ? `, scopes ${body.scope}` : ''}`,
  };
}

async function providerToken(
  provider: TokenProvider,
  redactor: Redactor,
  signal: AbortSignal | undefined,
): Promise<DiagnosisCheck> {
  redactor.add(await provider.getToken(signal ? { signal } : {}));
  return {
    id: 'token',
    group: 'token',
    name: 'token',
    status: 'ok',
    message: 'obtained from the token provider given (its lifetime is its own)',
  };
}

/** The token: one request, its lifetime and type; the connected-app checklist when it is refused. */
async function tokenCheck(setup: Setup, redactor: Redactor, signal?: AbortSignal): Promise<DiagnosisCheck> {
  const auth = setup.options?.auth;
  if (auth === undefined) {
    return {
      id: 'token',
      group: 'token',
      name: 'token',
      status: 'skip',
      message:
        'not checked alone: diagnose() was given a client, whose token stays inside it; the access checks use it',
    };
  }
  try {
    if (isTokenProvider(auth)) return await providerToken(auth, redactor, signal);
    return await credentialsToken(auth, setup.idp.tokenUrl ?? '', setup, redactor, signal);
  } catch (error) {
    const status = error instanceof AuthError ? error.status : undefined;
    return {
      id: 'token',
      group: 'token',
      name: 'token',
      status: 'fail',
      message: (error as Error).message,
      ...(status === 401 || status === 403 || status === 400 ? { action: CONNECTED_APP_CHECKLIST } : {}),
    };
  }
}

/** The execution, as values and then with confidence: the runtime answers, and to this app. */
async function executionChecks(setup: Setup, signal?: AbortSignal): Promise<DiagnosisCheck[]> {
  if (!setup.target) return [];
  const checks: DiagnosisCheck[] = [];
  for (const valueOnly of [true, false]) {
    const base = {
      id: `access.execution.${valueOnly ? 'values' : 'confidence'}`,
      group: 'access',
      name: `execution, valueOnly=${valueOnly}`,
    } as const;
    try {
      const execution = await setup.idp.getExecution(setup.target.target, {
        valueOnly,
        ...(signal ? { signal } : {}),
      });
      // The model's reason is a documented code, not an extracted value: safe to show.
      const reason = execution.statusMessage
        ? ` (statusMessage ${execution.statusMessage.slice(0, 80)})`
        : '';
      checks.push({ ...base, status: 'ok', message: `status ${execution.status}${reason}` });
    } catch (error) {
      checks.push({
        ...base,
        status: 'fail',
        message: shown(error),
        action:
          'check the execution named (its ids, or its URL) and that the connected app may read this action (scope "Execute Published Actions")',
      });
    }
  }
  return checks;
}

/** One page of actions (the control plane), then where the execution's version is published. */
async function discoveryChecks(setup: Setup, signal?: AbortSignal): Promise<DiagnosisCheck[]> {
  const { idp } = setup;
  const call = signal ? { signal } : {};
  const checks: DiagnosisCheck[] = [];
  try {
    const page = await idp.listActions({ size: 20, ...call });
    checks.push({
      id: 'access.actions',
      group: 'access',
      name: 'actions',
      status: 'ok',
      message: `${page.total ?? page.actions.length} action(s) in this business group`,
    });
    if (!setup.target) return checks;
    const { ref } = setup.target;
    const version = await idp.getActionVersion(ref.actionId, ref.actionVersion, call);
    const runtime = runtimeBaseUrl(version);
    // On a loopback base URL (the mock) the published host cannot be the configured one: not a failure.
    const here = runtime === idp.baseUrl || isLoopbackHost(new URL(idp.baseUrl).hostname);
    // The service answered for another version than the one asked (a mock that knows one version, a
    // proxy that drops the path's end): nothing here says the version asked for is published.
    const answered = typeof version.version === 'string' ? version.version : undefined;
    const other = answered !== undefined && answered !== ref.actionVersion;
    checks.push({
      id: 'access.version',
      group: 'access',
      name: `version ${ref.actionVersion}`,
      status: here && !other ? 'ok' : 'fail',
      message: other
        ? `asked for version ${ref.actionVersion}, the service answered for version ${answered}`
        : runtime
          ? `published to ${runtime}`
          : 'not published to a runtime',
      ...(other
        ? {
            action: `check the version: \`idp actions\` lists the published versions of action ${ref.actionId}`,
          }
        : here
          ? {}
          : {
              action: `use the region (IDP_REGION, --region) or the base URL (IDP_BASE_URL, --base-url) of ${runtime ?? 'a published version'}`,
            }),
    });
  } catch (error) {
    checks.push({
      id: 'access.actions',
      group: 'access',
      name: 'actions',
      status: 'fail',
      message: shown(error),
      action:
        'listing actions needs the control plane (IDP_CONTROL_PLANE_URL) and a connected app allowed to read them',
    });
  }
  return checks;
}

/** The report as it leaves: every text through the redactor, `ok` when nothing failed. */
function report(checks: DiagnosisCheck[], drift: DriftReport[], redactor: Redactor): Diagnosis {
  const redacted = checks.map((check) => redactor.redactValue(check));
  return {
    ok: redacted.every((c) => c.status !== 'fail'),
    checks: redacted,
    drift: redactor.redactValue(drift),
  };
}

/** The checks that need a client, in order; each group runs only when the one before it passed. */
async function clientChecks(
  setup: Setup,
  redactor: Redactor,
  drift: DriftReport[],
  signal: AbortSignal | undefined,
): Promise<DiagnosisCheck[]> {
  const checks = await reachChecks(setup.idp);
  if (checks.some((c) => c.status === 'fail')) return checks;
  checks.push(await clockSkew(new URL(setup.idp.baseUrl).origin, setup.fetch, signal));
  const token = await tokenCheck(setup, redactor, signal);
  checks.push(token);
  if (token.status === 'fail') return checks;
  checks.push(...(await executionChecks(setup, signal)));
  checks.push(...(await discoveryChecks(setup, signal)));
  checks.push(...specChecks(drift));
  return checks;
}

/**
 * Checks a setup end to end, in order: where each setting came from (never its value); that the
 * settings make a client; DNS and TCP/TLS to the runtime, the token host and the control plane, and the
 * clock; one token request (type, lifetime, scopes; the connected-app checklist when refused); reading
 * an execution (when named), a page of actions and where its version runs; and every answer against the
 * spec (by path and class of value, never a value). A group runs only when the one before it passed.
 * Resolves with every check; rejects only on a bad argument. No secret, token or extracted value is in
 * the result: every text passes through the client's redactor.
 *
 * @example
 * ```ts
 * import { diagnose } from '@idp-kit/client/diagnose';
 *
 * const diagnosis = await diagnose({
 *   client: { organizationId, auth: { clientId, clientSecret } },
 *   execution: 'https://idp-rt.us-east-1.anypoint.mulesoft.com/api/v1/organizations/…/executions/…',
 * });
 * for (const check of diagnosis.checks) console.log(check.status, check.name, check.message, check.action ?? '');
 * process.exitCode = diagnosis.ok ? 0 : 1;
 * ```
 */
export async function diagnose(options: DiagnoseOptions): Promise<Diagnosis> {
  if (typeof options !== 'object' || options === null || options.client === undefined) {
    throw new TypeError(
      'diagnose() expects { client }: the options you would give createIdpClient(), or a client',
    );
  }
  const given = isClient(options.client)
    ? options.client.redactor
    : typeof options.client === 'object'
      ? options.client.redactor
      : undefined;
  const redactor = given ?? createRedactor();
  const checks = options.settings ? settingChecks(options.settings) : [];
  const drift: DriftReport[] = [];
  let setup: Awaited<ReturnType<typeof setUp>>;
  try {
    setup = await setUp(options, redactor, drift);
    checks.push({
      id: 'settings.shape',
      group: 'settings',
      name: 'shape',
      status: 'ok',
      message: `runtime ${setup.idp.baseUrl}, control plane ${setup.idp.controlPlaneUrl}`,
    });
  } catch (error) {
    checks.push({
      id: 'settings.shape',
      group: 'settings',
      name: 'shape',
      status: 'fail',
      message: (error as Error).message,
      action:
        'correct what the message names (a setting, or the execution named), then run the diagnosis again',
    });
    return report(checks, drift, redactor);
  }
  // The client's own redactor from here on: it knows the secret its options hold.
  const known = setup.idp.redactor ?? redactor;
  checks.push(...(await clientChecks(setup, known, drift, options.signal)));
  const ranSpec = checks.some((c) => c.group === 'access');
  if (setup.specSkipped && ranSpec) {
    checks.push({ id: 'spec', group: 'spec', name: 'spec', status: 'skip', message: setup.specSkipped });
  }
  return report(checks, drift, known);
}
