import {
  type Comparison,
  comparatorsFor,
  compareAll,
  type EvalConfig,
  type Extracted,
  indexResult,
} from './compare.js';
import { type EvalReport, type FieldReport, reportOf } from './evaluate.js';
import { EvalInputError, isPresent, type ResultDocument, type TruthRow } from './inputs.js';
import { matchDocuments } from './match.js';
import { matchRows } from './row-matching.js';

/**
 * How a value differs between side a (the current version) and side b (the candidate).
 *
 * @example
 * ```ts
 * const kind: ChangeKind = 'disappeared'; // a had a value, b has none
 * ```
 */
export type ChangeKind = 'changed' | 'appeared' | 'disappeared';

/**
 * What the truth says of a changed value: `regressed` (right in a, wrong in b), `improved` (the other
 * way), `still-wrong`, `still-right` (a loose comparator can take both), or `unjudged` (no truth for it).
 *
 * @example
 * ```ts
 * const worst: Verdict = 'regressed';
 * ```
 */
export type Verdict = 'regressed' | 'unjudged' | 'still-wrong' | 'still-right' | 'improved';

/**
 * One value that is not the same on both sides, with its document, both values and both scores.
 *
 * @example
 * ```ts
 * const c: ChangedValue = {
 *   field: 'total', kind: 'changed', hash: 'ab12…', file: { a: '/in/x.pdf', b: '/in/x.pdf' },
 *   a: { value: '120.00', confidence: 97 }, b: { value: '12.00', confidence: 61 },
 *   truth: '120.00', verdict: 'regressed', confidenceDrop: 36,
 * };
 * ```
 */
export interface ChangedValue {
  field: string;
  /** The row of a table cell: b's row, or a's when b has no row paired with it. */
  row?: number;
  /**
   * A table cell's row on each side: rows are paired one to one by likeness (the Hungarian algorithm, as
   * eval pairs them with truth), so b's row 3 may be a's row 2; a side without the row has none here.
   */
  rows?: { a?: number; b?: number };
  kind: ChangeKind;
  /** The document's SHA-256, which matched the two sides. */
  hash?: string;
  file: { a: string; b: string };
  a: { value: string | null; confidence?: number };
  b: { value: string | null; confidence?: number };
  /** The right value, when the truth was given and has it (`null`: not on the document). */
  truth?: string | null;
  verdict: Verdict;
  /** a's score minus b's; a side with no value (or no score) counts 0. */
  confidenceDrop: number;
}

/**
 * The figures of one field (or `overall`) across the two sides. Every compared document (for a table
 * column: every row present on either side) is in exactly one of agree, neither, changed, appeared and
 * disappeared.
 *
 * @example
 * ```ts
 * const { agree, changed, changedShare, meanConfidence }: FieldDiff = report.fields.total!;
 * ```
 */
export interface FieldDiff {
  compared: number;
  /** Both sides have a value and the field's comparator says they are equal. */
  agree: number;
  /** Neither side has a value. */
  neither: number;
  changed: number;
  /** Only b has a value. */
  appeared: number;
  /** Only a has a value. */
  disappeared: number;
  /** (changed + appeared + disappeared) / the values present on either side; `null` when none is. */
  changedShare: number | null;
  /** Mean score (0–100) of the values present with a score, per side, and b − a. */
  meanConfidence: { a: number | null; b: number | null; change: number | null };
  /** With truth: each side's eval figures (over the documents both sides have) and b − a. */
  eval?: {
    a: FieldReport;
    b: FieldReport;
    change: {
      precision: number | null;
      recall: number | null;
      f1: number | null;
      accuracy: number | null;
    };
  };
}

/**
 * What `idp diff --json` prints (without the gate, which `checkGate()` adds).
 *
 * @example
 * ```ts
 * const report: DiffReport = diffResults(a, b).report;
 * console.log(`${report.matched} documents on both sides, ${report.changes.length} values differ`);
 * ```
 */
export interface DiffReport {
  a: { source: string; documents: number };
  b: { source: string; documents: number };
  /** Documents found on both sides (by content hash). */
  matched: number;
  onlyInA: string[];
  onlyInB: string[];
  fields: Record<string, FieldDiff>;
  overall: FieldDiff;
  /** Every value that differs, worst first (see {@link worseFirst}). */
  changes: ChangedValue[];
  /** With truth: how many of the common documents a truth row matched, and the rows that matched none. */
  truth?: { matched: number; unmatchedTruth: string[] };
}

