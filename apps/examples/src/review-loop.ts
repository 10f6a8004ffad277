/**
 * The review loop: submit a document, wait until it settles; when IDP asks for a person
 * (MANUAL_VALIDATION_REQUIRED), read the review's low-confidence items, apply one correction, approve,
 * wait until final and print the fields.
 *   pnpm --filter @idp-kit/examples review-loop [file.pdf] [name=value]
 * The correction defaults to total=1,920.00 (the mock's review has an item "total"). Against the mock a
 * document goes to review when its name contains "review"; without a file, a generated
 * purchase-order-review.pdf is sent.
 */
import { basename } from 'node:path';
import { correctReview } from '@idp-kit/client';
import { readDocument } from './document.js';
import { formatExecution } from './print.js';
import { InputError, runExample } from './run-example.js';
import { samplePdf } from './sample-pdf.js';
import { exampleClient } from './settings.js';

function parseCorrection(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new InputError(`the correction must be name=value, got ${JSON.stringify(text)}`);
  return [text.slice(0, at), text.slice(at + 1)];
}

await runExample('review-loop', async () => {
  const [path, correction = 'total=1,920.00'] = process.argv.slice(2);
  const [name, value] = parseCorrection(correction);
  const file = path ? await readDocument(path) : samplePdf();
  const { client, ids, mock, close } = await exampleClient();
  try {
    const { actionId, actionVersion } = ids;
    const polling = mock ? { pollIntervalMs: 500, maxPollIntervalMs: 1_000 } : {};
    const submitted = await client.submitExecution({
      actionId,
      actionVersion,
      file,
      fileName: path ? basename(path) : 'purchase-order-review.pdf',
    });
    const ref = { actionId, actionVersion, executionId: submitted.executionId };
    console.log(`Submitted ${submitted.documentName}: execution ${submitted.executionId}`);

    const settled = await client.waitForExecution(ref, {
      timeoutMs: 15 * 60_000,
      ...polling,
      onProgress: (e) => console.log(`  … ${e.status}`),
    });
    if (settled.status !== 'MANUAL_VALIDATION_REQUIRED') {
      console.log(`\nNo review needed.\n${formatExecution(settled)}`);
      return;
    }

    const review = await client.getReview(ref);
    console.log('\nReview: the items a person should check');
    for (const item of review.analyzersResults) {
      console.log(
        `  ${item.name}: ${JSON.stringify(item.result ?? null)} (confidence ${item.confidenceScore ?? '?'})`,
      );
    }
    await client.updateReview(ref, correctReview(review, { [name]: value }));
    console.log(`Corrected ${name} to ${JSON.stringify(value)}; approving.`);
    await client.approveReview(ref);

    const final = await client.waitForExecution(ref, { until: 'final', timeoutMs: 15 * 60_000, ...polling });
    console.log(`\n${formatExecution(final)}`);
  } finally {
    await close();
  }
});
