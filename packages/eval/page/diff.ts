// The diff report's page: reads the data element, builds the tables with textContent (never innerHTML:
// values are whatever the documents said) and draws both sides' reliability diagrams with eval's chart.
import type { FieldDiff } from '../src/diff.js';
import type { DiffPageData } from '../src/diff-page-data.js';
import { reliabilityChart } from './charts.js';
import { el, pct } from './dom.js';

const data = JSON.parse(document.getElementById('diff-data')?.textContent ?? '{}') as DiffPageData;
const app = document.getElementById('app') as HTMLElement;
const { report } = data;

const score = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(1));
const signed = (x: number | null | undefined, f: (x: number) => string) =>
  x === null || x === undefined ? '–' : `${x > 0 ? '+' : ''}${f(x)}`;
const points = (x: number) => `${(x * 100).toFixed(1)} pt`;

/** A table; `classOf` may colour a cell (a regression red, an improvement green). */
function table(
  header: string[],
  rows: string[][],
  textColumns: number[] = [],
  classOf: (row: number, column: number) => string | undefined = () => undefined,
) {
  const t = el('table');
  const head = t.createTHead().insertRow();
  header.forEach((h, i) => {
    head.append(el('th', h, textColumns.includes(i) ? 'text' : undefined));
  });
  const body = t.createTBody();
  rows.forEach((row, r) => {
    const tr = body.insertRow();
    row.forEach((cell, i) => {
      const cls = [textColumns.includes(i) ? 'text' : '', classOf(r, i) ?? ''].join(' ').trim();
      tr.append(el('td', cell, cls || undefined));
    });
  });
  return t;
}

