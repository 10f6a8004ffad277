import type { ResultDocument, TruthRow } from './inputs.js';

/**
 * Which truth row goes with which result, and what is left on each side.
 *
 * @example
 * ```ts
 * const { pairs, unmatchedTruth, unmatchedResults }: Matching = matchDocuments(results, truth);
 * ```
 */
export interface Matching {
  /** `[result index, truth index]`, in the results' order. */
  pairs: [number, number][];
  /** Truth rows' `file` that matched no result. */
  unmatchedTruth: string[];
  /** Results' `file` that no truth row matched. */
  unmatchedResults: string[];
}

const SHA256 = /^(?:sha256:)?([0-9a-f]{64})$/i;

/** Forward slashes, no leading `./`: Windows and POSIX paths compare alike. */
function slashed(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
}

function baseName(path: string): string {
  const s = slashed(path);
  return s.slice(s.lastIndexOf('/') + 1);
}

/**
 * Pairs each truth row with at most one result, one to one, in the truth's order: by SHA-256 when the
 * truth's `file` is one, by path when it has a folder in it (the result's path ends with it: a path
 * relative to the batch's input), else by base name. The first result not yet taken wins.
 *
 * @example
 * ```ts
 * matchDocuments([{ file: '/in/a/x.pdf', fields: [] }], [{ file: 'a/x.pdf', fields: {} }]).pairs; // [[0, 0]]
 * ```
 */
export function matchDocuments(results: readonly ResultDocument[], truth: readonly TruthRow[]): Matching {
  const byName = new Map<string, number[]>();
  const byHash = new Map<string, number[]>();
  // Pushed, not spread: a copy of the list per result made this quadratic in same-named files, and
  // cost a new array per result (a tenth of a 10,000-document diff's time).
  const add = (map: Map<string, number[]>, key: string, i: number) => {
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  };
  results.forEach((r, i) => {
    add(byName, baseName(r.file), i);
    if (r.hash) add(byHash, r.hash.toLowerCase(), i);
  });
  const taken = new Set<number>();
  const pairs: [number, number][] = [];
  const unmatchedTruth: string[] = [];
  truth.forEach((t, ti) => {
    const key = slashed(t.file.trim());
    const hash = SHA256.exec(key)?.[1]?.toLowerCase();
    let candidates = hash ? (byHash.get(hash) ?? []) : (byName.get(baseName(key)) ?? []);
    if (!hash && key.includes('/')) {
      candidates = candidates.filter((i) => {
        const path = slashed(results[i]?.file ?? '');
        return path === key || path.endsWith(`/${key}`);
      });
    }
    const ri = candidates.find((i) => !taken.has(i));
    if (ri === undefined) unmatchedTruth.push(t.file);
    else {
      taken.add(ri);
      pairs.push([ri, ti]);
    }
  });
  pairs.sort((a, b) => a[0] - b[0]);
  const unmatchedResults = results.filter((_, i) => !taken.has(i)).map((r) => r.file);
  return { pairs, unmatchedTruth, unmatchedResults };
}
