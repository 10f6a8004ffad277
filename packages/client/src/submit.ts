import { IdpValidationError } from './errors.js';
import type { CallOptions } from './pipeline.js';
import type { ExecutionStatus } from './types.js';
import { assertUuid, assertVersion, secureUrl } from './validate.js';

/**
 * Largest document the service accepts.
 *
 * @example
 * ```ts
 * if ((await stat(path)).size > MAX_FILE_BYTES) splitDocument(path);
 * ```
 */
export const MAX_FILE_BYTES = 15 * 1024 * 1024;

/**
 * File extensions the service accepts, and the content type sent for each.
 *
 * @example
 * ```ts
 * CONTENT_TYPES.tiff; // 'image/tiff'
 * ```
 */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  tif: 'image/tiff',
  tiff: 'image/tiff',
};

const SALESFORCE_ORG_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * What `submitExecution()` sends: the action, the document and its name, and optionally a callback.
 *
 * @example
 * ```ts
 * await idp.submitExecution({ actionId, actionVersion: '1.1.0', file: await readFile('invoice.pdf'), fileName: 'invoice.pdf' });
 * ```
 */
export interface SubmitInput extends CallOptions {
  actionId: string;
  actionVersion: string;
  /** The document: PDF, PNG, JPG or TIFF, at most 15 MB. */
  file: Blob | Uint8Array;
  /** Its name, with the extension (the service reads the type from it), e.g. `invoice-2291.pdf`. */
  fileName: string;
  /** IDP calls this URL (PATCH) when the execution settles; see `callbackUrl()` for the nonce. */
  callbackUrl?: string;
  /** Salesforce org (15 or 18 characters) that runs the action, sent as `x-sfdc-core-tenant-id`. */
  salesforceOrgId?: string;
  /**
   * How the document is sent: `multipart` (default, the documented form) or `base64` (a JSON body
   * `{ file, fileName, callback }`, which a community description of the API adds; a third larger).
   */
  encoding?: 'multipart' | 'base64';
  /**
   * Content-Type of the multipart file part. Default: the type of the extension (`application/pdf`,
   * `image/png`, …), which is what MuleSoft's own `curl -F file=@invoice.pdf` examples send and what a
   * community connector's raw example sends. Its prose says `application/octet-stream`; if the service
   * refuses your file type, try that here.
   */
  fileContentType?: string;
  /**
   * Judge the document by its bytes before sending it (default `true`): PDF, PNG, JPEG or TIFF, as its
   * name says; at most 150 pages; not encrypted; not empty; at most 15 MB. IDP charges for documents it
   * then refuses; a refusal here sends nothing and costs nothing (`IdpPreflightError`).
   */
  preflight?: boolean;
}

/**
 * What `submitExecution()` returns: the new execution's id, to wait for or to look up later.
 *
 * @example
 * ```ts
 * const { executionId } = await idp.submitExecution(input);
 * await idp.waitForExecution({ actionId, actionVersion, executionId });
 * ```
 */
export interface SubmitResult {
  executionId: string;
  documentName: string;
  status?: ExecutionStatus;
}

/** Checks a submission completely before anything is sent; returns the file part and the callback JSON. */
export function prepareSubmission(input: SubmitInput): { file: Blob; callback?: string } {
  if (typeof input !== 'object' || input === null) {
    throw new IdpValidationError('submitExecution expects { actionId, actionVersion, file, fileName }');
  }
  assertUuid('actionId', input.actionId);
  assertVersion('actionVersion', input.actionVersion);
  const { fileName } = input;
  if (typeof fileName !== 'string' || fileName.trim() === '') {
    throw new IdpValidationError('fileName is required, with its extension, e.g. "invoice-2291.pdf"');
  }
  if (CONTROL.test(fileName)) throw new IdpValidationError('fileName must not contain control characters');
  if (/[/\\]/.test(fileName)) {
    throw new IdpValidationError(
      `fileName must be a file name, not a path: got ${JSON.stringify(fileName)} (pass path.basename(path))`,
    );
  }
  const extension = /\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase();
  const type = extension === undefined ? undefined : CONTENT_TYPES[extension];
  if (type === undefined) {
    throw new IdpValidationError(
      `fileName ${JSON.stringify(fileName)} must end in .pdf, .png, .jpg, .jpeg, .tif or .tiff: the service reads the document type from it`,
    );
  }
  const { file } = input;
  if (!(file instanceof Blob) && !(file instanceof Uint8Array)) {
    throw new IdpValidationError('file must be a Blob or a Uint8Array (e.g. await readFile(path))');
  }
  const size = file instanceof Blob ? file.size : file.byteLength;
  if (size === 0) throw new IdpValidationError(`file ${JSON.stringify(fileName)} is empty`);
  if (size > MAX_FILE_BYTES) {
    throw new IdpValidationError(
      `file ${JSON.stringify(fileName)} is ${(size / 1024 / 1024).toFixed(1)} MB; the service accepts at most 15 MB (and 150 pages): split it`,
    );
  }
  if (input.salesforceOrgId !== undefined && !SALESFORCE_ORG_ID.test(String(input.salesforceOrgId))) {
    throw new IdpValidationError(
      'salesforceOrgId must be a Salesforce org id of 15 or 18 letters and digits',
    );
  }
  if (input.encoding !== undefined && input.encoding !== 'multipart' && input.encoding !== 'base64') {
    throw new IdpValidationError(
      `encoding must be "multipart" or "base64", got ${JSON.stringify(input.encoding)}`,
    );
  }
  const partType = input.fileContentType ?? type;
  if (typeof partType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(partType)) {
    throw new IdpValidationError(
      `fileContentType must be a media type such as application/octet-stream, got ${JSON.stringify(input.fileContentType)}`,
    );
  }
  const blob = file instanceof Blob && file.type === partType ? file : new Blob([file], { type: partType });
  if (input.callbackUrl === undefined) return { file: blob };
  const callback = secureUrl('callbackUrl', input.callbackUrl);
  return { file: blob, callback: JSON.stringify({ noAuthUrl: callback.href }) };
}
