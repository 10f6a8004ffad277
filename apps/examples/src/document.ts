import { readFile } from 'node:fs/promises';
import { InputError, userPath } from './run-example.js';

/** A document the user named, read from the folder they ran the command in; a clear error otherwise. */
export async function readDocument(path: string): Promise<Uint8Array> {
  const full = userPath(path);
  try {
    return await readFile(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? 'unreadable');
    throw new InputError(`cannot read ${JSON.stringify(path)} (${full}): ${why}`);
  }
}