/**
 * A diff, and with truth each side's comparison (what the HTML report draws its reliability diagrams from).
 *
 * @example
 * ```ts
 * const { report, comparisons } = diffResults(a, b, { truth });
 * ```
 */
export interface VersionDiff {
  report: DiffReport;
  comparisons?: { a: Comparison; b: Comparison };
  /** With truth: each side's full eval report over the common documents. */
  evals?: { a: EvalReport; b: EvalReport };
}

/**
 * Options of {@link diffResults}.
 *
 * @example
 * ```ts
 * const options: DiffOptions = { truth, config: { fields: { total: 'number' } }, sources: { a: '1.1.0', b: '1.2.0' } };
 * ```
 */
export interface DiffOptions {
  truth?: readonly TruthRow[];
  /** Comparators per field, as for eval: they also decide whether two values agree. */
  config?: EvalConfig;
  targetAccuracy?: number;
  /** Names of the two sides, for the report (a folder, a version). */
  sources?: { a: string; b: string };
}

const VERDICT_RANK: Record<Verdict, number> = {
  regressed: 0,
  unjudged: 1,
  'still-wrong': 2,
  'still-right': 3,
  improved: 4,
};
const KIND_RANK: Record<ChangeKind, number> = { disappeared: 0, changed: 1, appeared: 2 };

/**
 * The "worst change first" order: a value that was right and became wrong first, then those the truth
 * cannot judge, then still wrong, still right, and improved last; within each, the largest confidence drop
 * first, then a lost value before a changed one before a new one. `Array.prototype.sort` is stable, so
 * ties keep a's document order.
 *
 * @example
 * ```ts
 * changes.sort(worseFirst);
 * ```
 */
export function worseFirst(x: ChangedValue, y: ChangedValue): number {
  return (
    VERDICT_RANK[x.verdict] - VERDICT_RANK[y.verdict] ||
    y.confidenceDrop - x.confidenceDrop ||
    KIND_RANK[x.kind] - KIND_RANK[y.kind]
  );
}

/** Content hash when the result has one (batches record it), else the file path. */
const keyOf = (d: ResultDocument) => (d.hash ? `sha256:${d.hash.toLowerCase()}` : `file:${d.file}`);

/** The documents both sides have, by content; each content once (the first line of it wins). */
function pairUp(a: readonly ResultDocument[], b: readonly ResultDocument[]) {
  const inB = new Map<string, ResultDocument>();
  for (const d of b) if (!inB.has(keyOf(d))) inB.set(keyOf(d), d);
  const seen = new Set<string>();
  const pairs: [ResultDocument, ResultDocument][] = [];
  const onlyInA: string[] = [];
  for (const d of a) {
    const key = keyOf(d);
    if (seen.has(key)) continue;
    seen.add(key);
    const other = inB.get(key);
    if (other) pairs.push([d, other]);
    else onlyInA.push(d.file);
  }
  const onlyInB: string[] = [];
  for (const [key, d] of inB) if (!seen.has(key)) onlyInB.push(d.file);
  return { pairs, onlyInA, onlyInB };
}

class FieldTally {
  compared = 0;
  agree = 0;
  neither = 0;
  changed = 0;
  appeared = 0;
  disappeared = 0;
  sumA = 0;
  scoredA = 0;
  sumB = 0;
  scoredB = 0;

  addTo(total: FieldTally): void {
    for (const k of Object.keys(this) as (keyof FieldTally)[])
      if (typeof this[k] === 'number') (total[k] as number) += this[k] as number;
  }

  figures(): FieldDiff {
    const present = this.agree + this.changed + this.appeared + this.disappeared;
    const a = this.scoredA === 0 ? null : this.sumA / this.scoredA;
    const b = this.scoredB === 0 ? null : this.sumB / this.scoredB;
    return {
      compared: this.compared,
      agree: this.agree,
      neither: this.neither,
      changed: this.changed,
      appeared: this.appeared,
      disappeared: this.disappeared,
      changedShare: present === 0 ? null : (this.changed + this.appeared + this.disappeared) / present,
      meanConfidence: { a, b, change: a === null || b === null ? null : b - a },
    };
  }
}

/** Judges one side's value of one document against the truth, by that side's own eval comparison. */
type Judge = (file: string, field: string, row: number | undefined, present: boolean) => boolean | undefined;

