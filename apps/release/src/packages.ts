import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './public-api.js';

export const run = promisify(execFile);

/** The published packages and where they live. `types`: whether attw has typings to check. */
export const PUBLISHED = [
  { name: '@idp-kit/auth', dir: 'packages/auth', types: true },
  { name: '@idp-kit/client', dir: 'packages/client', types: true },
  { name: '@idp-kit/batch', dir: 'packages/batch', types: true },
  { name: '@idp-kit/eval', dir: 'packages/eval', types: true },
  { name: '@idp-kit/mcp', dir: 'packages/mcp', types: true },
  { name: '@idp-kit/viewer', dir: 'packages/viewer', types: true },
  { name: '@idp-kit/cli', dir: 'packages/cli', types: false },
  { name: '@idp-kit/mock', dir: 'packages/mock', types: true },
] as const;

const BIN = join(ROOT, 'node_modules/.bin');

/** `pnpm pack` each package into `destination` (workspace: ranges become versions); returns the tarballs. */
export async function packAll(destination: string): Promise<string[]> {
  const tarballs: string[] = [];
  for (const pkg of PUBLISHED) {
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', destination, '--json'], {
      cwd: join(ROOT, pkg.dir),
    });
    const json = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { filename: string };
    tarballs.push(json.filename.startsWith('/') ? json.filename : join(destination, json.filename));
  }
  return tarballs;
}

/**
 * publint, then (for packages with typings) attw, both on the package's tarball as packed by
 * `packAll()` (what would be published): each tool packing it again cost a pack (npm's, slow) per tool.
 */
export async function checkPackage(pkg: (typeof PUBLISHED)[number], tarball: string): Promise<string> {
  const publint = await run(join(BIN, 'publint'), ['run', tarball, '--strict'], { cwd: ROOT });
  let out = publint.stdout;
  if (pkg.types) {
    const attw = await run(join(BIN, 'attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    out += attw.stdout;
  }
  return out;
}
