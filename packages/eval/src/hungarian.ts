/**
 * The one-to-one assignment of rows to columns with the least total cost (the Hungarian algorithm,
 * Kuhn–Munkres with potentials, O(n²m)). A rectangular matrix is fine: each row of the shorter side gets
 * one partner; the rest stay unassigned.
 *
 * Written here (about 40 lines) rather than taken from npm: `munkres-js`, the usual package, has had no
 * release since 2017 and ships no types, and table rows per document are few.
 *
 * @returns for each row index, the column it is assigned to, or -1.
 * @example
 * ```ts
 * hungarian([[4, 1], [2, 0]]); // [1, 0]: 1 + 2 beats 4 + 0
 * ```
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const cols = rows === 0 ? 0 : Math.max(...cost.map((r) => r.length));
  if (rows === 0 || cols === 0) return new Array<number>(rows).fill(-1);
  // The algorithm wants rows ≤ columns: solve the transpose otherwise.
  if (rows > cols) {
    const transposed = Array.from({ length: cols }, (_, j) => cost.map((r) => r[j] ?? 0));
    const byColumn = hungarian(transposed);
    const out = new Array<number>(rows).fill(-1);
    byColumn.forEach((i, j) => {
      if (i >= 0) out[i] = j;
    });
    return out;
  }
  const n = rows;
  const m = cols;
  const at = (i: number, j: number) => cost[i - 1]?.[j - 1] ?? 0;
  // 1-based, with index 0 as the "virtual" start column, as in the classic formulation.
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(m + 1).fill(0);
  const p = new Array<number>(m + 1).fill(0); // p[j]: the row assigned to column j
  const way = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(m + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Array<boolean>(m + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0] ?? 0;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = at(i0, j) - (u[i0] ?? 0) - (v[j] ?? 0);
        if (reduced < (minv[j] ?? 0)) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if ((minv[j] ?? 0) < delta) {
          delta = minv[j] ?? 0;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j] ?? 0] = (u[p[j] ?? 0] ?? 0) + delta;
          v[j] = (v[j] ?? 0) - delta;
        } else minv[j] = (minv[j] ?? 0) - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0] ?? 0;
      p[j0] = p[j1] ?? 0;
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if ((p[j] ?? 0) > 0) out[(p[j] ?? 0) - 1] = j - 1;
  return out;
}