function judgeOf(side: readonly ResultDocument[], truth: readonly TruthRow[], comparison: Comparison) {
  const wrong = new Set<string>();
  for (const [, f] of comparison.fields)
    for (const w of f.wrong) wrong.add(`${w.file}\u0000${w.field}\u0000${w.row ?? ''}`);
  const truthOf = new Map<string, TruthRow>();
  for (const [ri, ti] of matchDocuments(side, truth).pairs)
    truthOf.set((side[ri] as ResultDocument).file, truth[ti] as TruthRow);
  const judge: Judge = (file, field, row, present) => {
    if (!truthOf.has(file) || !comparison.fields.has(field)) return undefined;
    // An absent cell has no row of its own to find among the wrong values: left unjudged.
    if (row !== undefined && !present) return undefined;
    return !wrong.has(`${file}\u0000${field}\u0000${row ?? ''}`);
  };
  const truthValue = (file: string, field: string): string | null | undefined => {
    const row = truthOf.get(file);
    if (!row || !(field in row.fields) || !comparison.fields.has(field)) return undefined;
    const v = row.fields[field];
    return isPresent(v) ? v : null;
  };
  return { judge, truthValue };
}

function verdictOf(right: { a: boolean | undefined; b: boolean | undefined }): Verdict {
  if (right.a === undefined || right.b === undefined) return 'unjudged';
  if (right.a) return right.b ? 'still-right' : 'regressed';
  return right.b ? 'improved' : 'still-wrong';
}

const change = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);

function withEval(diff: FieldDiff, a: FieldReport | undefined, b: FieldReport | undefined): FieldDiff {
  if (!a || !b) return diff;
  return {
    ...diff,
    eval: {
      a,
      b,
      change: {
        precision: change(a.precision, b.precision),
        recall: change(a.recall, b.recall),
        f1: change(a.f1, b.f1),
        accuracy: change(a.accuracy, b.accuracy),
      },
    },
  };
}

type Judges = { a: ReturnType<typeof judgeOf>; b: ReturnType<typeof judgeOf> };

/**
 * The diff, one pair of documents at a time (so that one side may be streamed): each pair is indexed,
 * compared field by field and let go. A field or column a pair does not name on either side is counted
 * `neither` at the end, from the number of documents (or the table's rows) compared.
 */
class Differ {
  private readonly tallies = new Map<string, FieldTally>();
  /** Per table: its columns, and the rows compared (present on either side). */
  private readonly tables = new Map<string, { columns: Set<string>; rows: number }>();
  private readonly plain = new Set<string>();
  private pairs = 0;
  readonly changes: ChangedValue[] = [];
  /** Each change's document's place in side a: ties of the worst-first order keep a's order. */
  private readonly places: number[] = [];
  private place = 0;
  private outOfOrder = false;
  private readonly comparatorOf: ReturnType<typeof comparatorsFor>;

  constructor(
    private readonly config: EvalConfig | undefined,
    private readonly judges: Judges | undefined,
  ) {
    // Names are known only at the end: the config's are checked against them in finish().
    this.comparatorOf = comparatorsFor(config, () => true);
  }

  private tally(name: string): FieldTally {
    let t = this.tallies.get(name);
    if (!t) {
      t = new FieldTally();
      this.tallies.set(name, t);
    }
    return t;
  }

  /** One pair of documents; `place` is a's document's place in side a when pairs come out of a's order. */
  add(da: ResultDocument, db: ResultDocument, place = this.pairs): void {
    this.pairs++;
    if (place < this.place) this.outOfOrder = true;
    this.place = place;
    // Indexed one pair at a time, and let go: the values themselves are the results' own objects.
    const ia = indexResult(da);
    const ib = indexResult(db);
    let inBoth = 0;
    for (const [name, va] of ia.fields) {
      const vb = ib.fields.get(name);
      if (vb !== undefined) inBoth++;
      this.compare(name, da, db, va, vb);
    }
    // Only when b names a field a does not: usually both sides name the same ones.
    if (inBoth < ib.fields.size)
      for (const [name, vb] of ib.fields) if (!ia.fields.has(name)) this.compare(name, da, db, undefined, vb);
    // Most documents have no table: no set of names is made for them.
    if (ia.tables.size === 0 && ib.tables.size === 0) return;
    for (const table of new Set([...ia.tables.keys(), ...ib.tables.keys()])) {
      let known = this.tables.get(table);
      if (!known) {
        known = { columns: new Set<string>(), rows: 0 };
        this.tables.set(table, known);
      }
      const ra = ia.tables.get(table);
      const rb = ib.tables.get(table);
      // Rows are paired as eval pairs them (Hungarian, on likeness), not by index: a row read at the
      // top on one side would otherwise make every later row "changed".
      const comparatorOf = (column: string) => this.comparatorOf(`${table}.${column}`);
      for (const [rowA, rowB] of matchRows(ra, rb, comparatorOf)) {
        known.rows++;
        const ca = rowA === undefined ? undefined : ra?.get(rowA);
        const cb = rowB === undefined ? undefined : rb?.get(rowB);
        const rows = {
          ...(rowA !== undefined ? { a: rowA } : {}),
          ...(rowB !== undefined ? { b: rowB } : {}),
        };
        for (const column of new Set([...(ca?.keys() ?? []), ...(cb?.keys() ?? [])])) {
          known.columns.add(column);
          this.compare(`${table}.${column}`, da, db, ca?.get(column), cb?.get(column), rows);
        }
      }
    }
  }

