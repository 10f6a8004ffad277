import { describe, expect, it } from 'vitest';
import { cleanEnv, runIdp } from './helpers.js';

describe('idp mock: the callback options', () => {
  it.each([
    [['--callback-loss', '2'], /--callback-loss must be a share from 0 to 1 .*got 2/],
    [['--callback-loss', 'some'], /--callback-loss must be a share from 0 to 1 .*got some/],
    [['--callback-delay', 'soon'], /--callback-delay must be a duration like 30s/],
  ])('%j is a usage error (exit 2) before the mock starts', async (args, message) => {
    // In this process: a usage error needs no process (the bin itself: cli.test.ts spawns it).
    const run = await runIdp(['mock', '--port', '0', ...args], { env: cleanEnv });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).not.toContain('IDP mock running');
  });
});
