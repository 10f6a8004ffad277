/**
 * `pnpm bench:preflight`: what the pre-flight check of a document costs (µs per document, µs per MB),
 * beside reading the same file from disk, in the same run. Documents are made in memory and written to a
 * temporary folder: a 1-page and a 150-page PDF, a 15 MB PDF (pages with large content streams), the same
 * 15 MB PDF with its page tree in a deflated object stream, and a 150-page TIFF.
 *
 * Then the batch's dry run (`planBatch`, `idp batch run --dry-run`) over a folder of documents: its
 * cost per document (list, read, hash, pre-flight, verdict) beside reading the same files alone.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { planBatch } from '@idp-kit/batch';
import { inspectDocument } from '@idp-kit/client';
import { pdfBytes, tiffBytes } from '@idp-kit/testkit';
import { median } from './load.js';

const MB = 1024 * 1024;

/** A PDF of `pages` pages padded to about `size` bytes with a comment-only content stream. */
function paddedPdf(pages: number, size: number): Uint8Array {
  const base = pdfBytes(pages);
  const pad = new TextEncoder().encode(`%${'x'.repeat(Math.max(0, size - base.byteLength - 2))}\n`);
  const out = new Uint8Array(base.byteLength + pad.byteLength);
  out.set(pad.subarray(0, 0));
  out.set(base.subarray(0, 9)); // '%PDF-1.4\n'
  out.set(pad, 9);
  out.set(base.subarray(9), 9 + pad.byteLength);
  return out;
}

/** The page tree only inside a deflated object stream (PDF 1.5), the rest padding: the slow path. */
function objectStreamPdf(pages: number, size: number): Uint8Array {
  const tree = `1 0 << /Type /Pages /Count ${pages} /Kids [] >>`;
  const packed = deflateSync(Buffer.from(tree, 'latin1'));
  const head = Buffer.from(
    `%PDF-1.5\n%${'x'.repeat(Math.max(0, size - 300))}\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${packed.byteLength} >>\nstream\n`,
    'latin1',
  );
  return Buffer.concat([head, packed, Buffer.from('\nendstream\nendobj\n%%EOF\n', 'latin1')]);
}

async function time(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    times.push((performance.now() - t) * 1000);
  }
  return median(times);
}

const dir = await mkdtemp(join(tmpdir(), 'idp-preflight-'));
try {
  const cases: [string, Uint8Array][] = [
    ['PDF, 1 page', pdfBytes(1)],
    ['PDF, 150 pages', pdfBytes(150)],
    ['PDF, 150 pages, 15 MB', paddedPdf(150, 15 * MB - 1024)],
    ['PDF 1.5, page tree in an object stream, 15 MB', objectStreamPdf(150, 15 * MB - 1024)],
    ['TIFF, 150 pages', tiffBytes(150)],
  ];
  const rows = [];
  for (const [name, bytes] of cases) {
    const path = join(dir, 'doc');
    await writeFile(path, bytes);
    const found = await inspectDocument(bytes);
    const runs = bytes.byteLength > MB ? 15 : 200;
    const read = await time(runs, () => readFile(path));
    const check = await time(runs, () => inspectDocument(bytes));
    rows.push({
      document: name,
      bytes: bytes.byteLength,
      pages: found.pages,
      'read µs': read.toFixed(0),
      'pre-flight µs': check.toFixed(0),
      'pre-flight µs/MB': (check / (bytes.byteLength / MB)).toFixed(0),
      'pre-flight / read': (check / read).toFixed(2),
    });
  }
  console.log(`pre-flight cost on node ${process.version} (medians)`);
  console.table(rows);
  await dryRunCost(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** The dry run of a folder: 500 one-page PDFs, then 100 PDFs of 150 pages; µs per document. */
async function dryRunCost(dir: string): Promise<void> {
  const rows = [];
  const action = { actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766', actionVersion: '1.1.0' };
  for (const [name, count, pages] of [
    ['500 PDFs of 1 page', 500, 1],
    ['100 PDFs of 150 pages', 100, 150],
  ] as const) {
    const folder = join(dir, `plan-${pages}`);
    await mkdir(folder);
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const doc = pdfBytes(pages, { text: `document ${i}` });
      bytes += doc.byteLength;
      await writeFile(join(folder, `doc-${i}.pdf`), doc);
    }
    const runs = 5;
    const read = await time(runs, async () => {
      for (const file of await readdir(folder)) await readFile(join(folder, file));
    });
    const plan = await time(runs, () =>
      planBatch({ inputs: [folder], ...action, outDir: join(dir, 'never-written') }),
    );
    rows.push({
      folder: name,
      MB: (bytes / MB).toFixed(1),
      'read µs/doc': (read / count).toFixed(0),
      'dry run µs/doc': (plan / count).toFixed(0),
      'dry run µs/MB': (plan / (bytes / MB)).toFixed(0),
      'dry run / read': (plan / read).toFixed(2),
    });
  }
  console.log('the dry run (planBatch) of a folder (medians of 5)');
  console.table(rows);
}