  private compare(
    name: string,
    da: ResultDocument,
    db: ResultDocument,
    va: Extracted | undefined,
    vb: Extracted | undefined,
    rows?: { a?: number; b?: number },
  ): void {
    if (rows === undefined) this.plain.add(name);
    const t = this.tally(name);
    const pa = isPresent(va?.value);
    const pb = isPresent(vb?.value);
    const sa = pa ? va?.confidence : undefined;
    const sb = pb ? vb?.confidence : undefined;
    if (sa !== undefined) {
      t.sumA += sa;
      t.scoredA++;
    }
    if (sb !== undefined) {
      t.sumB += sb;
      t.scoredB++;
    }
    // Neither side has it: counted at the end, with the pairs that do not name it at all.
    if (!pa && !pb) return;
    // The same text is equal under every comparator: most values agree, and parsing them is the cost.
    if (
      pa &&
      pb &&
      (va?.value === vb?.value || this.comparatorOf(name)(va?.value as string, vb?.value as string))
    )
      return void t.agree++;
    const kind: ChangeKind = pa && pb ? 'changed' : pb ? 'appeared' : 'disappeared';
    t[kind]++;
    const { judges } = this;
    const verdict = judges
      ? verdictOf({
          // A side without the row has no value there: -1 finds no row, and an absent cell is unjudged.
          a: judges.a.judge(da.file, name, rows ? (rows.a ?? -1) : undefined, pa),
          b: judges.b.judge(db.file, name, rows ? (rows.b ?? -1) : undefined, pb),
        })
      : 'unjudged';
    const truth = rows === undefined ? judges?.a.truthValue(da.file, name) : undefined;
    this.places.push(this.place);
    this.changes.push({
      field: name,
      ...(rows !== undefined ? { row: (rows.b ?? rows.a) as number, rows } : {}),
      kind,
      ...(da.hash ? { hash: da.hash } : {}),
      file: { a: da.file, b: db.file },
      a: { value: pa ? (va?.value as string) : null, ...(sa !== undefined ? { confidence: sa } : {}) },
      b: { value: pb ? (vb?.value as string) : null, ...(sb !== undefined ? { confidence: sb } : {}) },
      ...(truth !== undefined ? { truth } : {}),
      verdict,
      confidenceDrop: (sa ?? 0) - (sb ?? 0),
    });
  }

  /** The figures per field and overall; the config's fields checked against every name met. */
  finish(evals: VersionDiff['evals']): { fields: Record<string, FieldDiff>; overall: FieldDiff } {
    const known = (name: string) =>
      this.plain.has(name) ||
      (evals !== undefined && name in evals.a.fields) ||
      [...this.tables].some(
        ([t, { columns }]) => name.startsWith(`${t}.`) && columns.has(name.slice(t.length + 1)),
      );
    comparatorsFor(this.config, known); // throws, as eval does, for a field found nowhere
    if (this.outOfOrder) {
      // Back into a's order first: the sort below is stable.
      const byPlace = this.changes.map((c, i) => [this.places[i] ?? 0, c] as const);
      byPlace.sort((x, y) => x[0] - y[0]);
      byPlace.forEach(([, c], i) => {
        this.changes[i] = c;
      });
    }
    this.changes.sort(worseFirst);
    const total = new FieldTally();
    const fields: Record<string, FieldDiff> = {};
    for (const [name, t] of this.tallies) {
      const dot = name.indexOf('.');
      const table = this.plain.has(name) ? undefined : this.tables.get(name.slice(0, dot));
      t.compared = table ? table.rows : this.pairs;
      t.neither = t.compared - t.agree - t.changed - t.appeared - t.disappeared;
      t.addTo(total);
      fields[name] = withEval(t.figures(), evals?.a.fields[name], evals?.b.fields[name]);
    }
    // Fields only the truth has (extracted on neither side) still get their eval figures.
    if (evals) {
      for (const name of Object.keys(evals.a.fields))
        if (!fields[name])
          fields[name] = withEval(new FieldTally().figures(), evals.a.fields[name], evals.b.fields[name]);
    }
    return { fields, overall: withEval(total.figures(), evals?.a.overall, evals?.b.overall) };
  }
}

