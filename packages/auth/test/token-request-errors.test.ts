import { json } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../src/index.js';
import { provider, rejection, SECRET, tokenServer } from './token-server.js';

// What a failed token request tells the user who has to fix it: the URL, the status, the server's own
// words or what it answered instead of a token, and what to check. maxRetries: 0 keeps each test to one
// answer; the retry rules have their own tests.
async function failure(handler: Parameters<typeof tokenServer>[0]) {
  const { server, tokenUrl } = await tokenServer(handler);
  const error = (await rejection(provider(tokenUrl, { maxRetries: 0 }).getToken())) as AuthError;
  expect(error).toBeInstanceOf(AuthError);
  return { error, server, tokenUrl };
}

describe('an OAuth error answer', () => {
  it("names the URL, the status and the server's error, once, and is an AuthError by name", async () => {
    const { error, tokenUrl } = await failure((_req, res) =>
      json(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' }),
    );
    expect(error.message).toContain(
      `Token request to ${tokenUrl} failed (HTTP 401 invalid_client: Invalid client credentials).`,
    );
    expect(String(error)).toMatch(/^AuthError: /);
  });

  it('without a description, shows the error code alone', async () => {
    const { error } = await failure((_req, res) => json(res, 400, { error: 'invalid_request' }));
    expect(error.message).toContain('(HTTP 400 invalid_request).');
    expect(error.oauthError).toBe('invalid_request');
    expect('errorDescription' in error).toBe(false);
  });

  it('a null description (a serializer that writes every field) is no description', async () => {
    const { error } = await failure((_req, res) =>
      json(res, 401, { error: 'invalid_client', error_description: null }),
    );
    expect(error.oauthError).toBe('invalid_client');
    expect('errorDescription' in error).toBe(false);
    expect(error.message).not.toContain('null');
  });

  it("a gateway's JSON error that is not OAuth's is quoted, not read as an OAuth code", async () => {
    const { error } = await failure((_req, res) =>
      json(res, 401, { error: { code: 401, message: 'Unauthorized: API key missing' } }),
    );
    expect('oauthError' in error).toBe(false);
    expect(error.message).toContain('HTTP 401 application/json: ');
    expect(error.message).toContain('Unauthorized: API key missing');
    expect(error.message).not.toContain('[object Object]');
  });
});

describe('what to check, by status', () => {
  it.each([400, 401, 403])('HTTP %i: the connected app checklist', async (status) => {
    const { error } = await failure((_req, res) => json(res, status, { error: 'unauthorized_client' }));
    expect(error.message).toContain('Execute Published Actions');
    expect(error.message).not.toContain('try again later');
  });

  it.each([404, 500])('HTTP %i: the endpoint may be down or the URL wrong', async (status) => {
    const { error } = await failure((_req, res) => json(res, status, { error: 'server_error' }));
    expect(error.message).toContain('try again later, and check the control plane or tokenUrl');
    expect(error.message).not.toContain('Execute Published Actions');
  });

  it.each([300, 302, 308])(
    'HTTP %i: not followed (the secret is never posted elsewhere); says where it pointed',
    async (status) => {
      const elsewhere = await tokenServer((_req, res) => json(res, 200, { access_token: 'tok' }));
      const { error, server } = await failure((_req, res) => {
        res.writeHead(status, { Location: elsewhere.tokenUrl });
        res.end();
      });
      expect(server.requests).toHaveLength(1);
      expect(elsewhere.server.requests).toHaveLength(0);
      expect(error.status).toBe(status);
      expect(error.message).toContain(
        `It redirected to ${elsewhere.tokenUrl}; set tokenUrl to the final token URL.`,
      );
    },
  );

  it('a redirect without a Location still says to set tokenUrl', async () => {
    const { error } = await failure((_req, res) => {
      res.writeHead(302);
      res.end();
    });
    expect(error.message).toContain('It redirected; set tokenUrl to the final token URL.');
  });

  it('an answer that is refused once is not said to have been retried', async () => {
    const { error } = await failure((_req, res) => json(res, 401, { error: 'invalid_client' }));
    expect(error.message).not.toMatch(/attempt/);
  });
});

describe('an answer that is not an OAuth error', () => {
  it("a proxy's HTML page: its content type and the start of the page, the secret redacted", async () => {
    const page = `<h1>Bad gateway</h1><pre>client_secret=${SECRET}</pre>${'<p>upstream trace</p>'.repeat(300)}<p>END</p>`;
    const { error } = await failure((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end(page);
    });
    expect(error.status).toBe(502);
    expect(error.message).toContain('HTTP 502 text/html: "<h1>Bad gateway</h1>');
    expect(error.message).not.toContain(SECRET);
    // The start of the page, not all of it: a readable message.
    expect(error.message).not.toContain('<p>END</p>');
    expect(error.message.length).toBeLessThan(600);
  });

  it('no body and no content type: says so', async () => {
    const { error } = await failure((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    expect(error.message).toContain('(HTTP 404 no content type).');
  });

  it('a body cut off mid-way is still an AuthError with the status', async () => {
    const { error } = await failure((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html', 'Content-Length': '1000' });
      res.write('<h1>Bad gat');
      // the connection drops before the promised 1,000 bytes arrive
      setImmediate(() => res.destroy());
    });
    expect(error.status).toBe(502);
    // nothing is quoted from a body that never arrived whole
    expect(error.message).toContain('(HTTP 502 text/html).');
  });
});

describe('a 200 that is not a token', () => {
  it.each([
    ['JSON null', 'null', /without an access_token/],
    ['an empty access_token', '{"access_token":"","token_type":"bearer"}', /without an access_token/],
    ['a numeric access_token', '{"access_token":42,"token_type":"bearer"}', /without an access_token/],
  ])('%s: AuthError with the status', async (_name, body, message) => {
    const { error } = await failure((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
    expect(error.status).toBe(200);
    expect(error.message).toMatch(message);
  });

  it("a login page: its content type, its start, and the token URL's expected path", async () => {
    const page = `<html><body>Sign in${'<div>form</div>'.repeat(200)}<p>END</p></body></html>`;
    const { error } = await failure((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(page);
    });
    expect(error.status).toBe(200);
    expect(error.message).toContain(
      'answered HTTP 200 with text/html, not a JSON token (starts "<html><body>Sign in',
    );
    expect(error.message).toContain('…/accounts/api/v2/oauth2/token');
    expect(error.message).not.toContain('<p>END</p>');
    expect(error.message.length).toBeLessThan(600);
  });

  it('an empty 200 without a content type: says both', async () => {
    const { error } = await failure((_req, res) => {
      res.writeHead(200);
      res.end();
    });
    expect(error.message).toContain('answered HTTP 200 with no content type, not a JSON token (empty body)');
  });

  it('another token type: AuthError with the status', async () => {
    const { error } = await failure((_req, res) => json(res, 200, { access_token: 't', token_type: 'mac' }));
    expect(error.status).toBe(200);
  });
});

describe('an endpoint that cannot be reached', () => {
  it('says why (the network error beneath fetch), how many attempts, and keeps the cause', async () => {
    const { server, tokenUrl } = await tokenServer((_req, res) => {
      res.end();
    });
    await server.close();
    const error = (await rejection(provider(tokenUrl, { maxRetries: 0 }).getToken())) as AuthError;
    expect(error.message).toContain(
      `Could not reach the token endpoint ${tokenUrl} after 1 attempt (fetch failed: `,
    );
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('no answer within');
    expect(error.cause).toBeInstanceOf(Error);
    expect('status' in error).toBe(false);
  });

  it('an HTTP error has no cause: there is nothing beneath it', async () => {
    const { error } = await failure((_req, res) => json(res, 401, { error: 'invalid_client' }));
    expect('cause' in error).toBe(false);
  });
});
