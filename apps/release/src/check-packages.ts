/** `pnpm check:packages`: publint and attw for every published package; exits non-zero on a problem. */
import { checkPackage, PUBLISHED } from './packages.js';

let failed = false;
for (const pkg of PUBLISHED) {
  try {
    const out = await checkPackage(pkg);
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
process.exitCode = failed ? 1 : 0;
