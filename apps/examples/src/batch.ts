/**
 * A batch: take a folder of documents through IDP into results files, crash-safe.
 *   pnpm --filter @idp-kit/examples batch [folder] [out-folder]
 * Without a folder, six invoices are generated in a temporary folder (one of them twice, under another
 * name: it is sent once). Stop it at any moment (Ctrl-C, or kill -9) and run the same command again:
 * it resumes, and no document is paid for twice.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '@idp-kit/batch';
import { runExample, userPath } from './run-example.js';
import { samplePdf } from './sample-pdf.js';
import { exampleClient } from './settings.js';

async function generated(): Promise<string> {
  const folder = join(await mkdtemp(join(tmpdir(), 'idp-batch-example-')), 'invoices');
  await mkdir(folder);
  for (let i = 1; i <= 5; i++)
    await writeFile(join(folder, `invoice-${i}.pdf`), samplePdf(`Invoice INV-${2290 + i}`));
  await writeFile(join(folder, 'invoice-1-copy.pdf'), samplePdf('Invoice INV-2291'));
  return folder;
}

await runExample('batch', async () => {
  const [folderArg, outArg] = process.argv.slice(2);
  const folder = folderArg ? userPath(folderArg) : await generated();
  const outDir = outArg ? userPath(outArg) : join(folder, '..', 'out');
  const { client, ids, mock, close } = await exampleClient();
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('Ctrl-C')));
  try {
    const summary = await runBatch({
      client,
      inputs: [folder],
      actionId: ids.actionId,
      actionVersion: ids.actionVersion,
      outDir,
      ...(mock ? { pollIntervalMs: 500, maxPollIntervalMs: 1_000 } : {}),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'state')
          console.log(`  ${event.fileName}: ${event.state}${event.status ? ` (${event.status})` : ''}`);
      },
    });
    console.log(
      `\n${summary.succeeded} of ${summary.documents} documents SUCCEEDED; ${summary.duplicates} duplicate not sent again.`,
    );
    console.log(
      `Results: ${join(outDir, 'results.jsonl')}, ${join(outDir, 'fields.csv')}, ${join(outDir, 'summary.json')}`,
    );
  } finally {
    await close();
  }
});
