import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { readDocumentFile } from '@idp-kit/client/file';
import { UsageError } from './usage-error.js';

/**
 * The error for a file the user named that is not there: the path as they typed it, and the folder it
 * was looked for in, so that a command typed in the wrong folder is plain to see.
 */
export function noSuchFile(typed: string, cwd: string): UsageError {
  return new UsageError(`no such file: ${typed} (looked in ${dirname(resolve(cwd, typed))})`);
}

/** Reads a file named on the command line, relative to the folder the command was typed in. */
export async function readInputFile(typed: string, cwd: string): Promise<Buffer> {
  try {
    return await readFile(resolve(cwd, typed));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw noSuchFile(typed, cwd);
    throw new UsageError(`cannot read ${JSON.stringify(typed)}: ${code ?? (error as Error).message}`);
  }
}

/**
 * Reads a document named on the command line for upload: relative to the folder the command was typed
 * in, a regular file only, its size checked before it is read (`readDocumentFile`).
 */
export async function readDocumentInput(
  typed: string,
  cwd: string,
): Promise<{ bytes: Uint8Array; fileName: string }> {
  const path = resolve(cwd, typed);
  if (!existsSync(path)) throw noSuchFile(typed, cwd);
  const { bytes } = await readDocumentFile(path);
  return { bytes, fileName: basename(typed) };
}
