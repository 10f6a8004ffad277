import { describe, expect, it } from 'vitest';
import { parseListen } from './callback-receiver.js';
import { nonceHash, scrubNonces } from './callbacks.js';

describe('callback helpers', () => {
  it('scrubNonces blanks a nonce however the URL was written (plain, URL-encoded, JSON-escaped)', () => {
    const nonce = 'Zm9vYmFyYmF6cXV4LW5vbmNlLTEyMzQ1Ng';
    for (const text of [
      `callback https://h.example/idp?idp_nonce=${nonce}&idp_action=x refused`,
      `{"noAuthUrl":"https://h.example/idp?idp_nonce\\u003d${nonce}"}`,
      `callback=https%3A%2F%2Fh.example%2Fidp%3Fidp_nonce%3D${nonce}`,
    ]) {
      const scrubbed = scrubNonces(text);
      expect(scrubbed).not.toContain(nonce);
      expect(scrubbed).toContain('idp_nonce');
    }
    expect(scrubNonces('no nonce here')).toBe('no nonce here');
  });

  it('nonceHash is the hex SHA-256: the store keeps it, never the nonce', () => {
    expect(nonceHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it.each([
    ['127.0.0.1:8787', { host: '127.0.0.1', port: 8787 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['8787', { host: '127.0.0.1', port: 8787 }],
  ])('parseListen(%j)', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });

  it.each(['anywhere', '127.0.0.1', '127.0.0.1:99999', ':8787', 'http://127.0.0.1:8787'])(
    'parseListen(%j) says what to give',
    (text) => {
      expect(() => parseListen(text)).toThrow(/must be host:port \(say 127\.0\.0\.1:8787/);
    },
  );
});
