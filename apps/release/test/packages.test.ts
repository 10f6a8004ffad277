import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkPackage, PUBLISHED, run } from '../src/packages.js';
import { ROOT } from '../src/public-api.js';

describe('publint and attw', () => {
  it.each(PUBLISHED.map((p, i) => [p.name, p, i] as const))('%s passes', async (_name, pkg, i) => {
    await expect(checkPackage(pkg, inject('tarballs')[i] as string)).resolves.toBeTypeOf('string');
  });
});

const IDS = {
  organizationId: '01f79c97-9a83-4194-b922-15b64fd7305e',
  actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766',
  executionId: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
};

const RETRIEVE = `
import { startMock } from '@idp-kit/mock';
import { createIdpClient, extractFields } from '@idp-kit/client';
const mock = await startMock();
try {
  const idp = createIdpClient({
    organizationId: '${IDS.organizationId}',
    baseUrl: mock.baseUrl,
    auth: { clientId: 'consumer', clientSecret: 'consumer-secret', tokenUrl: mock.tokenUrl },
  });
  const execution = await idp.getExecution({ actionId: '${IDS.actionId}', actionVersion: '1.1.0', executionId: '${IDS.executionId}' });
  const status: string = execution.status;
  if (execution.status === 'SUCCEEDED') console.log(status, extractFields(execution).length);
} finally {
  await mock.stop();
}
`;

/** Every file of a directory tree. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await files(path)));
    else out.push(path);
  }
  return out;
}

describe('a stranger installs the tarballs and they just work', () => {
  let work: string;
  let tarballs: string[];
  let consumer: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'idp-kit-consumer-'));
    tarballs = inject('tarballs');
    consumer = join(work, 'consumer');
    await run('mkdir', ['-p', consumer]);
    await writeFile(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    // outside the workspace: npm, from the registry, like any user
    await run(
      'npm',
      [
        'install',
        ...tarballs,
        'typescript@5.9.3',
        '@types/node@20.19.43',
        '--no-audit',
        '--no-fund',
        // The registry's packages from npm's cache when it has them: no metadata round trip per package.
        '--prefer-offline',
        '--loglevel=error',
      ],
      {
        cwd: consumer,
        timeout: 240_000,
      },
    );
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('no workspace path or workspace: range leaks into a tarball', async () => {
    expect(tarballs).toHaveLength(PUBLISHED.length);
    for (const tarball of tarballs) {
      const dir = join(work, `x-${tarball.split('/').pop()}`);
      await run('mkdir', ['-p', dir]);
      await run('tar', ['-xzf', tarball, '-C', dir]);
      const manifest = await readFile(join(dir, 'package/package.json'), 'utf8');
      expect(manifest, tarball).not.toContain('workspace:');
      for (const file of await files(dir)) {
        expect(await readFile(file, 'utf8'), file).not.toContain(ROOT);
      }
      const names = (await files(dir)).map((f) => f.slice(dir.length + 1));
      expect(names).toContain('package/LICENSE');
      expect(names).toContain('package/README.md');
      expect(names.some((n) => n.includes('/src/') || n.endsWith('.test.ts'))).toBe(false);
    }
  });

  it('(1) an ESM .mjs script retrieves an execution from the mock', async () => {
    await writeFile(join(consumer, 'retrieve.mjs'), RETRIEVE.replace(': string', ''));
    const { stdout } = await run(process.execPath, ['retrieve.mjs'], { cwd: consumer, timeout: 240_000 });
    expect(stdout.trim()).toBe('SUCCEEDED 13');
  });

  /**
   * Both consumer projects (`node16`, `bundler`) in one `tsc --build`: the declarations they share (the
   * packages', Node's, TypeScript's own) are read and parsed once, not once per project (the file alone:
   * 61.3, 60.0 → 57.9, 58.4 CPU-s, alternated runs). Started by the first test that asks; each test reads
   * its own project's errors from the output (every error names its file, under its project's folder).
   */
  let compiled: Promise<string> | undefined;
  function compileBoth(): Promise<string> {
    compiled ??= (async () => {
      for (const resolution of ['node16', 'bundler']) {
        const dir = join(consumer, resolution);
        await run('mkdir', ['-p', dir]);
        await writeFile(join(dir, 'retrieve.ts'), RETRIEVE);
        const compilerOptions = {
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          module: resolution === 'node16' ? 'node16' : 'esnext',
          moduleResolution: resolution,
          target: 'es2022',
          skipLibCheck: false,
          outDir: '.',
          rootDir: '.',
        };
        await writeFile(
          join(dir, 'tsconfig.json'),
          JSON.stringify({ compilerOptions, files: ['retrieve.ts'] }),
        );
      }
      return run(join(consumer, 'node_modules/.bin/tsc'), ['--build', 'node16', 'bundler'], {
        cwd: consumer,
      }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
    })();
    return compiled;
  }

  it.concurrent.each(['node16', 'bundler'])(
    '(2, 3) TypeScript with --strict --moduleResolution %s compiles and retrieves',
    async (resolution) => {
      const errors = await compileBoth();
      // tsc names each error's file relative to where it ran: `node16/retrieve.ts(…)`.
      const own = errors.split('\n').filter((line) => line.startsWith(`${resolution}/`));
      if (own.length > 0 || (errors !== '' && !/^(node16|bundler)\//m.test(errors))) {
        throw new Error(`tsc (${resolution}) failed:\n${errors}`);
      }
      const dir = join(consumer, resolution);
      const { stdout } = await run(process.execPath, [join(dir, 'retrieve.js')], {
        cwd: consumer,
        timeout: 240_000,
      });
      expect(stdout.trim()).toBe('SUCCEEDED 13');
    },
    // A hang guard only: two loaded cores take minutes for tsc and a Prism start (it timed out at 120 s).
    300_000,
  );

  it('(4) npx idp --help from the installed CLI', async () => {
    const { stdout } = await run('npx', ['--no-install', 'idp', '--help'], { cwd: consumer });
    expect(stdout).toContain('Usage: idp [options] [command]');
    expect(stdout).toContain('submit [options] <file>');
  });
});
