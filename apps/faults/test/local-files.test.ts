import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeAfterTest, fakeIdp, IDS, json, runNode } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET } from './helpers.js';

const BIN = fileURLToPath(new URL('dist/bin.js', import.meta.resolve('@idp-kit/cli/package.json')));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IDP_')));

describe('CLI: submit reads only a regular file, its size checked first', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-local-'));
    execFileSync('mkfifo', [join(dir, 'scan.pdf')]);
    await symlink('/dev/zero', join(dir, 'zero.pdf'));
    await writeFile(join(dir, 'huge.pdf'), '');
    await truncate(join(dir, 'huge.pdf'), 3 * 1024 * 1024 * 1024);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a named pipe called scan.pdf', 'scan.pdf', /cannot read ".*scan\.pdf": it is a named pipe \(FIFO\)/],
    ['/dev/zero behind zero.pdf', 'zero.pdf', /cannot read ".*zero\.pdf": it is a device/],
    ['a 3 GB (sparse) file', 'huge.pdf', /is 3072 MB; the service accepts at most 15 MB/],
  ])('%s: refused with exit 2 at once, nothing sent', async (_what, name, message) => {
    const f = closeAfterTest(await fakeIdp((_req, res) => json(res, 201, { id: IDS.executionId })));
    const run = await runNode(
      [BIN, 'submit', '--action', IDS.actionId, '--version', '1.1.0', '--', join(dir, name)],
      {
        env: {
          ...cleanEnv,
          NO_COLOR: '1',
          IDP_BASE_URL: f.baseUrl,
          IDP_TOKEN_URL: f.tokenUrl,
          IDP_ORG_ID: IDS.organizationId,
          IDP_CLIENT_ID: 'cli-local',
          IDP_CLIENT_SECRET: SECRET,
        },
      },
    );
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(f.runtimeRequests()).toHaveLength(0);
  });
});
