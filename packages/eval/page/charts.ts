// Charts both report pages draw (the eval report and the diff report), one definition each.
import * as Plot from '@observablehq/plot';
import type { CalibrationBin } from '../src/calibration.js';

/**
 * A reliability diagram: each non-empty confidence bin's mean score against its share of right values,
 * the dashed diagonal being a perfectly calibrated score; a dot grows with its bin.
 */
export function reliabilityChart(all: readonly CalibrationBin[], color = '#1f5fa8', title?: string) {
  const bins = all.filter((b) => b.count > 0);
  return Plot.plot({
    width: 340,
    height: 240,
    ...(title ? { caption: title } : {}),
    x: { domain: [0, 1], label: 'mean confidence (share)' },
    y: { domain: [0, 1], label: 'share right' },
    marks: [
      Plot.line(
        [
          [0, 0],
          [1, 1],
        ],
        { stroke: '#999', strokeDasharray: '4,3' },
      ),
      Plot.line(bins, { x: (b) => (b.meanConfidence ?? 0) / 100, y: 'accuracy', stroke: color }),
      Plot.dot(bins, {
        x: (b) => (b.meanConfidence ?? 0) / 100,
        y: 'accuracy',
        r: (b) => 2 + Math.sqrt(b.count),
        fill: color,
        title: (b) => `${b.from}–${b.from + 10}: ${b.count} values`,
      }),
    ],
  });
}
