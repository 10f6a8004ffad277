// The HTML report's page: reads the data element, builds the tables with textContent (never innerHTML:
// values are whatever the documents said) and draws the charts with Observable Plot.
import * as Plot from '@observablehq/plot';
import { fieldsWorstFirst } from '../src/order.js';
import type { PageData } from '../src/page-data.js';
import { reliabilityChart } from './charts.js';
import { el, pct } from './dom.js';

type FieldReport = PageData['report']['overall'];

const data = JSON.parse(document.getElementById('eval-data')?.textContent ?? '{}') as PageData;
const app = document.getElementById('app') as HTMLElement;

const num = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));

function table(header: string[], rows: string[][], textColumns: number[] = []) {
  const t = el('table');
  const head = t.createTHead().insertRow();
  header.forEach((h, i) => {
    head.append(el('th', h, textColumns.includes(i) ? 'text' : undefined));
  });
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((cell, i) => {
      tr.append(el('td', cell, textColumns.includes(i) ? 'text' : undefined));
    });
  }
  return t;
}

function advice(f: FieldReport): string {
  return f.threshold
    ? `${Math.round(f.threshold.value * 1000) / 1000} (${pct(f.threshold.straightThrough)} straight through at ${pct(f.threshold.acceptedAccuracy)})`
    : 'none reaches the target';
}

function summary() {
  const { report } = data;
  app.append(
    el(
      'p',
      `${report.matched} of ${report.documents} documents matched a truth row; target accuracy ${pct(data.targetAccuracy)}.`,
      'muted',
    ),
  );
  const fields = fieldsWorstFirst(report);
  const row = (name: string, f: FieldReport) => [
    name,
    String(f.tp),
    String(f.fp),
    String(f.fn),
    String(f.tn),
    pct(f.precision),
    pct(f.recall),
    pct(f.f1),
    pct(f.accuracy),
    num(f.calibration.ece),
    num(f.calibration.brier),
    num(f.calibration.auroc),
    pct(f.errorCapture['5']),
    pct(f.errorCapture['10']),
    pct(f.errorCapture['20']),
    advice(f),
  ];
  app.append(el('h2', 'Per field, worst first'));
  const header = [
    'field',
    'tp',
    'fp',
    'fn',
    'tn',
    'precision',
    'recall',
    'F1',
    'accuracy',
    'ECE',
    'Brier',
    'AUROC',
    'caught@5%',
    'caught@10%',
    'caught@20%',
    'threshold',
  ];
  const t = table(header, [...fields.map(([n, f]) => row(n, f)), row('overall', report.overall)], [0, 15]);
  t.id = 'fields';
  app.append(t);
  for (const [label, items] of [
    ['Truth rows that match no result', report.unmatchedTruth],
    ['Results with no truth row', report.unmatchedResults],
  ] as const) {
    if (items.length > 0)
      app.append(
        el(
          'p',
          `${label} (${items.length}): ${items.slice(0, 50).join(', ')}${items.length > 50 ? ', …' : ''}`,
          'muted',
        ),
      );
  }
}

function reliability(name: string) {
  return reliabilityChart(data.charts[name]?.bins ?? []);
}

function thresholdChart(name: string, f: FieldReport) {
  const curve = data.charts[name]?.curve ?? [];
  const rows = curve.flatMap((p) => [
    { threshold: p.threshold, share: p.straightThrough, series: 'straight through' },
    { threshold: p.threshold, share: p.acceptedAccuracy, series: 'accepted accuracy' },
  ]);
  return Plot.plot({
    width: 340,
    height: 240,
    x: { domain: [0, 100], label: 'threshold' },
    y: { domain: [0, 1], label: 'share' },
    color: { domain: ['straight through', 'accepted accuracy'], range: ['#1f5fa8', '#b3470b'], legend: true },
    marks: [
      Plot.ruleY([data.targetAccuracy], { stroke: '#999', strokeDasharray: '4,3' }),
      Plot.line(rows, { x: 'threshold', y: 'share', stroke: 'series', curve: 'step-after' }),
      ...(f.threshold
        ? [
            Plot.ruleX([f.threshold.value], { stroke: '#111', strokeWidth: 1.5 }),
            Plot.text([f.threshold], {
              x: 'value',
              y: 0.05,
              text: (t) => `advice ${t.value}`,
              dx: 4,
              textAnchor: 'start',
            }),
          ]
        : []),
    ],
  });
}

function fieldCharts() {
  app.append(el('h2', 'Calibration and thresholds'));
  app.append(
    el(
      'p',
      'Left: the share of right values per confidence bin (on the dashed line when a score of 90 means 90 % right; the dot grows with the bin). Right: raise the threshold and fewer values go straight through, but more of those are right; the black line is the lowest threshold that reaches the target accuracy (dashed).',
      'muted',
    ),
  );
  const entries: [string, FieldReport][] = [
    ['overall', data.report.overall],
    ...fieldsWorstFirst(data.report),
  ];
  for (const [name, f] of entries) {
    const section = el('section');
    section.className = 'field';
    section.append(el('h3', name), el('p', `threshold advice: ${advice(f)}`, 'advice'));
    const grid = el('div', undefined, 'grid');
    grid.append(reliability(name), thresholdChart(name, f));
    section.append(grid);
    app.append(section);
  }
}

function wrongValues() {
  app.append(el('h2', `Wrong values (${data.wrong.length + data.wrongOmitted}), most confident first`));
  const t = table(
    ['document', 'field', 'row', 'truth', 'extracted', 'confidence'],
    data.wrong.map((w) => [
      w.file,
      w.field,
      w.row === undefined ? '' : String(w.row),
      w.truth ?? '(not on the document)',
      w.extracted ?? '(not extracted)',
      w.confidence === undefined ? '' : String(w.confidence),
    ]),
    [0, 1, 3, 4],
  );
  t.id = 'wrong';
  app.append(t);
  if (data.wrongOmitted > 0)
    app.append(el('p', `${data.wrongOmitted} more not shown: use idp eval --json.`, 'muted'));
}

summary();
fieldCharts();
wrongValues();
