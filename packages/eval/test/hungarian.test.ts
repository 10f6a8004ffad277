import { describe, expect, it } from 'vitest';
import { hungarian } from '../src/hungarian.js';

/** Every assignment, the slow way: the least total cost. */
function bruteForce(cost: number[][]): number {
  const n = cost.length;
  const cols = cost[0]?.length ?? 0;
  let best = Number.POSITIVE_INFINITY;
  const walk = (i: number, used: Set<number>, sum: number) => {
    if (i === n) {
      best = Math.min(best, sum);
      return;
    }
    for (let j = 0; j < cols; j++) {
      if (used.has(j)) continue;
      used.add(j);
      walk(i + 1, used, sum + (cost[i]?.[j] ?? 0));
      used.delete(j);
    }
  };
  walk(0, new Set(), 0);
  return best;
}

describe('hungarian', () => {
  it('takes the cheapest one-to-one assignment, not the greedy one', () => {
    // [1, 0] costs 1 + 2 = 3, [0, 1] costs 4 + 0 = 4; on the 3×3, the anti-diagonal (10) is least.
    expect(
      hungarian([
        [4, 1],
        [2, 0],
      ]),
    ).toEqual([1, 0]);
    expect(
      hungarian([
        [1, 2, 3],
        [2, 4, 6],
        [3, 6, 9],
      ]),
    ).toEqual([2, 1, 0]);
  });
  it('handles more rows than columns and the reverse', () => {
    expect(
      hungarian([
        [0, 9],
        [9, 0],
        [5, 5],
      ]),
    ).toEqual([0, 1, -1]);
    expect(hungarian([[9, 0, 9]])).toEqual([1]);
    expect(hungarian([])).toEqual([]);
    expect(hungarian([[], []])).toEqual([-1, -1]);
  });
  it('matches brute force on random matrices', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(random() * 5);
      const m = n + Math.floor(random() * 2);
      const cost = Array.from({ length: n }, () =>
        Array.from({ length: m }, () => Math.round(random() * 10)),
      );
      const assigned = hungarian(cost);
      expect(new Set(assigned).size).toBe(n);
      const total = assigned.reduce((sum, j, i) => sum + (cost[i]?.[j] ?? 0), 0);
      expect(total).toBe(bruteForce(cost));
    }
  });
});
