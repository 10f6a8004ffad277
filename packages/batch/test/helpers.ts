import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdpClient } from '@idp-kit/client';
import { IDS } from '@idp-kit/testkit';
import { onTestFinished } from 'vitest';
import type { FakeBatchIdp } from './fake-batch-idp.js';

/** A fresh folder removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idp-batch-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `count` small distinct ASCII "PDF" documents in `dir/in`. */
export async function documents(dir: string, count: number, prefix = 'doc'): Promise<string> {
  const folder = join(dir, 'in');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    await writeFile(
      join(folder, `${prefix}-${String(i).padStart(4, '0')}.pdf`),
      `%PDF-1.4 document ${prefix} ${i}\n%%EOF\n`,
    );
  }
  return folder;
}

export function clientFor(idp: FakeBatchIdp) {
  return createIdpClient({
    organizationId: IDS.organizationId,
    baseUrl: idp.baseUrl,
    auth: { clientId: 'batch', clientSecret: 'batch-secret', tokenUrl: idp.tokenUrl },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

export async function jsonLines(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
