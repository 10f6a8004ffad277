import { IDS, json, pdfBytes } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  IdpAbortError,
  IdpApiError,
  IdpRequestTimeoutError,
  IdpValidationError,
  MAX_FILE_BYTES,
  type SubmitInput,
} from '../src/index.js';
import { rejection, setup } from './helpers.js';

// What submitExecution() accepts and sends beyond the common multipart case: the base64 form, the
// part's content type, the per-call options, and the inputs refused before anything is sent.

const PDF = pdfBytes(1);
const input = { actionId: IDS.actionId, actionVersion: '1.1.0', file: PDF, fileName: 'invoice-2291.pdf' };
const created = { id: IDS.executionId, documentName: 'invoice-2291.pdf', status: 'ACKNOWLEDGED' };

/** The multipart form of a recorded request. */
async function formOf(request: { headers: Record<string, unknown>; body: string } | undefined) {
  return new Request('http://x', {
    method: 'POST',
    headers: { 'content-type': String(request?.headers['content-type'] ?? '') },
    body: request?.body ?? '',
  }).formData();
}

describe('submitExecution: encoding "base64"', () => {
  it('sends one JSON body { file, fileName, callback } with its content type', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    const result = await client.submitExecution({
      ...input,
      encoding: 'base64',
      callbackUrl: 'https://hooks.example.test/idp?nonce=abc',
    });
    expect(result.executionId).toBe(IDS.executionId);
    const [request] = idp.runtimeRequests();
    expect(request?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request?.body ?? '{}');
    expect(body).toEqual({
      file: Buffer.from(PDF).toString('base64'),
      fileName: 'invoice-2291.pdf',
      callback: JSON.stringify({ noAuthUrl: 'https://hooks.example.test/idp?nonce=abc' }),
    });
  });

  it('without a callback the JSON body has none', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    await client.submitExecution({ ...input, encoding: 'base64' });
    expect(Object.keys(JSON.parse(idp.runtimeRequests()[0]?.body ?? '{}')).sort()).toEqual([
      'file',
      'fileName',
    ]);
  });

  it('encoding "multipart", named explicitly, is the multipart form', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    await client.submitExecution({ ...input, encoding: 'multipart' });
    expect(idp.runtimeRequests()[0]?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  it('multipart (the default) sends no callback part without a callbackUrl, and asks for JSON', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    await client.submitExecution(input);
    const [request] = idp.runtimeRequests();
    expect(request?.headers.accept).toBe('application/json, application/problem+json');
    expect(request?.headers['x-sfdc-core-tenant-id']).toBeUndefined();
    const form = await formOf(request);
    expect([...form.keys()]).toEqual(['file']);
  });
});

describe('submitExecution: the file part', () => {
  it('fileContentType replaces the type of the extension', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    await client.submitExecution({ ...input, fileContentType: 'application/octet-stream' });
    const file = (await formOf(idp.runtimeRequests()[0])).get('file') as File;
    expect(file.type).toBe('application/octet-stream');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF);
  });

  it('a Blob is sent with the bytes it holds', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    await client.submitExecution({ ...input, file: new Blob([PDF], { type: 'application/pdf' }) });
    const file = (await formOf(idp.runtimeRequests()[0])).get('file') as File;
    expect(file.type).toBe('application/pdf');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF);
  });

  it('a file of exactly 15 MB is sent (the limit is inclusive)', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    const file = new Uint8Array(MAX_FILE_BYTES);
    file.set(PDF);
    await client.submitExecution({ ...input, file, preflight: false });
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('a 15-character salesforceOrgId is sent as the tenant header', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    await client.submitExecution({ ...input, salesforceOrgId: '00D5g000004ABCD' });
    expect(idp.runtimeRequests()[0]?.headers['x-sfdc-core-tenant-id']).toBe('00D5g000004ABCD');
  });
});

