import { IDS, JPEG_BYTES, json, PNG_BYTES, pdfBytes, tiffBytes } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import {
  IdpApiError,
  IdpConnectionError,
  IdpPreflightError,
  IdpValidationError,
  MAX_FILE_BYTES,
} from '../src/index.js';
import { rejection, setup } from './helpers.js';

const PDF = pdfBytes(1);
const input = { actionId: IDS.actionId, actionVersion: '1.1.0', file: PDF, fileName: 'invoice-2291.pdf' };
const created = { id: IDS.executionId, documentName: 'invoice-2291.pdf', status: 'ACKNOWLEDGED' };

describe('submitExecution', () => {
  it('POSTs multipart with the file part, its content type, the callback JSON and the tenant header', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    const result = await client.submitExecution({
      ...input,
      callbackUrl: 'https://hooks.example.test/idp?nonce=abc',
      salesforceOrgId: '00D5g000004ABCDEAA',
    });
    expect(result).toEqual({
      executionId: IDS.executionId,
      documentName: 'invoice-2291.pdf',
      status: 'ACKNOWLEDGED',
    });
    const [request] = idp.runtimeRequests();
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(
      `/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/1.1.0/executions`,
    );
    expect(request?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(request?.headers['x-sfdc-core-tenant-id']).toBe('00D5g000004ABCDEAA');
    expect(request?.headers.authorization).toBe('Bearer tok-0');
    const form = await new Request('http://x', {
      method: 'POST',
      headers: { 'content-type': request?.headers['content-type'] ?? '' },
      body: request?.body ?? '',
    }).formData();
    const file = form.get('file') as File;
    expect(file.name).toBe('invoice-2291.pdf');
    expect(file.type).toBe('application/pdf');
    expect(await file.text()).toBe(new TextDecoder().decode(PDF));
    expect(JSON.parse(String(form.get('callback')))).toEqual({
      noAuthUrl: 'https://hooks.example.test/idp?nonce=abc',
    });
  });

  it.each([
    ['scan.PNG', 'image/png', PNG_BYTES],
    ['photo.jpg', 'image/jpeg', JPEG_BYTES],
    ['photo.jpeg', 'image/jpeg', JPEG_BYTES],
    ['fax.tif', 'image/tiff', tiffBytes(2)],
    ['fax.tiff', 'image/tiff', tiffBytes(1)],
  ])('%s is sent as %s', async (fileName, type, bytes) => {
    const { idp, client } = await setup((_req, res) =>
      json(res, 201, { ...created, documentName: fileName }),
    );
    // The Blob's own type is not what is sent: the name decides.
    await client.submitExecution({ ...input, fileName, file: new Blob([bytes], { type: 'text/plain' }) });
    expect(idp.runtimeRequests()[0]?.body).toContain(`Content-Type: ${type}`);
  });

  it('500 after the upload → exactly one POST and an IdpApiError saying it may exist', async () => {
    const { idp, client } = await setup((_req, res) =>
      json(res, 500, { status: 500, title: 'Internal Server Error' }),
    );
    const error = (await rejection(client.submitExecution(input))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.status).toBe(500);
    expect(error.message).toContain('may or may not have been created');
    expect(error.message).toContain('before submitting again');
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('429 is retried (the server did not act), then succeeds', async () => {
    const { idp, client } = await setup((_req, res, i) =>
      i === 0
        ? json(res, 429, { status: 429, title: 'Too Many Requests' }, { 'Retry-After': '0' })
        : json(res, 201, created),
    );
    expect((await client.submitExecution(input)).executionId).toBe(IDS.executionId);
    expect(idp.runtimeRequests()).toHaveLength(2);
    expect(idp.runtimeRequests()[1]?.body).toContain('%PDF-1.4');
  });

  it('a 404 for an unknown action is an IdpApiError without the duplicate warning', async () => {
    const { client } = await setup((_req, res) =>
      json(res, 404, {
        status: 404,
        title: 'Not Found',
        detail: `Document Action Id: ${IDS.actionId} and version 1.1.0 not found`,
      }),
    );
    const error = (await rejection(client.submitExecution(input))) as IdpApiError;
    expect(error.message).toContain('and version 1.1.0 not found');
    expect(error.message).not.toContain('may or may not');
  });

  it('a connection reset after sending is not retried and says it may exist', async () => {
    const { idp, client } = await setup((_req, res) => {
      res.socket?.destroy();
    });
    const error = (await rejection(client.submitExecution(input))) as IdpConnectionError;
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect(error.message).toContain('may or may not have been created');
    expect(error.refused).toBe(false); // the server may have seen it
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('connection refused is retried and says nothing was sent', async () => {
    const fixed = { getToken: async () => 't', invalidate: () => {} };
    const { idp, client } = await setup(() => {}, { auth: fixed, retry: { maxRetries: 2, baseDelayMs: 1 } });
    await idp.close();
    const error = (await rejection(client.submitExecution(input))) as IdpConnectionError;
    expect(error).toBeInstanceOf(IdpConnectionError);
    expect(error.message).toMatch(/failed after 3 attempts.*Nothing was sent/);
    expect(error.refused).toBe(true);
  });
});

describe('submitExecution: each refusal says what to do, and that nothing was created', () => {
  it.each([
    [
      400,
      'Bad Request',
      /nothing was created: send one PDF, PNG, JPG or TIFF file whose name carries its extension/,
    ],
    [404, 'Not Found', /Nothing was created: check actionId and actionVersion/],
    [
      413,
      'Payload Too Large',
      /larger than the service accepts \(15 MB, 150 pages\), and nothing was created: split or compress it/,
    ],
    [415, 'Unsupported Media Type', /does not take this file type, and nothing was created/],
    [500, 'Internal Server Error', /may or may not have been created/],
  ])('%i', async (status, title, advice) => {
    const { idp, client } = await setup((_req, res) => json(res, status, { status, title }));
    const error = (await rejection(client.submitExecution(input))) as IdpApiError;
    expect(error).toBeInstanceOf(IdpApiError);
    expect(error.message).toMatch(new RegExp(`^submitExecution failed: HTTP ${status} ${title}`));
    expect(error.message).toMatch(advice);
    expect(idp.runtimeRequests()).toHaveLength(1);
  });
});

describe('submitExecution: refused before sending', () => {
  it.each([
    ['a .docx file name', { fileName: 'invoice.docx' }, /must end in \.pdf, \.png/],
    ['a file name without extension', { fileName: 'invoice' }, /must end in \.pdf/],
    ['an empty file name', { fileName: '' }, /fileName is required/],
    ['a path as file name', { fileName: '../../etc/passwd.pdf' }, /not a path/],
    ['a file name with CR LF', { fileName: 'a\r\nX-Injected: 1.pdf' }, /control characters/],
    ['an empty file', { file: new Uint8Array(0) }, /is empty/],
    ['a file of 15 MB + 1 byte', { file: new Uint8Array(MAX_FILE_BYTES + 1) }, /at most 15 MB/],
    ['a string as file', { file: 'not bytes' as unknown as Uint8Array }, /Blob or a Uint8Array/],
    ['a bad actionId', { actionId: 'nope' }, /actionId must be a UUID/],
    ['a version that is not semantic', { actionVersion: 'latest' }, /semantic version/],
    [
      'an http callbackUrl',
      { callbackUrl: 'http://hooks.example.test/cb' },
      /callbackUrl: http is allowed only to a loopback host/,
    ],
    ['a short salesforceOrgId', { salesforceOrgId: 'short' }, /salesforceOrgId/],
  ])('%s', async (_case, override, message) => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    const error = await rejection(client.submitExecution({ ...input, ...override }));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toMatch(message);
    expect(idp.server.requests).toHaveLength(0);
  });
});

describe('submitExecution: judged by its bytes before sending (pre-flight)', () => {
  const refused = async (override: Record<string, unknown>, message: RegExp) => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    const error = await rejection(client.submitExecution({ ...input, ...override }));
    expect(error).toBeInstanceOf(IdpPreflightError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/was not sent/);
    expect(idp.runtimeRequests()).toHaveLength(0);
    expect(idp.tokenRequests()).toHaveLength(0);
  };

  it('a Word file named .pdf is refused with what it is, nothing sent, no token asked', async () => {
    await refused({ file: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]) }, /ZIP|Office/);
  });

  it('plain text named .pdf is refused', async () => {
    await refused({ file: new TextEncoder().encode('Invoice 2291, total 120.00') }, /plain text/);
  });

  it('a PNG named .pdf is refused: rename it', async () => {
    await refused({ file: PNG_BYTES }, /name says PDF but it is a PNG/);
  });

  it('a 151-page PDF is refused before the upload; 150 pages are sent', async () => {
    await refused({ file: pdfBytes(151) }, /151 pages; IDP reads at most 150/);
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    await client.submitExecution({ ...input, file: pdfBytes(150) });
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('preflight: false sends what the check would refuse (the user said so)', async () => {
    const { idp, client } = await setup((_req, res) => json(res, 201, created));
    await client.submitExecution({ ...input, file: new TextEncoder().encode('not a pdf'), preflight: false });
    expect(idp.runtimeRequests()).toHaveLength(1);
  });

  it('a PDF with no page tree is refused; the message says how to send it anyway', async () => {
    await refused(
      { file: new TextEncoder().encode('%PDF-1.7\n%%EOF\n') },
      /no readable page tree.*preflight: false; --no-preflight on idp submit or idp batch run/,
    );
  });
});
