import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocation } from './invocation.js';

/**
 * A checkout of idp-kit on disk: the root package.json names it, packages/cli has a package.json of its
 * own (where `pnpm idp` finds no script), invoices/ has none (where `pnpm idp` reaches the root's).
 */
let base: string;
let root: string;
let outside: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'idp-invocation-'));
  root = join(base, 'my clone'); // a space: a printed path must still paste
  outside = join(base, 'elsewhere');
  await mkdir(join(root, 'packages', 'cli'), { recursive: true });
  await mkdir(join(root, 'invoices', 'march'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'idp-kit', private: true }));
  await writeFile(join(root, 'packages', 'cli', 'package.json'), JSON.stringify({ name: '@idp-kit/cli' }));
  await writeFile(join(outside, 'package.json'), JSON.stringify({ name: 'my-integration' }));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** What pnpm sets when it runs the root `idp` script, typed in `typedIn`. */
const byRootScript = (typedIn: string) => ({
  npm_lifecycle_event: 'idp',
  npm_package_name: 'idp-kit',
  npm_package_json: join(root, 'package.json'),
  INIT_CWD: typedIn,
});

describe('invocation: the command every printed hint starts with', () => {
  it('installed, outside any checkout: idp', () => {
    expect(invocation({}, outside)).toBe('idp');
    expect(invocation({}, base)).toBe('idp');
  });

  it('in a checkout, at its root or in a folder of documents: pnpm idp', () => {
    expect(invocation({}, root)).toBe('pnpm idp');
    expect(invocation({}, join(root, 'invoices', 'march'))).toBe('pnpm idp');
  });

  it('inside a package of the checkout, where pnpm would look for the script in that package: pnpm -w idp', () => {
    expect(invocation({}, join(root, 'packages', 'cli'))).toBe('pnpm -w idp');
  });

  it('started by the root script: from where the user typed it (INIT_CWD), not the root pnpm runs it in', () => {
    expect(invocation(byRootScript(join(root, 'invoices')), root)).toBe('pnpm idp');
    expect(invocation(byRootScript(join(root, 'packages', 'cli')), root)).toBe('pnpm -w idp');
  });

  it('started by the root script from outside the checkout (pnpm --dir): names the checkout, quoted', () => {
    expect(invocation(byRootScript(outside), root)).toBe(`pnpm --dir '${root}' idp`);
  });

  it('another project’s scripts are not this repository’s', () => {
    const env = { npm_package_name: 'my-integration', npm_package_json: join(outside, 'package.json') };
    expect(invocation(env, outside)).toBe('idp');
  });

  it('this very checkout is recognised', () => {
    const here = fileURLToPath(new URL('.', import.meta.url)); // packages/cli/src
    expect(invocation({}, here)).toBe('pnpm -w idp');
    expect(invocation({}, fileURLToPath(new URL('../../../docs/', import.meta.url)))).toBe('pnpm idp');
  });
});
