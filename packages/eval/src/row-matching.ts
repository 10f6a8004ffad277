import { type Comparator, similarity } from './comparators.js';
import type { Extracted } from './compare.js';
import { hungarian } from './hungarian.js';
import { isPresent } from './inputs.js';

/** A table as a result gives it: row index → column → value. */
export type TableRows = ReadonlyMap<number, ReadonlyMap<string, Extracted>>;

/**
 * Two rows' likeness, 0–1, over the columns either has: a column both leave empty is skipped; a value on
 * one side only counts 0; two values count 1 when the column's comparator takes them, else half their
 * text similarity (so that a near miss still pairs with its row). As eval pairs truth rows with results.
 */
function likeness(
  a: ReadonlyMap<string, Extracted>,
  b: ReadonlyMap<string, Extracted>,
  comparatorOf: (column: string) => Comparator,
): number {
  let compared = 0;
  let agree = 0;
  const score = (column: string, x: string | null | undefined, y: string | null | undefined) => {
    if (!isPresent(x) && !isPresent(y)) return;
    compared++;
    if (isPresent(x) && isPresent(y))
      agree += comparatorOf(column)(x as string, y as string) ? 1 : similarity(x as string, y as string) / 2;
  };
  for (const [column, va] of a) score(column, va.value, b.get(column)?.value);
  for (const [column, vb] of b) if (!a.has(column)) score(column, undefined, vb.value);
  return compared === 0 ? 1 : agree / compared;
}

/** Whether row i of a and row i of b agree in every column: then the index pairs them, no search needed. */
function alignedByIndex(
  a: readonly [number, ReadonlyMap<string, Extracted>][],
  b: readonly [number, ReadonlyMap<string, Extracted>][],
  comparatorOf: (column: string) => Comparator,
): boolean {
  if (a.length !== b.length) return false;
  return a.every(
    ([, ra], i) => likeness(ra, (b[i] as [number, ReadonlyMap<string, Extracted>])[1], comparatorOf) === 1,
  );
}

/**
 * Pairs the rows of one table on two sides one to one, as eval pairs truth rows with extracted ones: the
 * Hungarian algorithm on row likeness, so that a row inserted at the top leaves every later row paired
 * with itself (and counted once, as appeared) instead of making each of them "changed". Ties go to the
 * closer index. Rows left over on either side come back paired with `undefined`, in row order.
 *
 * @returns pairs `[row of a, row of b]` (row indexes as the results give them), a's rows in order first.
 * @example
 * ```ts
 * matchRows(tableA, tableB, (column) => comparatorOf(`items.${column}`));
 * // [[0, 1], [1, 2], [undefined, 0]]: b read a new row at the top
 * ```
 */
export function matchRows(
  a: TableRows | undefined,
  b: TableRows | undefined,
  comparatorOf: (column: string) => Comparator,
): [number | undefined, number | undefined][] {
  const ra = [...(a ?? new Map())].sort((x, y) => x[0] - y[0]);
  const rb = [...(b ?? new Map())].sort((x, y) => x[0] - y[0]);
  if (rb.length === 0) return ra.map(([i]) => [i, undefined]);
  if (ra.length === 0) return rb.map(([j]) => [undefined, j]);
  if (alignedByIndex(ra, rb, comparatorOf)) return ra.map(([i], k) => [i, rb[k]?.[0]]);
  // A hair of index distance breaks ties: equally good pairings keep the rows' order.
  const cost = ra.map(([, x], i) =>
    rb.map(
      ([, y], j) => 1 - likeness(x, y, comparatorOf) + (1e-6 * Math.abs(i - j)) / (ra.length + rb.length),
    ),
  );
  const assigned = hungarian(cost);
  const pairs: [number | undefined, number | undefined][] = [];
  const taken = new Set<number>();
  ra.forEach(([i], k) => {
    const j = assigned[k] ?? -1;
    if (j >= 0) taken.add(j);
    pairs.push([i, j >= 0 ? rb[j]?.[0] : undefined]);
  });
  rb.forEach(([j], k) => {
    if (!taken.has(k)) pairs.push([undefined, j]);
  });
  return pairs;
}
