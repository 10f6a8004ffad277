import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDocumentFile } from '../src/document-file.js';
import { IdpValidationError } from '../src/errors.js';

describe('readDocumentFile: only a regular file the service accepts is read', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-document-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a regular file: its bytes and its name', async () => {
    await writeFile(join(dir, 'invoice.pdf'), '%PDF-1.4\n%%EOF\n');
    const file = await readDocumentFile(join(dir, 'invoice.pdf'));
    expect(file.fileName).toBe('invoice.pdf');
    expect(Buffer.from(file.bytes).toString()).toBe('%PDF-1.4\n%%EOF\n');
  });

  it.skipIf(process.platform === 'win32')(
    'a named pipe called scan.pdf: refused at once, never waited on',
    async () => {
      const fifo = join(dir, 'scan.pdf');
      execFileSync('mkfifo', [fifo]);
      // no writer ever opens it: a read would wait for ever, and the test would time out
      await expect(readDocumentFile(fifo)).rejects.toThrow(
        /cannot read ".*scan\.pdf": it is a named pipe \(FIFO\), not a document file/,
      );
    },
  );

  it('a device behind a .pdf name (/dev/zero never ends): refused', async () => {
    const link = join(dir, 'zero.pdf');
    await symlink('/dev/zero', link);
    await expect(readDocumentFile(link)).rejects.toThrow(/it is a device/);
  });

  it('a directory: refused with EISDIR', async () => {
    await mkdir(join(dir, 'folder.pdf'));
    await expect(readDocumentFile(join(dir, 'folder.pdf'))).rejects.toThrow(
      /cannot read ".*folder\.pdf": EISDIR: it is a directory/,
    );
  });

  it('3 GB (sparse): refused by its size, before a byte is read', async () => {
    // Reading 3 GB would fail with ERR_FS_FILE_TOO_LARGE (or fill the memory): only a stat first says this.
    const big = join(dir, 'big.pdf');
    await writeFile(big, '');
    await truncate(big, 3 * 1024 * 1024 * 1024);
    const error = await readDocumentFile(big).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toMatch(
      /is 3072 MB; the service accepts at most 15 MB \(and 150 pages\): split it/,
    );
  });

  it('a missing file: the code, and the path', async () => {
    await expect(readDocumentFile(join(dir, 'nope.pdf'))).rejects.toThrow(
      /cannot read ".*nope\.pdf": ENOENT/,
    );
  });
});