const noneInCommon = (sources: { a: string; b: string }) =>
  new EvalInputError(
    `${sources.a} and ${sources.b} have no document in common (documents are matched by their content's SHA-256): diff two runs over the same documents`,
  );

/**
 * Compares two result sets of the same documents (two action versions, or one version on two dates):
 * documents are matched by content hash; per field, how many agree, changed, appeared or disappeared,
 * and the change in mean confidence; every changed value, worst first. With `truth`, each side is
 * evaluated (over the documents both have) with eval's comparators and metrics, and each changed value
 * is judged. Pure: read the sides with `readResults()`.
 *
 * @example
 * ```ts
 * const { report } = diffResults(await readResults('out/1.1.0'), await readResults('out/1.2.0'), {
 *   truth: await readTruth('truth.csv'),
 *   config: { fields: { total: 'number' } },
 * });
 * console.log(report.fields.total?.eval?.change.f1); // -0.02: F1 fell by 2 points
 * ```
 */
export function diffResults(
  a: readonly ResultDocument[],
  b: readonly ResultDocument[],
  options: DiffOptions = {},
): VersionDiff {
  const { pairs, onlyInA, onlyInB } = pairUp(a, b);
  const sources = options.sources ?? { a: 'a', b: 'b' };
  if (pairs.length === 0) throw noneInCommon(sources);

  let evals: VersionDiff['evals'];
  let comparisons: VersionDiff['comparisons'];
  let judges: Judges | undefined;
  if (options.truth) {
    const common = { a: pairs.map(([da]) => da), b: pairs.map(([, db]) => db) };
    comparisons = {
      a: compareAll(common.a, options.truth, options.config),
      b: compareAll(common.b, options.truth, options.config),
    };
    evals = {
      a: reportOf(comparisons.a, options.targetAccuracy),
      b: reportOf(comparisons.b, options.targetAccuracy),
    };
    judges = {
      a: judgeOf(common.a, options.truth, comparisons.a),
      b: judgeOf(common.b, options.truth, comparisons.b),
    };
  }
  const differ = new Differ(options.config, judges);
  for (const [da, db] of pairs) differ.add(da, db);
  const { fields, overall } = differ.finish(evals);
  const report: DiffReport = {
    a: { source: sources.a, documents: a.length },
    b: { source: sources.b, documents: b.length },
    matched: pairs.length,
    onlyInA,
    onlyInB,
    fields,
    overall,
    changes: differ.changes,
    ...(evals && comparisons
      ? { truth: { matched: comparisons.a.matched, unmatchedTruth: comparisons.a.unmatchedTruth } }
      : {}),
  };
  return { report, ...(comparisons ? { comparisons } : {}), ...(evals ? { evals } : {}) };
}

/**
 * {@link diffResults} without truth, with side a read as it streams (`eachResult()`). Side b may be an
 * array (held in memory) or stream too: then both are read side by side and each pair is let go once
 * compared; only documents out of step wait for their other half (`idp diff` without `--truth`). The
 * report is the same either way.
 *
 * @example
 * ```ts
 * const { report } = await diffStream(eachResult('out/1.1.0'), eachResult('out/1.2.0'), {
 *   config: { fields: { total: 'number' } },
 * });
 * ```
 */
