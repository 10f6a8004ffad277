/**
 * Submit a document, wait for the result, print it.
 *   pnpm --filter @idp-kit/examples submit-and-wait [file.pdf]
 * Without a file a tiny generated PDF is sent. A relative path is read from the folder you ran the command
 * in. Against the mock the execution goes through its lifecycle (20 s; IDP_MOCK_LIFECYCLE_MS changes it).
 */
import { basename } from 'node:path';
import { readDocument } from './document.js';
import { formatExecution } from './print.js';
import { runExample } from './run-example.js';
import { samplePdf } from './sample-pdf.js';
import { exampleClient } from './settings.js';

await runExample('submit-and-wait', async () => {
  const path = process.argv[2];
  // Read the file before anything starts: a typo must not cost a mock start-up or a submission.
  const file = path ? await readDocument(path) : samplePdf();
  const { client, ids, mock, close } = await exampleClient();
  try {
    const { actionId, actionVersion } = ids;
    const submitted = await client.submitExecution({
      actionId,
      actionVersion,
      file,
      fileName: path ? basename(path) : 'invoice-2291.pdf',
    });
    console.log(`Submitted ${submitted.documentName}: execution ${submitted.executionId}`);
    const execution = await client.waitForExecution(
      { actionId, actionVersion, executionId: submitted.executionId },
      {
        timeoutMs: 15 * 60_000,
        // the real service: its 10 s floor; the mock: often enough to see each status
        ...(mock ? { pollIntervalMs: 1_000, maxPollIntervalMs: 2_000 } : {}),
        onProgress: (e) => console.log(`  … ${e.status}`),
      },
    );
    console.log(`\n${formatExecution(execution)}`);
  } finally {
    await close();
  }
});