function summary() {
  app.append(
    el(
      'p',
      `a: ${report.a.source} (${report.a.documents} documents) · b: ${report.b.source} (${report.b.documents} documents) · ${report.matched} on both sides, matched by content hash.`,
      'muted',
    ),
  );
  if (report.truth) app.append(el('p', `${report.truth.matched} of them matched a truth row.`, 'muted'));
  if (data.gate) {
    const broken = data.gate.rules.filter((r) => r.broken);
    const p = el(
      'p',
      data.gate.passed
        ? `Gate passed: ${data.gate.rules.map((r) => r.rule).join(', ')}`
        : `Gate failed: ${broken.map((r) => `${r.rule} (${r.fields.join(', ')})`).join('; ')}`,
      data.gate.passed ? 'good' : 'bad',
    );
    p.id = 'gate';
    app.append(p);
  }
  for (const [side, command] of Object.entries(data.views)) {
    const p = el('p', `Open side ${side} in the viewer: `, 'muted');
    p.append(el('code', command));
    app.append(p);
  }
  if (data.links)
    app.append(
      el(
        'p',
        'Each changed value links to its document on each side in the viewer: the links work while the commands above run (they serve on those ports, on this machine only).',
        'muted',
      ),
    );
  for (const [label, items] of [
    [`Only in a (${report.a.source})`, report.onlyInA],
    [`Only in b (${report.b.source})`, report.onlyInB],
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

function fields() {
  const withTruth = report.truth !== undefined;
  app.append(
    el('h2', 'Per field, a and b side by side, the largest fall in F1 (else the most changed) first'),
  );
  const entries = Object.entries(report.fields).sort(
    ([, x], [, y]) =>
      (x.eval?.change.f1 ?? 0) - (y.eval?.change.f1 ?? 0) || (y.changedShare ?? 0) - (x.changedShare ?? 0),
  );
  const row = (name: string, f: FieldDiff) => [
    name,
    String(f.agree),
    String(f.changed),
    String(f.appeared),
    String(f.disappeared),
    String(f.neither),
    pct(f.changedShare),
    score(f.meanConfidence.a),
    score(f.meanConfidence.b),
    signed(f.meanConfidence.change, (x) => x.toFixed(1)),
    ...(withTruth
      ? [
          pct(f.eval?.a.precision),
          pct(f.eval?.b.precision),
          pct(f.eval?.a.recall),
          pct(f.eval?.b.recall),
          pct(f.eval?.a.f1),
          pct(f.eval?.b.f1),
          signed(f.eval?.change.f1, points),
        ]
      : []),
  ];
  const header = [
    'field',
    'agree',
    'changed',
    'appeared',
    'disappeared',
    'neither',
    'changed %',
    'conf a',
    'conf b',
    'Δ conf',
    ...(withTruth ? ['precision a', 'precision b', 'recall a', 'recall b', 'F1 a', 'F1 b', 'Δ F1'] : []),
  ];
  const rows = [...entries.map(([n, f]) => row(n, f)), row('overall', report.overall)];
  const all = [...entries.map(([, f]) => f), report.overall];
  const f1Column = header.length - 1;
  const t = table(header, rows, [0], (r, c) => {
    const change = all[r]?.eval?.change.f1;
    if (c !== f1Column || change === null || change === undefined || change === 0) return undefined;
    return change < 0 ? 'bad' : 'good';
  });
  t.id = 'fields';
  app.append(t);
}

const VERDICT: Record<string, string> = {
  regressed: 'right → wrong',
  improved: 'wrong → right',
  'still-wrong': 'wrong → wrong',
  'still-right': 'right → right',
  unjudged: '',
};

function changes() {
  const total = report.changes.length + data.changesOmitted;
  app.append(el('h2', `Changed values (${total}), worst first`));
  app.append(
    el(
      'p',
      'Worst first: a value that was right and became wrong (with truth), then the largest drop in confidence.',
      'muted',
    ),
  );
  const t = table(
    ['document', 'field', 'row', 'a', 'score a', 'b', 'score b', 'verdict', 'truth'],
    report.changes.map((c) => [
      c.file.b,
      c.field,
      c.row === undefined ? '' : String(c.row),
      c.a.value ?? '(none)',
      score(c.a.confidence),
      c.b.value ?? '(none)',
      score(c.b.confidence),
      VERDICT[c.verdict] ?? c.verdict,
      c.truth === undefined ? '' : (c.truth ?? '(not on the document)'),
    ]),
    [0, 1, 3, 5, 7, 8],
    (r, c) => {
      const v = report.changes[r]?.verdict;
      if (c !== 7) return undefined;
      return v === 'regressed' ? 'bad' : v === 'improved' ? 'good' : undefined;
    },
  );
  t.id = 'changes';
  if (data.links) addViewLinks(t, data.links);
  app.append(t);
  if (data.changesOmitted > 0)
    app.append(el('p', `${data.changesOmitted} more not shown: use idp diff --json.`, 'muted'));
}

/** A last column with each side's link to the document in the viewer (`idp view` of that side). */
function addViewLinks(t: HTMLTableElement, links: NonNullable<DiffPageData['links']>) {
  t.tHead?.rows[0]?.append(el('th', 'open in idp view', 'text'));
  Array.from(t.tBodies[0]?.rows ?? []).forEach((tr, r) => {
    const cell = el('td', undefined, 'text');
    for (const side of ['a', 'b'] as const) {
      const href = links[r]?.[side];
      if (href === undefined) continue;
      const a = el('a', side);
      a.href = href;
      a.rel = 'noopener noreferrer';
      a.title = `${side === 'a' ? report.a.source : report.b.source}: this document in idp view`;
      if (cell.childNodes.length > 0) cell.append(' · ');
      cell.append(a);
    }
    tr.append(cell);
  });
}

function diagrams() {
  if (!data.charts) return;
  app.append(el('h2', 'Calibration, a and b'));
  app.append(
    el(
      'p',
      'Share of right values per confidence bin (on the dashed line when a score of 90 means 90 % right; the dot grows with the bin): a in blue, b in orange.',
      'muted',
    ),
  );
  for (const [name, bins] of Object.entries(data.charts)) {
    const section = el('section');
    section.className = 'field';
    section.append(el('h3', name));
    const grid = el('div', undefined, 'grid');
    grid.append(
      reliabilityChart(bins.a, '#1f5fa8', `a: ${report.a.source}`),
      reliabilityChart(bins.b, '#b3470b', `b: ${report.b.source}`),
    );
    section.append(grid);
    app.append(section);
  }
}

summary();
fields();
changes();
diagrams();
