import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientCredentials } from '@idp-kit/auth';
import { createIdpClient, IdpValidationError, parseExecutionUrl } from '@idp-kit/client';
import { callbackUrl } from '@idp-kit/client/callback';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ORG = '01f79c97-9a83-4194-b922-15b64fd7305e';
const auth = { getToken: async () => 't', invalidate: () => {} };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('security checks', () => {
  it.each([
    'http://idp-rt.us-east-1.anypoint.mulesoft.com',
    'http://10.0.0.5:8080',
    'http://192.168.1.10',
    'http://localhost.evil.com',
    'http://127.0.0.1.nip.io',
  ])('http to a non-loopback host is refused, for the runtime and the token: %s', (url) => {
    expect(() => createIdpClient({ organizationId: ORG, baseUrl: url, auth })).toThrow(IdpValidationError);
    expect(() =>
      createIdpClient({
        organizationId: ORG,
        auth: { clientId: 'c', clientSecret: 's', tokenUrl: `${url}/token` },
      }),
    ).toThrow(/http is allowed only to a loopback host/);
    expect(() => clientCredentials({ clientId: 'c', clientSecret: 's', tokenUrl: `${url}/token` })).toThrow(
      TypeError,
    );
    expect(() =>
      parseExecutionUrl(`${url}/api/v1/organizations/${ORG}/actions/${ORG}/versions/1.0.0/executions/${ORG}`),
    ).toThrow(IdpValidationError);
    expect(() => callbackUrl(`${url}/cb`, 'x'.repeat(32))).toThrow(IdpValidationError);
  });

  it.each(['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010', 'http://127.9.9.9'])(
    'loopback http is allowed: %s',
    (url) => {
      expect(() => createIdpClient({ organizationId: ORG, baseUrl: url, auth })).not.toThrow();
    },
  );

  it('no eval or dynamic Function in any published package', () => {
    const sources = [
      'packages/auth/src',
      'packages/client/src',
      'packages/cli/src',
      'packages/mock/src',
      'packages/auth/dist',
      'packages/client/dist',
      'packages/cli/dist',
    ].flatMap((dir) =>
      files(join(root, dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.includes('/generated/')),
    );
    expect(sources.length).toBeGreaterThan(20);
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(\s*['"`]/);
    }
  });
});

describe('docs/reliability.md lists every case of this suite', () => {
  it('each test title appears in the table', () => {
    const doc = readFileSync(join(root, 'docs/reliability.md'), 'utf8');
    const here = fileURLToPath(new URL('.', import.meta.url));
    const titles = files(here)
      .filter((f) => f.endsWith('.test.ts'))
      .flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/^\s*it(?:\.each\([\s\S]*?\))?\(\s*(['"`])(.+?)\1/gm)].map(
          (m) => m[2] ?? '',
        ),
      );
    expect(titles.length).toBeGreaterThan(30);
    // rows read "| case | expected |": join them back into the titles the tests carry
    const rows = doc
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .map((line) => {
        const [what = '', expected = ''] = line
          .slice(2)
          .split(' | ')
          .map((cell) => cell.trim());
        return (expected === '(as titled)' ? what : `${what}: ${expected}`).replace(/\\\|/g, '|');
      });
    const pattern = (title: string) =>
      new RegExp(
        `^${title
          .replace(/\$\{RUNS\}/g, '10000')
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%[sijod]/g, '.+?')}$`,
      );
    const missing = titles.filter((t) => !rows.some((row) => pattern(t).test(row)));
    expect(missing).toEqual([]);
  });
});