describe('submitExecution: refused before sending (more inputs)', () => {
  it.each([
    ['a file name of spaces', { fileName: '   ' }, /fileName is required/],
    ['a number as file name', { fileName: 42 as unknown as string }, /fileName is required/],
    ['a Windows path as file name', { fileName: 'C:\\scans\\invoice.pdf' }, /not a path/],
    ['a file name with a tab', { fileName: 'in\tvoice.pdf' }, /control characters/],
    ['an empty Blob', { file: new Blob([]) }, /is empty/],
    ['a Blob of 15 MB + 1 byte', { file: new Blob([new Uint8Array(MAX_FILE_BYTES + 1)]) }, /at most 15 MB/],
    ['an unknown encoding', { encoding: 'zip' as 'base64' }, /encoding must be "multipart" or "base64"/],
    ['a fileContentType that is not a media type', { fileContentType: 'pdf' }, /must be a media type/],
    ['a fileContentType with a header break', { fileContentType: 'a/b\r\nX: 1' }, /must be a media type/],
    ['a salesforceOrgId of 16 characters', { salesforceOrgId: '00D5g000004ABCDE' }, /salesforceOrgId/],
    ['a callbackUrl that is not a URL', { callbackUrl: 'not a url' }, /callbackUrl/],
    [
      'a callbackUrl that is not a string',
      { callbackUrl: 42 as unknown as string },
      /callbackUrl must be a URL string, got 42/,
    ],
    ['a second extension after .pdf', { fileName: 'invoice.pdf.exe' }, /must end in \.pdf/],
    ['a header before the media type', { fileContentType: 'X: 1\r\na/b' }, /must be a media type/],
    ['a version that is not semantic', { actionVersion: 'v1' }, /^actionVersion must be/],
  ])('%s', async (_case, override, message) => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    const error = await rejection(client.submitExecution({ ...input, ...override } as SubmitInput));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toMatch(message);
    expect(idp.server.requests).toHaveLength(0);
  });

  it.each([undefined, null, 'invoice.pdf'])('%o instead of the input is refused', async (value) => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    const error = await rejection(client.submitExecution(value as unknown as SubmitInput));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toContain('submitExecution expects');
    expect(idp.server.requests).toHaveLength(0);
  });

  it('an empty file is refused also when the pre-flight check is off', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    const error = await rejection(
      client.submitExecution({ ...input, file: new Uint8Array(0), preflight: false }),
    );
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toContain('is empty');
    expect(idp.server.requests).toHaveLength(0);
  });

  it('a file of 20 MB is named with its size, so the user knows by how much', async () => {
    const { client } = await setup((_req, res) => json(res, 201, created));
    const error = await rejection(
      client.submitExecution({ ...input, file: new Uint8Array(20 * 1024 * 1024) }),
    );
    expect((error as Error).message).toContain('is 20.0 MB');
  });
});

describe('submitExecution: what a failure says about the credits', () => {
  it('a 202 is not taken as created: the execution may exist, one POST', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 202, created));
    const error = (await rejection(client.submitExecution(input))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.status).toBe(202);
    expect(error.message).toContain('may or may not have been created');
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('a 200 whose body is not JSON carries no id: the execution may exist', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>ok</html>');
    });
    const error = (await rejection(client.submitExecution(input))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.status).toBe(200);
    expect(error.operation).toBe('submitExecution');
    expect(error.message).toContain('the answer carries no execution id');
    expect(error.message).toContain('may or may not have been created');
  });

  it('an answer whose id is not a string carries no id', async () => {
    const { client } = await setup((_req, res) => json(res, 201, { ...created, id: 42 }));
    const error = (await rejection(client.submitExecution(input))) as IdpApiError;
    expect(error.message).toContain('the answer carries no execution id');
  });

  it('an answer without a status gives a result without one', async () => {
    const { client } = await setup((_req, res) =>
      json(res, 201, { id: IDS.executionId, documentName: 'invoice-2291.pdf' }),
    );
    const result = await client.submitExecution(input);
    expect(result).toEqual({ executionId: IDS.executionId, documentName: 'invoice-2291.pdf' });
    expect('status' in result).toBe(false);
  });

  it('no answer within attemptTimeoutMs: an IdpRequestTimeoutError that says it may exist, one POST', async () => {
    const { idp, client } = await setup(() => {});
    // Long enough that the POST reaches the server before its timer fires, even on a loaded machine.
    const error = await rejection(client.submitExecution({ ...input, attemptTimeoutMs: 1_500 }));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect((error as Error).message).toContain('may or may not have been created');
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('per-call retry and headers reach the POST', async () => {
    const { idp, client } = await setup((_req, res) =>
      json(res, 429, { status: 429, title: 'Too Many Requests' }, { 'Retry-After': '0' }),
    );
    const error = await rejection(
      client.submitExecution({ ...input, retry: false, headers: { 'x-trace': 'one' } }),
    );
    expect(error).toBeInstanceOf(IdpApiError);
    expect(idp.runtimeRequests()).toHaveLength(1);
    expect(idp.runtimeRequests()[0]?.headers['x-trace']).toBe('one');
  });

  it('a signal that aborts ends the submit', async () => {
    const { client } = await setup(() => {});
    const controller = new AbortController();
    controller.abort(new Error('user stop'));
    const error = await rejection(client.submitExecution({ ...input, signal: controller.signal }));
    expect(error).toBeInstanceOf(IdpAbortError);
    expect((error as IdpAbortError).reason).toEqual(new Error('user stop'));
  });

  it('deadlineMs ends a submit whose server never answers', async () => {
    const { client } = await setup(() => {});
    const error = await rejection(client.submitExecution({ ...input, deadlineMs: 200 }));
    expect(error).toBeInstanceOf(IdpRequestTimeoutError);
    expect((error as Error).message).toContain('deadline of 200 ms');
  });
});
