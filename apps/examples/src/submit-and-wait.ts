/**
 * Submit a document, wait for the result, print it.
 *   pnpm --filter @idp-kit/examples submit-and-wait [file.pdf]
 * Without a file a tiny generated PDF is sent. Against the mock the execution is SUCCEEDED at once.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatExecution } from './print.js';
import { samplePdf } from './sample-pdf.js';
import { exampleClient } from './settings.js';

const path = process.argv[2];
const { client, ids, close } = await exampleClient();
try {
  const { actionId, actionVersion } = ids;
  const submitted = await client.submitExecution({
    actionId,
    actionVersion,
    file: path ? await readFile(path) : samplePdf(),
    fileName: path ? basename(path) : 'invoice-2291.pdf',
  });
  console.log(`Submitted ${submitted.documentName}: execution ${submitted.executionId}`);
  const execution = await client.waitForExecution(
    { actionId, actionVersion, executionId: submitted.executionId },
    { timeoutMs: 15 * 60_000, onProgress: (e) => console.log(`  … ${e.status}`) },
  );
  console.log(`\n${formatExecution(execution)}`);
} finally {
  await close();
}
