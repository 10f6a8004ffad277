/** `pnpm check:packages`: publint and attw for every published package; exits non-zero on a problem. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPackage, PUBLISHED, packAll } from './packages.js';

let failed = false;
const work = await mkdtemp(join(tmpdir(), 'idp-kit-check-'));
const tarballs = await packAll(work);
for (const [i, pkg] of PUBLISHED.entries()) {
  try {
    const out = await checkPackage(pkg, tarballs[i] as string);
    console.log(
      `✓ ${pkg.name}: publint${pkg.types ? ' + attw (node16 ESM, bundler)' : ' (no typings: a CLI)'} green`,
    );
    if (process.argv.includes('--verbose')) console.log(out);
  } catch (error) {
    failed = true;
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    console.error(`✗ ${pkg.name}\n${stdout}${stderr}`);
  }
}
await rm(work, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
