import type { DriftReport } from './drift.js';

/**
 * How one check of `diagnose()` came out: `ok`; `warn` (worth a look, not a failure: a note of the
 * spec check, no answer to read a clock from); `fail` (something to fix, with what to do); `skip`
 * (not checked, and why: an optional setting not set, a check this setup cannot run).
 *
 * @example
 * ```ts
 * const failed = (s: DiagnosisStatus) => s === 'fail';
 * ```
 */
export type DiagnosisStatus = 'ok' | 'warn' | 'fail' | 'skip';

/**
 * The groups of checks, in the order `diagnose()` runs them: each needs the ones before it.
 *
 * @example
 * ```ts
 * const group: DiagnosisGroup = 'token';
 * ```
 */
export type DiagnosisGroup = 'settings' | 'reach' | 'token' | 'access' | 'spec';

/**
 * One check of `diagnose()`. No secret, token or extracted value is in any field: a diagnosis can be
 * pasted into a bug report, or handed to an agent, as it is.
 *
 * @example
 * ```ts
 * const check: DiagnosisCheck = {
 *   id: 'token', group: 'token', name: 'token', status: 'fail',
 *   message: 'the token endpoint answered 401 invalid_client',
 *   action: 'Check the connected app in Anypoint Access Management …',
 * };
 * ```
 */
export interface DiagnosisCheck {
  /** Stable, for programs: `settings.IDP_CLIENT_ID`, `reach.dns.<host>`, `reach.clock`, `token`, `access.actions`, … */
  id: string;
  group: DiagnosisGroup;
  /** Short, for people: `IDP_CLIENT_ID`, `DNS anypoint.mulesoft.com`, `token`, … */
  name: string;
  status: DiagnosisStatus;
  /** What was found. */
  message: string;
  /** What to do about it; given with every `fail`. */
  action?: string;
}

/**
 * What `diagnose()` found: every check in order, and the spec drift reports behind the `spec` checks.
 *
 * @example
 * ```ts
 * const diagnosis: Diagnosis = await diagnose({ client: options });
 * if (!diagnosis.ok) for (const c of diagnosis.checks.filter((c) => c.status === 'fail')) console.log(c.name, c.action);
 * ```
 */
export interface Diagnosis {
  /** No check failed. */
  ok: boolean;
  checks: DiagnosisCheck[];
  /** Each answer checked against the spec (paths and classes of values, never a value). */
  drift: DriftReport[];
}
