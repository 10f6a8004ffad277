import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDS } from '@idp-kit/testkit';
import { expect, it } from 'vitest';
import { cleanEnv } from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** `pnpm …args` in `cwd`, to the end; never rejects on a non-zero exit (the code is the point). */
function pnpm(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('pnpm', args, { cwd, env, timeout: 240_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// Once, as a user types it (it is slow: pnpm, then Node): in a folder of theirs inside the repository,
// a file named relative to it, an intended non-zero exit. Only idp's own line may come out.
it('`pnpm idp` prints only what idp prints, exits with its code, and reads paths from the user’s folder', async () => {
  // Inside the repository (pnpm finds the workspace's `idp` from there), in an ignored folder.
  const parent = join(REPO, 'node_modules', '.cache');
  await mkdir(parent, { recursive: true });
  const folder = await mkdtemp(join(parent, 'pnpm-idp-'));
  try {
    const run = await pnpm(
      ['idp', 'submit', 'invoice-1003.pdf', '--action', IDS.actionId, '--version', '1.1.0'],
      folder,
      {
        ...cleanEnv,
        // Nothing is sent: the missing file is refused first. Loopback all the same.
        IDP_BASE_URL: 'http://127.0.0.1:9',
        IDP_TOKEN_URL: 'http://127.0.0.1:9/accounts/api/v2/oauth2/token',
        IDP_ORG_ID: IDS.organizationId,
        IDP_CLIENT_ID: 'cli-client',
        IDP_CLIENT_SECRET: 'cli-secret-1234',
      },
    );
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `idp: no such file: invoice-1003.pdf (looked in ${folder})\n`,
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  // Hang guards only: `pnpm idp` builds first when a source is newer than dist/ (then, on two busy
  // cores, it took over the 90 s this once allowed).
}, 300_000);
