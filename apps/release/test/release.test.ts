import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED, run } from '../src/packages.js';
import { ROOT } from '../src/public-api.js';

describe('release tooling', () => {
  it('pnpm release:dry versions every published package and shows a changelog for each', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/release-dry.mjs')], {
      cwd: ROOT,
      timeout: 60_000,
    });
    for (const { name } of PUBLISHED) {
      expect(stdout).toMatch(
        new RegExp(`=== ${name}: \\d+\\.\\d+\\.\\d+ → \\d+\\.\\d+\\.\\d+\\n# ${name}\\n`),
      );
    }
    expect(stdout).not.toContain('(no changes, no CHANGELOG.md)');
  });

  it('TypeDoc builds the API reference without a warning', async () => {
    await run(join(ROOT, 'node_modules/.bin/typedoc'), ['--emit', 'none'], { cwd: ROOT, timeout: 60_000 });
  });
});
