import { jsonOrText } from '../api-error.js';
import { IdpApiError, IdpConnectionError, type IdpError, IdpRequestTimeoutError } from '../errors.js';
import type { Pipeline } from '../pipeline.js';
import { preflight } from '../preflight.js';
import { prepareSubmission, type SubmitInput, type SubmitResult } from '../submit.js';
import type { SubmittedExecution } from '../types.js';

const MAYBE_CREATED =
  'The execution may or may not have been created: resubmitting can create a duplicate (each page costs credits). ' +
  "Check the document action's executions in Anypoint IDP before submitting again.";

/** What a failed submit means for the user: each page costs credits, so say whether anything was created. */
const SUBMIT_ADVICE: Record<number, string> = {
  400: 'The service refused the upload, and nothing was created: send one PDF, PNG, JPG or TIFF file whose name carries its extension.',
  404: 'Nothing was created: check actionId and actionVersion (the published version, e.g. 1.1.0) and that organizationId is the business group that owns the action.',
  413: 'The document is larger than the service accepts (15 MB, 150 pages), and nothing was created: split or compress it, then submit again.',
  415: 'The service does not take this file type, and nothing was created: send a PDF, PNG, JPG or TIFF.',
};

/** Says, for a submit that failed in transport, whether the execution may exist. */
function transportFailure(error: IdpError, how: { refused: boolean }): IdpError {
  if (how.refused) {
    return new IdpConnectionError(`submitExecution: ${error.message}. Nothing was sent.`, {
      cause: error,
      refused: true,
    });
  }
  const Kind = error instanceof IdpRequestTimeoutError ? IdpRequestTimeoutError : IdpConnectionError;
  return new Kind(`submitExecution: ${error.message}. ${MAYBE_CREATED}`, { cause: error });
}

export function submitOperation(pipeline: Pipeline, baseUrl: string, organizationId: string) {
  return async function submitExecution(input: SubmitInput): Promise<SubmitResult> {
    const { file, callback } = prepareSubmission(input);
    // Judged by its bytes before anything is sent: IDP charges for a document it then refuses.
    if (input.preflight !== false) await preflight(file, input.fileName);
    const { actionId, actionVersion, fileName, signal, attemptTimeoutMs, deadlineMs, retry, headers } = input;
    const base64 = input.encoding === 'base64';
    const json = base64
      ? JSON.stringify({
          file: Buffer.from(await file.arrayBuffer()).toString('base64'),
          fileName,
          ...(callback ? { callback } : {}),
        })
      : undefined;
    const url = `${baseUrl}/api/v1/organizations/${encodeURIComponent(organizationId)}/actions/${encodeURIComponent(actionId)}/versions/${encodeURIComponent(actionVersion)}/executions`;
    const { value: created } = await pipeline.run(
      {
        name: 'submitExecution',
        method: 'POST',
        url,
        headers: {
          Accept: 'application/json, application/problem+json',
          ...(input.salesforceOrgId ? { 'x-sfdc-core-tenant-id': input.salesforceOrgId } : {}),
          ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: () => {
          if (json !== undefined) return json;
          const form = new FormData();
          form.set('file', file, fileName);
          if (callback) form.set('callback', callback);
          return form;
        },
        // Each submit costs credits: retried only when the server surely did not act.
        idempotent: false,
        auth: true,
        expect: [200, 201],
        read: async (response) => {
          const text = await response.text();
          // Not JSON, or nested too deep to hand on (jsonOrText keeps it as text): no readable id.
          const parsed = jsonOrText(text);
          const data = (typeof parsed === 'object' ? parsed : undefined) as SubmittedExecution | undefined;
          if (!data || typeof data.id !== 'string') {
            throw new IdpApiError(
              `submitExecution: HTTP ${response.status}, but the answer carries no execution id. ${MAYBE_CREATED}`,
              {
                status: response.status,
                operation: 'submitExecution',
                url,
                headers: new Headers(response.headers),
              },
            );
          }
          return data;
        },
        // A 5xx, or an answer below 400 other than 200/201 (a 202, a redirect): the server took the
        // request and may have acted on it.
        advice: (status) => (status >= 500 || status < 400 ? MAYBE_CREATED : SUBMIT_ADVICE[status]),
        transportFailure,
      },
      {
        ...(signal ? { signal } : {}),
        ...(attemptTimeoutMs !== undefined ? { attemptTimeoutMs } : {}),
        ...(deadlineMs !== undefined ? { deadlineMs } : {}),
        ...(retry !== undefined ? { retry } : {}),
        ...(headers ? { headers } : {}),
      },
    );
    return {
      executionId: created.id,
      documentName: created.documentName,
      ...(created.status !== undefined ? { status: created.status } : {}),
    };
  };
}
