import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { IdpValidationError } from './errors.js';
import { MAX_FILE_BYTES } from './submit.js';

/**
 * A local document, read for `submitExecution`.
 *
 * @example
 * ```ts
 * const { bytes, fileName } = await readDocumentFile('invoice.pdf');
 * ```
 */
export interface DocumentFile {
  /** The whole file. */
  bytes: Uint8Array;
  /** Its name without the folder: the service reads the document type from its extension. */
  fileName: string;
}

/** What a path that is not a regular file is, for the message. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'EISDIR: it is a directory';
  if (stats.isFIFO()) return 'it is a named pipe (FIFO)';
  if (stats.isSocket()) return 'it is a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'it is a device';
  return 'it is not a regular file';
}

function megabytes(bytes: number): string {
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
}

/** Reads exactly `size` bytes from the start (fewer if the file shrank meanwhile). */
async function readAll(handle: FileHandle, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const { bytesRead } = await handle.read(bytes, at, size - at, at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return bytes.subarray(0, at);
}

/**
 * Reads a local document for a submit, the one way every front end does (`idp submit`, the MCP
 * `submit_document`): only a regular file, and only when its size is one the service accepts.
 * - The file is opened without blocking and checked through the opened handle (no race between the
 *   check and the read): a named pipe called `scan.pdf` would otherwise hang the read for ever, and
 *   `/dev/zero` would fill the memory.
 * - The size is checked before a byte is read: a 1.5 GB file is refused at once, not after reading it.
 *
 * Every refusal is an `IdpValidationError` that names the path and says what to do; nothing is sent.
 *
 * @example
 * ```ts
 * const { bytes, fileName } = await readDocumentFile('scans/invoice.pdf');
 * await idp.submitExecution({ actionId, actionVersion, file: bytes, fileName });
 * ```
 */
export async function readDocumentFile(
  path: string,
  options: { maxBytes?: number } = {},
): Promise<DocumentFile> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const where = JSON.stringify(path);
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. No effect on a file.
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)).catch(
    (error: NodeJS.ErrnoException) => {
      throw new IdpValidationError(`cannot read ${where}: ${error.code ?? error.message}`);
    },
  );
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new IdpValidationError(
        `cannot read ${where}: ${kindOf(stats)}, not a document file: submit takes a regular PDF, PNG, JPG or TIFF file`,
      );
    }
    if (stats.size > maxBytes) {
      throw new IdpValidationError(
        `file ${where} is ${megabytes(stats.size)}; the service accepts at most ${megabytes(maxBytes)} (and 150 pages): split it`,
      );
    }
    return { bytes: await readAll(handle, stats.size), fileName: basename(path) };
  } finally {
    await handle.close();
  }
}