export async function diffStream(
  a: AsyncIterable<ResultDocument> | Iterable<ResultDocument>,
  b: readonly ResultDocument[] | AsyncIterable<ResultDocument>,
  options: Omit<DiffOptions, 'truth' | 'targetAccuracy'> = {},
): Promise<VersionDiff> {
  if (!Array.isArray(b)) return diffStreams(a, b as AsyncIterable<ResultDocument>, options);
  const sources = options.sources ?? { a: 'a', b: 'b' };
  const inB = new Map<string, ResultDocument>();
  for (const d of b) if (!inB.has(keyOf(d))) inB.set(keyOf(d), d);
  const seen = new Set<string>();
  const onlyInA: string[] = [];
  const differ = new Differ(options.config, undefined);
  let documents = 0;
  let matched = 0;
  for await (const d of a) {
    documents++;
    const key = keyOf(d);
    if (seen.has(key)) continue;
    seen.add(key);
    const other = inB.get(key);
    if (!other) {
      onlyInA.push(d.file);
      continue;
    }
    matched++;
    differ.add(d, other);
  }
  if (matched === 0) throw noneInCommon(sources);
  const onlyInB: string[] = [];
  for (const [key, d] of inB) if (!seen.has(key)) onlyInB.push(d.file);
  const { fields, overall } = differ.finish(undefined);
  return {
    report: {
      a: { source: sources.a, documents },
      b: { source: sources.b, documents: b.length },
      matched,
      onlyInA,
      onlyInB,
      fields,
      overall,
      changes: differ.changes,
    },
  };
}

/**
 * Both sides streamed side by side (`diffStream()` with two iterables): two batches of the same documents
 * list them in the same order, so each pair is compared as soon as both halves are read and then let go.
 * A document whose other half has not come yet waits in a map; only documents out of step are held.
 * Holding all of side b made the garbage collector copy it from young to old space: a third of the time.
 */
async function diffStreams(
  a: AsyncIterable<ResultDocument> | Iterable<ResultDocument>,
  b: AsyncIterable<ResultDocument>,
  options: Omit<DiffOptions, 'truth' | 'targetAccuracy'>,
): Promise<VersionDiff> {
  const sources = options.sources ?? { a: 'a', b: 'b' };
  const differ = new Differ(options.config, undefined);
  const ia = (Symbol.asyncIterator in a ? a[Symbol.asyncIterator]() : a[Symbol.iterator]()) as
    | AsyncIterator<ResultDocument>
    | Iterator<ResultDocument>;
  const ib = b[Symbol.asyncIterator]();
  // Documents waiting for their other half, by content; and a's place of each (ties keep a's order).
  const waitingA = new Map<string, { doc: ResultDocument; place: number }>();
  const waitingB = new Map<string, ResultDocument>();
  const seenA = new Set<string>();
  const seenB = new Set<string>();
  const counted = { a: 0, b: 0, matched: 0, places: 0 };
  const takeA = (d: ResultDocument) => {
    counted.a++;
    const key = keyOf(d);
    if (seenA.has(key)) return; // the first line of a content wins
    seenA.add(key);
    const place = counted.places++;
    const other = waitingB.get(key);
    if (!other) return void waitingA.set(key, { doc: d, place });
    waitingB.delete(key);
    counted.matched++;
    differ.add(d, other, place);
  };
  const takeB = (d: ResultDocument) => {
    counted.b++;
    const key = keyOf(d);
    if (seenB.has(key)) return;
    seenB.add(key);
    const other = waitingA.get(key);
    if (!other) return void waitingB.set(key, d);
    waitingA.delete(key);
    counted.matched++;
    differ.add(other.doc, d, other.place);
  };
  let doneA = false;
  let doneB = false;
  try {
    while (!doneA || !doneB) {
      if (!doneA) {
        const next = await ia.next();
        if (next.done) doneA = true;
        else takeA(next.value);
      }
      if (!doneB) {
        const next = await ib.next();
        if (next.done) doneB = true;
        else takeB(next.value);
      }
    }
  } finally {
    // A side that threw (a bad line) or was left unfinished: the other's file is closed too.
    if (!doneA) await ia.return?.();
    if (!doneB) await ib.return?.();
  }
  if (counted.matched === 0) throw noneInCommon(sources);
  const { fields, overall } = differ.finish(undefined);
  return {
    report: {
      a: { source: sources.a, documents: counted.a },
      b: { source: sources.b, documents: counted.b },
      matched: counted.matched,
      onlyInA: [...waitingA.values()].map(({ doc }) => doc.file),
      onlyInB: [...waitingB.values()].map((d) => d.file),
      fields,
      overall,
      changes: differ.changes,
    },
  };
}
