/**
 * The spec checks of `diagnose()`: each answer the spec describes, as the drift check saw it. The same
 * answer seen again (a retry) is one check, counted, not a line per attempt.
 */
import type { DiagnosisCheck } from './diagnosis.js';
import type { Drift, DriftReport } from './drift.js';

function describe(drift: readonly Drift[], requestIdHeader: string | undefined): string {
  if (drift.length === 0) return `matches the spec; request id header: ${requestIdHeader ?? 'none'}`;
  return drift
    .map(
      (d) =>
        `${d.note ? 'note' : 'drift'} ${d.path}: ${d.kind}${d.expected ? `, expected ${d.expected}` : ''}${d.got ? `, got ${d.got}` : ''}`,
    )
    .join('; ');
}

/**
 * One check per operation's answer (the drift hook sees each operation once, retries aside): `fail` on
 * drift, `warn` on notes only (an extra field), else `ok`.
 */
export function specChecks(reports: readonly DriftReport[]): DiagnosisCheck[] {
  return reports.map((report) => {
    const failures = report.drift.some((d) => !d.note);
    const notes = report.drift.some((d) => d.note);
    const path = new URL(report.url).pathname;
    return {
      id: `spec.${report.method} ${path} ${report.status}`,
      group: 'spec',
      name: `${report.method} ${path} ${report.status} (${report.schema})`,
      status: failures ? 'fail' : notes ? 'warn' : 'ok',
      message: describe(report.drift, report.requestIdHeader),
      ...(failures
        ? { action: 'please report this (it has no values in it): the spec needs to learn it' }
        : {}),
    };
  });
}
