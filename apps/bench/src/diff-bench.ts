/**
 * `idp diff`'s engine on 10,000 documents × 20 fields, against the time it takes just to read and parse
 * both sides (each results.jsonl line by line with JSON.parse; with truth, the truth CSV with csv-parse
 * too). The goal (issue 28) is at most 3× that. Medians of a few runs; a ratio, no timed assertion.
 *   pnpm bench:diff [--docs 10000] [--fields 20] [--runs 5]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffResults, diffStream, eachResult, readResults, readTruth } from '@idp-kit/eval';
import { arg, median, parseCsvRows, parseLines, random } from './eval-inputs.js';

const DOCS = arg('docs', 10_000);
const FIELDS = arg('fields', 20);
const RUNS = arg('runs', 5);

/** Side a 5 % wrong; side b changes another 5 % of the values (wrong or right), loses 1 %, adds 1 %. */
async function generate(dir: string) {
  const next = random(42);
  const names = Array.from({ length: FIELDS }, (_, f) => `field${f}`);
  const a: string[] = [];
  const b: string[] = [];
  const truth = [['file', ...names].join(',')];
  for (let d = 0; d < DOCS; d++) {
    const row: string[] = [`doc-${d}.pdf`];
    const fa: unknown[] = [];
    const fb: unknown[] = [];
    names.forEach((name, f) => {
      const value = f % 4 === 0 ? `${(next() * 10_000).toFixed(2)}` : `Value ${d}-${f}`;
      row.push(value);
      const va = next() < 0.05 ? `${value}x` : value;
      const roll = next();
      const vb = roll < 0.05 ? (va === value ? `${value}y` : value) : roll < 0.06 ? null : va;
      const confidence = Math.round(next() * 1000) / 10;
      fa.push({ kind: 'field', name, value: roll > 0.99 ? null : va, confidence });
      fb.push({ kind: 'field', name, value: vb, confidence: Math.min(100, confidence + 1) });
    });
    const line = (fields: unknown[]) =>
      JSON.stringify({
        file: `/in/doc-${d}.pdf`,
        hash: d.toString(16).padStart(64, '0'),
        state: 'retrieved',
        status: 'SUCCEEDED',
        fields,
      });
    a.push(line(fa));
    b.push(line(fb));
    truth.push(row.join(','));
  }
  await writeFile(join(dir, 'a.jsonl'), `${a.join('\n')}\n`);
  await writeFile(join(dir, 'b.jsonl'), `${b.join('\n')}\n`);
  await writeFile(join(dir, 'truth.csv'), `${truth.join('\n')}\n`);
  return { fields: Object.fromEntries(names.filter((_, f) => f % 4 === 0).map((n) => [n, 'number'])) };
}

async function justRead(dir: string, withTruth: boolean) {
  const [a, b] = await Promise.all([parseLines(join(dir, 'a.jsonl')), parseLines(join(dir, 'b.jsonl'))]);
  const rows = withTruth ? await parseCsvRows(join(dir, 'truth.csv')) : 0;
  return a + b + rows;
}

/**
 * CPU time (user + system, all of this process's threads, GC included), not wall time: on a machine
 * shared with other work (load average 10–20 here) wall time mostly measures the neighbours.
 */
async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const dir = await mkdtemp(join(tmpdir(), 'idp-diff-bench-'));
try {
  const config = await generate(dir);
  const figures: Record<string, unknown> = { documents: DOCS, fields: FIELDS, runs: RUNS, goal: '≤ 3' };
  for (const withTruth of [false, true]) {
    const readTimes: number[] = [];
    const diffTimes: number[] = [];
    let changes = 0;
    for (let run = 0; run < RUNS; run++) {
      readTimes.push(await time(() => justRead(dir, withTruth)));
      diffTimes.push(
        await time(async () => {
          // As idp diff does: with truth both sides in memory; without, both streamed side by side.
          const { report } = withTruth
            ? diffResults(await readResults(join(dir, 'a.jsonl')), await readResults(join(dir, 'b.jsonl')), {
                config,
                truth: await readTruth(join(dir, 'truth.csv')),
              })
            : await diffStream(eachResult(join(dir, 'a.jsonl')), eachResult(join(dir, 'b.jsonl')), {
                config,
              });
          changes = report.changes.length;
        }),
      );
    }
    const r = median(readTimes);
    const d = median(diffTimes);
    figures[withTruth ? 'withTruth' : 'withoutTruth'] = {
      readBothSidesCpuMs: Math.round(r),
      diffCpuMs: Math.round(d),
      ratio: Math.round((d / r) * 100) / 100,
      changes,
    };
  }
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await rm(dir, { recursive: true, force: true });
}
