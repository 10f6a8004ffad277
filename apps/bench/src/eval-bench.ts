/**
 * `idp eval`'s engine on 10,000 documents × 20 fields, against the time it takes just to read and parse
 * the same two files (results.jsonl line by line with JSON.parse, the truth CSV with csv-parse). The goal
 * (issue 25) is at most 3× that. Medians of a few runs; a ratio, no timed assertion.
 *   pnpm bench:eval [--docs 10000] [--fields 20] [--runs 5]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, readResults, readTruth } from '@idp-kit/eval';
import { arg, median, parseCsvRows, parseLines, random } from './eval-inputs.js';

const DOCS = arg('docs', 10_000);
const FIELDS = arg('fields', 20);
const RUNS = arg('runs', 5);

async function generate(dir: string) {
  const next = random(42);
  const names = Array.from({ length: FIELDS }, (_, f) => `field${f}`);
  const results: string[] = [];
  const truth = [['file', ...names].join(',')];
  for (let d = 0; d < DOCS; d++) {
    const row: string[] = [`doc-${d}.pdf`];
    const fields = names.map((name, f) => {
      const value = f % 4 === 0 ? `${(next() * 10_000).toFixed(2)}` : `Value ${d}-${f}`;
      row.push(value);
      const wrong = next() < 0.05;
      return {
        kind: 'field',
        name,
        value: wrong ? `${value}x` : value,
        confidence: Math.round(next() * 1000) / 10,
      };
    });
    results.push(
      JSON.stringify({
        file: `/in/doc-${d}.pdf`,
        hash: d.toString(16).padStart(64, '0'),
        state: 'retrieved',
        status: 'SUCCEEDED',
        fields,
      }),
    );
    truth.push(row.join(','));
  }
  await writeFile(join(dir, 'results.jsonl'), `${results.join('\n')}\n`);
  await writeFile(join(dir, 'truth.csv'), `${truth.join('\n')}\n`);
  const config = {
    fields: Object.fromEntries(names.filter((_, f) => f % 4 === 0).map((n) => [n, 'number'])),
  };
  return config;
}

async function justParse(dir: string) {
  const [n, rows] = await Promise.all([
    parseLines(join(dir, 'results.jsonl')),
    parseCsvRows(join(dir, 'truth.csv')),
  ]);
  return n + rows;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const dir = await mkdtemp(join(tmpdir(), 'idp-eval-bench-'));
try {
  const config = await generate(dir);
  const parseTimes: number[] = [];
  const evalTimes: number[] = [];
  let report: ReturnType<typeof evaluate> | undefined;
  for (let run = 0; run < RUNS; run++) {
    parseTimes.push(await time(() => justParse(dir)));
    evalTimes.push(
      await time(async () => {
        const [results, truth] = await Promise.all([readResults(dir), readTruth(join(dir, 'truth.csv'))]);
        report = evaluate(results, truth, { config });
      }),
    );
  }
  const p = median(parseTimes);
  const e = median(evalTimes);
  console.log(
    JSON.stringify(
      {
        documents: DOCS,
        fields: FIELDS,
        runs: RUNS,
        readAndParseMs: Math.round(p),
        evalMs: Math.round(e),
        ratio: Math.round((e / p) * 100) / 100,
        goal: '≤ 3',
        matched: report?.matched,
        overallF1: report?.overall.f1,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
