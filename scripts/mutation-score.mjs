// Reads Stryker's JSON reports (mutation-testing-report-schema) into one row per file, with the score
// Stryker prints: detected (killed + timed out) over valid (detected + survived + not covered).

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/**
 * Counts of one file's mutants and its score in percent (`NaN` when it has no valid mutant).
 *
 * @example
 * ```js
 * fileScore([{ status: 'Killed' }, { status: 'Survived' }]).score; // 50
 * ```
 *
 * @param {{ status: string }[]} mutants
 */
export function fileScore(mutants) {
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
  return {
    killed: count('Killed'),
    timeout: count('Timeout'),
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    errors: count('CompileError') + count('RuntimeError'),
    score: (100 * detected) / (detected + undetected),
  };
}

/**
 * One row per mutated file of a report, plus an `all files` row.
 *
 * @example
 * ```js
 * reportRows(JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8')));
 * ```
 *
 * @param {{ files: Record<string, { mutants: { status: string }[] }> }} report
 */
export function reportRows(report) {
  const files = Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b));
  const rows = files.map(([file, { mutants }]) => ({ file, ...fileScore(mutants) }));
  const all = files.flatMap(([, { mutants }]) => mutants);
  return [...rows, { file: 'all files', ...fileScore(all) }];
}

/**
 * A plain-text table of `rows` whose columns are as wide as their widest cell.
 *
 * @example
 * ```js
 * console.log(table([{ package: 'auth', score: '90.00' }]));
 * ```
 *
 * @param {Record<string, string | number>[]} rows
 */
export function table(rows) {
  if (rows.length === 0) return '(no report)';
  const columns = Object.keys(rows[0]);
  const width = (c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length));
  const line = (cells) => cells.map((cell, i) => String(cell).padEnd(width(columns[i]))).join('  ');
  return [
    line(columns),
    line(columns.map((c) => '-'.repeat(width(c)))),
    ...rows.map((r) => line(columns.map((c) => r[c]))),
  ].join('\n');
}
