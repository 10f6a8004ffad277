import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeAfterTest,
  execution,
  type FakeIdp,
  fakeIdp,
  IDS,
  json,
  pdfBytes,
  runMain,
} from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idpMain, rawServer, SECRET } from './helpers.js';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IDP_')));
const REF_FLAGS = ['--action', IDS.actionId, '--version', '1.1.0', '--execution', IDS.executionId];

async function idp(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number; out: string }> {
  const run = await runMain(idpMain, args, {
    env: { ...cleanEnv, NO_COLOR: '1', ...env },
    ...(cwd ? { cwd } : {}),
  });
  return { code: run.code, out: `${run.stdout}${run.stderr}` };
}

const settings = (baseUrl: string, tokenUrl: string) => ({
  IDP_BASE_URL: baseUrl,
  IDP_TOKEN_URL: tokenUrl,
  IDP_ORG_ID: IDS.organizationId,
  IDP_CLIENT_ID: 'cli-fault',
  IDP_CLIENT_SECRET: SECRET,
});

const fake = async (...args: Parameters<typeof fakeIdp>) => closeAfterTest(await fakeIdp(...args));

describe('CLI: hostile file names and paths for submit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-hostile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    'quote"in name.pdf',
    "apostrophe's.pdf",
    'semi;colon & amp.pdf',
    'ünïcödé-文件.pdf',
    '-starts-with-dash.pdf',
    `${'long'.repeat(50)}.pdf`,
    'percent%22encoded.PDF',
  ])('%s: sent once, the name cannot break the multipart headers', async (name) => {
    const f: FakeIdp = await fake((_req, res) => json(res, 201, { id: IDS.executionId, documentName: name }));
    await writeFile(join(dir, name), pdfBytes(1));
    const run = await idp(
      ['submit', '--action', IDS.actionId, '--version', '1.1.0', '--', join(dir, name)],
      settings(f.baseUrl, f.tokenUrl),
    );
    expect(run.code, run.out).toBe(0);
    const posts = f.runtimeRequests();
    expect(posts).toHaveLength(1);
    const disposition = /Content-Disposition: form-data; name="file"; filename="([^"\r\n]*)"\r\n/.exec(
      posts[0]?.body ?? '',
    );
    expect(disposition, 'one well-formed file part header').not.toBeNull();
    expect((posts[0]?.body.match(/Content-Disposition/g) ?? []).length).toBe(1);
  });

  it.each([
    ['a header-injection attempt', 'x\r\nX-Injected: yes.pdf', true, /control characters/],
    ['an executable', 'invoice.pdf.exe', true, /must end in \.pdf/],
    ['a directory', '.', false, /cannot read .*EISDIR/],
    [
      'a missing file behind ..',
      'nope/../missing-here.pdf',
      false,
      /no such file: \/\S+\/missing-here\.pdf \(looked in \/\S+\)/,
    ],
  ])('%s: refused with exit 2, nothing sent', async (_name, name, create, message) => {
    const f: FakeIdp = await fake((_req, res) => json(res, 201, {}));
    if (create) await writeFile(join(dir, name), pdfBytes(1));
    const run = await idp(
      ['submit', '--action', IDS.actionId, '--version', '1.1.0', '--', join(dir, name)],
      settings(f.baseUrl, f.tokenUrl),
    );
    expect(run.code, run.out).toBe(2);
    expect(run.out).toMatch(message);
    expect(f.runtimeRequests()).toHaveLength(0);
  });
});

describe('CLI: the secret and tokens are absent from every error path (with --verbose)', () => {
  // get exits 1 on these; wait exits 1, or 6 when the retries outlast its --timeout
  const scenarios: [string, () => Promise<{ baseUrl: string; tokenUrl: string }>, number][] = [
    [
      'token refused (echoing the secret)',
      async () =>
        fake(
          (_q, r) => json(r, 200, execution('SUCCEEDED')),
          (_q, r) => json(r, 401, { error: 'invalid_client', error_description: `bad ${SECRET}` }),
        ),
      1,
    ],
    [
      'token endpoint HTML (echoing the secret)',
      async () =>
        fake(
          (_q, r) => json(r, 200, {}),
          (_q, r) => {
            r.writeHead(502, { 'Content-Type': 'text/html' });
            r.end(`<p>${SECRET}</p>`);
          },
        ),
      1,
    ],
    [
      'runtime 500 echoing the secret',
      async () => fake((_q, r) => json(r, 500, { status: 500, title: 'x', detail: SECRET })),
      1,
    ],
    [
      'runtime 401 twice',
      async () => fake((_q, r) => json(r, 401, { status: 401, title: 'Unauthorized' })),
      1,
    ],
    [
      'runtime HTML',
      async () =>
        fake((_q, r) => {
          r.writeHead(200, { 'Content-Type': 'text/html' });
          r.end('<b>hi</b>');
        }),
      1,
    ],
    [
      'connection refused',
      async () => {
        const s = await rawServer(() => {});
        const url = s.url;
        await s.close();
        return { baseUrl: url, tokenUrl: `${url}/t` };
      },
      1,
    ],
  ];
  it.each(scenarios)('%s', async (_name, make, code) => {
    const target = await make();
    for (const command of [
      ['get', ...REF_FLAGS, '--verbose'],
      ['wait', ...REF_FLAGS, '--verbose', '--timeout', '2s', '--interval', '50ms'],
    ]) {
      const run = await idp(command, settings(target.baseUrl, target.tokenUrl));
      expect(command[0] === 'wait' ? [code, 6] : [code], run.out).toContain(run.code);
      expect(run.out).not.toContain(SECRET);
      expect(run.out).not.toMatch(/tok-\d|Bearer \S/);
      expect(run.out).not.toMatch(/\n\s+at .*\(/);
    }
  });
});
