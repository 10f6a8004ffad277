import { inspect } from 'node:util';
import { json, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { excerpt } from '../src/api-error.js';
import { createRedactor, IdpApiError, IdpValidationError } from '../src/index.js';
import { rejection, setup } from './helpers.js';

const TOKEN = 'opaque-Token/With+Chars=0123456789abcdef';

describe('Redactor', () => {
  it('blanks a secret as is, JSON-escaped and URL-encoded; leaves secrets under 8 characters alone', () => {
    const redactor = createRedactor(['short', TOKEN]);
    const text = [
      TOKEN,
      JSON.stringify(TOKEN),
      JSON.stringify(TOKEN).replaceAll('/', '\\/'),
      encodeURIComponent(TOKEN),
      encodeURIComponent(TOKEN).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      new URLSearchParams({ a: TOKEN }).toString(),
      'short',
    ].join(' ');
    const out = redactor.redact(text);
    expect(out).not.toMatch(/opaque|0123456789/i);
    expect(out).toContain('short');
  });

  it('Basic credentials: the header value (padded or not), user:pass, the password', () => {
    const redactor = createRedactor();
    redactor.addBasic('reviewer', 'pass-word-1');
    const b64 = Buffer.from('reviewer:pass-word-1').toString('base64');
    expect(
      redactor.redact(`Basic ${b64} | ${b64.replace(/=+$/, '')} | reviewer:pass-word-1 | pass-word-1`),
    ).toBe('Basic [redacted] | [redacted] | [redacted] | [redacted]');
  });

  it('redactValue copies JSON with keys and values redacted, leaving the original alone', () => {
    const redactor = createRedactor([TOKEN]);
    const value = { [TOKEN]: [{ value: `x ${TOKEN}` }], n: 1 };
    expect(redactor.redactValue(value)).toEqual({ '[redacted]': [{ value: 'x [redacted]' }], n: 1 });
    expect(Object.keys(value)).toEqual([TOKEN, 'n']);
  });
});

describe('errors and excerpts', () => {
  it('an excerpt never ends in part of a token the cut would halve', () => {
    const body = `${'word '.repeat(30)}${TOKEN} tail`;
    const cut = excerpt(body);
    expect(cut.length).toBeLessThanOrEqual(160);
    for (let i = 0; i + 6 <= TOKEN.length; i++) expect(cut).not.toContain(TOKEN.slice(i, i + 6));
  });

  it("a custom TokenProvider's tokens are registered: an echo of one is blanked in message and inspect", async () => {
    const { client } = await setup(
      (req, res) =>
        json(res, 400, { title: `you sent ${req.headers.authorization}`, detail: encodeURIComponent(TOKEN) }),
      { auth: { getToken: async () => TOKEN, invalidate() {} } },
    );
    const error = await rejection(client.getExecution(REF));
    expect(error).toBeInstanceOf(IdpApiError);
    const seen = `${String(error)}\n${inspect(error, { depth: 10, showHidden: true })}`;
    expect(seen).not.toContain('opaque');
    expect(seen).not.toContain(encodeURIComponent(TOKEN));
    expect(client.redact(TOKEN)).toBe('[redacted]');
  });

  it('a header fetch cannot send fails once, as a validation error, and is not retried', async () => {
    const tried: string[] = [];
    const { idp, client } = await setup((_req, res) => json(res, 200, { status: 'SUCCEEDED' }), {
      fetch: (url, init) => {
        tried.push(String(url));
        return fetch(url, init);
      },
    });
    const error = await rejection(client.getExecution(REF, { headers: { 'x-note': 'a\nb' } }));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toMatch(/cannot be sent/);
    expect(idp.runtimeRequests()).toHaveLength(0);
    expect(tried.filter((url) => url.startsWith(idp.baseUrl) && !url.includes('oauth2'))).toHaveLength(1);
  });
});
