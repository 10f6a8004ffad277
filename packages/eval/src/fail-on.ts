import type { DiffReport } from './diff.js';
import { EvalInputError } from './inputs.js';

/**
 * A rule of the CI gate (`--fail-on`):
 * - `f1-drop:<x>`: any field's F1 falls by more than x (0.01 is one point); needs truth;
 * - `changed:<p>%` (or a share, `changed:0.05`): more than p % of any field's values change (changed,
 *   appeared or disappeared, among the values present on either side);
 * - `missing-field`: a field that has a value on some document of a has none on any document of b.
 *
 * @example
 * ```ts
 * const rules: GateRule[] = parseFailOn(['f1-drop:0.01', 'changed:5%,missing-field']);
 * ```
 */
export type GateRule =
  | { rule: string; kind: 'f1-drop'; max: number }
  | { rule: string; kind: 'changed'; max: number }
  | { rule: string; kind: 'missing-field' };

/**
 * The gate's verdict: each rule with the fields that broke it.
 *
 * @example
 * ```ts
 * const gate: GateResult = checkGate(report, rules);
 * if (!gate.passed) console.error(gate.rules.filter((r) => r.broken));
 * ```
 */
export interface GateResult {
  passed: boolean;
  rules: { rule: string; broken: boolean; fields: string[] }[];
}

const RULES = 'f1-drop:<points, e.g. 0.01>, changed:<percent, e.g. 5%>, missing-field';

function share(text: string, rule: string): number {
  const percent = text.endsWith('%');
  const n = Number(percent ? text.slice(0, -1) : text);
  const value = percent ? n / 100 : n;
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new EvalInputError(
      `--fail-on ${rule}: expected a share from 0 to 1 or a percent from 0% to 100% after the colon`,
    );
  return value;
}

/**
 * Rules from `--fail-on` values: each may be repeated or hold several, comma-separated. Throws
 * {@link EvalInputError} naming the rule and the accepted ones.
 *
 * @example
 * ```ts
 * parseFailOn(['changed:5%']); // [{ rule: 'changed:5%', kind: 'changed', max: 0.05 }]
 * ```
 */
export function parseFailOn(specs: readonly string[]): GateRule[] {
  const rules: GateRule[] = [];
  for (const rule of specs.flatMap((s) => s.split(',')).map((s) => s.trim())) {
    if (rule === '') continue;
    const [kind, arg, ...rest] = rule.split(':');
    if (kind === 'missing-field' && arg === undefined) rules.push({ rule, kind });
    else if ((kind === 'f1-drop' || kind === 'changed') && arg !== undefined && rest.length === 0)
      rules.push({ rule, kind, max: share(arg, rule) });
    else throw new EvalInputError(`--fail-on ${rule}: unknown rule; use ${RULES}`);
  }
  return rules;
}

/**
 * Whether any rule needs truth (`f1-drop`).
 *
 * @example
 * ```ts
 * if (needsTruth(rules) && !truthFile) throw new Error('f1-drop needs --truth');
 * ```
 */
export function needsTruth(rules: readonly GateRule[]): GateRule | undefined {
  return rules.find((r) => r.kind === 'f1-drop');
}

/** Rounding of sums of shares (0.1 + 0.2) must not break a rule at its exact limit. */
const EPSILON = 1e-9;

function brokenBy(report: DiffReport, rule: GateRule): string[] {
  const fields = Object.entries(report.fields);
  switch (rule.kind) {
    case 'changed':
      return fields.filter(([, f]) => (f.changedShare ?? 0) > rule.max + EPSILON).map(([n]) => n);
    case 'missing-field':
      // Present on some document of a (agree, changed and disappeared all need a's value), on none of b.
      return fields
        .filter(([, f]) => f.agree + f.changed + f.disappeared > 0 && f.agree + f.changed + f.appeared === 0)
        .map(([n]) => n);
    case 'f1-drop': {
      if (!report.truth)
        throw new EvalInputError(`--fail-on ${rule.rule} needs --truth: F1 is measured against it`);
      // b with no F1 where a had one extracted nothing right: that is a fall to 0.
      return fields
        .filter(([, f]) => {
          const a = f.eval?.a.f1;
          if (a === null || a === undefined) return false;
          return a - (f.eval?.b.f1 ?? 0) > rule.max + EPSILON;
        })
        .map(([n]) => n);
    }
  }
}

/**
 * Checks a diff against the gate's rules: `passed` is false when any rule is broken, and each rule lists
 * the fields that broke it. An `f1-drop` rule on a diff without truth throws {@link EvalInputError}.
 *
 * @example
 * ```ts
 * const gate = checkGate(report, parseFailOn(['f1-drop:0.01', 'missing-field']));
 * process.exitCode = gate.passed ? 0 : 10;
 * ```
 */
export function checkGate(report: DiffReport, rules: readonly GateRule[]): GateResult {
  const checked = rules.map((r) => {
    const fields = brokenBy(report, r);
    return { rule: r.rule, broken: fields.length > 0, fields };
  });
  return { passed: checked.every((r) => !r.broken), rules: checked };
}
