import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
