import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED, run } from '../src/packages.js';
import { ROOT } from '../src/public-api.js';

describe('release tooling', () => {
  it('pnpm release:dry versions every published package and shows a changelog for each', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/release-dry.mjs')], {
      cwd: ROOT,
      timeout: 240_000,
    });
    for (const { name } of PUBLISHED) {
      expect(stdout).toMatch(
        new RegExp(`=== ${name}: \\d+\\.\\d+\\.\\d+ → \\d+\\.\\d+\\.\\d+\\n# ${name}\\n`),
      );
    }
    expect(stdout).not.toContain('(no changes, no CHANGELOG.md)');
  }, 300_000);

  it('TypeDoc builds the API reference without a warning', async () => {
    // The limits are hang guards only: on two loaded cores TypeDoc took over 60 s (and was killed).
    await run(join(ROOT, 'node_modules/.bin/typedoc'), ['--emit', 'none'], { cwd: ROOT, timeout: 240_000 });
  }, 300_000);
});
