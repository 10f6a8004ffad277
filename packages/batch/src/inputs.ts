import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { CONTENT_TYPES, MAX_FILE_BYTES } from '@idp-kit/client';
import { parse as parseCsv } from 'csv-parse/sync';
import { glob, isDynamicPattern } from 'tinyglobby';

/**
 * One document found in the inputs: where it is and the metadata a manifest gave it.
 *
 * @example
 * ```ts
 * const found: InputDocument = { path: '/in/invoice-1.pdf', metadata: { vendor: 'Acme' } };
 * ```
 */
export interface InputDocument {
  path: string;
  metadata?: Record<string, unknown>;
}

/**
 * A problem with the inputs themselves (a path that does not exist, a manifest that cannot be read).
 *
 * @example
 * ```ts
 * try { await runBatch(options); } catch (e) { if (e instanceof InputError) console.error(e.message); }
 * ```
 */
export class InputError extends Error {
  override name = 'InputError';
}

const MANIFEST = /\.(csv|jsonl|ndjson)$/i;
const DOCUMENT_EXTENSIONS = Object.keys(CONTENT_TYPES);

function manifestRows(text: string, path: string): Record<string, unknown>[] {
  if (/\.csv$/i.test(path)) {
    try {
      return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
    } catch (error) {
      throw new InputError(`manifest ${path}: ${(error as Error).message}`);
    }
  }
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line !== '')
    .map(({ line, index }) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new InputError(`manifest ${path}, line ${index + 1}: not JSON`);
      }
    });
}

/** A manifest (CSV with a `path` column, or JSON Lines with `path`): paths relative to the manifest. */
async function readManifest(path: string): Promise<InputDocument[]> {
  const rows = manifestRows(await readFile(path, 'utf8'), path);
  return rows.map((row, index) => {
    const { path: entry, ...metadata } = row;
    if (typeof entry !== 'string' || entry.trim() === '') {
      throw new InputError(`manifest ${path}, entry ${index + 1}: no "path"`);
    }
    const full = isAbsolute(entry) ? entry : resolve(dirname(path), entry);
    return { path: full, ...(Object.keys(metadata).length > 0 ? { metadata } : {}) };
  });
}

/**
 * A file the batch does not take, and why (a hidden file, a symbolic link, another type, the batch's
 * own journal or outputs, a pipe or device).
 *
 * @example
 * ```ts
 * const { skipped } = await collectInputs(['invoices/'], process.cwd());
 * for (const s of skipped) console.log(s.path, s.reason);
 * ```
 */
export interface SkippedInput {
  path: string;
  reason: string;
}

/** Why a file in a folder is not taken, or undefined when it is a document. */
const SKIP = {
  hidden: 'hidden (its name starts with a dot)',
  symlink:
    'a symbolic link: links in a folder are not followed (one may lead out of it); name the file itself to take it',
  type: 'not a PDF, PNG, JPG or TIFF file (by its extension)',
  special: 'not a regular file (a pipe, socket or device)',
  own: "the batch's own journal or outputs",
} as const;

/** What a batch writes in its folder: the journal, its lock, the outputs, and outputs being written. */
const OWN_FILES = /^(journal\.jsonl|journal\.lock|results\.jsonl|fields\.csv|summary\.json)(\.\d+\.tmp)?$/;
/** The folder of results beside the journal (`results/<executionId>.json.gz`). */
const OWN_FOLDER = 'results';

/**
 * A folder, recursively, without following symbolic links: its documents, and every other entry with
 * the reason it is left out.
 */
async function walk(folder: string, outDir: string | undefined, skipped: SkippedInput[]): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    const own = OWN_FILES.test(entry.name) || (entry.name === OWN_FOLDER && entry.isDirectory());
    if (path === outDir || (folder === outDir && own)) {
      skipped.push({ path, reason: SKIP.own });
    } else if (entry.name.startsWith('.')) {
      skipped.push({ path, reason: SKIP.hidden });
    } else if (entry.isSymbolicLink()) {
      skipped.push({ path, reason: SKIP.symlink });
    } else if (entry.isDirectory()) {
      found.push(...(await walk(path, outDir, skipped)));
    } else if (!entry.isFile()) {
      skipped.push({ path, reason: SKIP.special });
    } else if (!DOCUMENT_EXTENSIONS.includes(extname(entry.name).slice(1).toLowerCase())) {
      skipped.push({ path, reason: SKIP.type });
    } else {
      found.push(path);
    }
  }
  return found;
}

/**
 * The documents named by files, folders, globs and manifests, and the files of those folders that are
 * left out, each with its reason. Folders are searched recursively for PDF, PNG, JPG and TIFF files;
 * symbolic links and hidden files in them are not taken, nor anything inside `outDir` (the batch's
 * journal and outputs). A file named directly is always taken (a link named directly is followed). A
 * name that matches nothing is an `InputError`: a typo must not make a batch of nothing.
 *
 * @example
 * ```ts
 * const { documents, skipped } = await collectInputs(['invoices/', 'manifest.csv'], process.cwd(), 'batch-out');
 * ```
 */
export async function collectInputs(
  inputs: string[],
  cwd: string,
  outDir?: string,
): Promise<{ documents: InputDocument[]; skipped: SkippedInput[] }> {
  const found: InputDocument[] = [];
  const skipped: SkippedInput[] = [];
  const out = outDir === undefined ? undefined : resolve(cwd, outDir);
  for (const input of inputs) {
    if (isDynamicPattern(input)) {
      const paths = await glob(input, { cwd, absolute: true, onlyFiles: true });
      if (paths.length === 0) throw new InputError(`${input}: no file matches`);
      found.push(...paths.sort().map((path) => ({ path })));
      continue;
    }
    const path = resolve(cwd, input);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new InputError(`${input}: no such file or folder (${path})`);
    if (info.isDirectory()) {
      found.push(...(await walk(path, out, skipped)).map((p) => ({ path: p })));
    } else if (MANIFEST.test(path)) {
      found.push(...(await readManifest(path)));
    } else {
      found.push({ path });
    }
  }
  return { documents: found, skipped };
}

/**
 * The documents named by files, folders (searched recursively for PDF, PNG, JPG and TIFF files), globs
 * and manifests (`.csv` with a `path` column, or `.jsonl`), in a stable order. See `collectInputs()`
 * for the files left out.
 *
 * @example
 * ```ts
 * const found = await collectDocuments(['invoices/', 'scans/*.tiff', 'manifest.csv'], process.cwd());
 * ```
 */
export async function collectDocuments(inputs: string[], cwd: string): Promise<InputDocument[]> {
  return (await collectInputs(inputs, cwd)).documents;
}

/**
 * A file's bytes, or why it cannot be sent, found before reading it: not a regular file (a pipe named
 * `.pdf` would block a read for ever), empty, or larger than the service takes (a 1.5 GB file is
 * never read into memory).
 *
 * @example
 * ```ts
 * const read = await readRegularFile('/in/invoice-1.pdf');
 * if ('rejected' in read) console.error(read.rejected);
 * ```
 */
export async function readRegularFile(
  path: string,
): Promise<{ bytes: Buffer } | { rejected: string; empty?: true }> {
  let handle: FileHandle | undefined;
  try {
    const before = await stat(path);
    if (!before.isFile()) return { rejected: SKIP.special };
    if (before.size > MAX_FILE_BYTES) return { rejected: tooLarge(before.size) };
    // O_NONBLOCK: should it have become a pipe since the stat, opening it does not wait for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = await handle.stat();
    if (!info.isFile()) return { rejected: SKIP.special };
    if (info.size > MAX_FILE_BYTES) return { rejected: tooLarge(info.size) };
    const bytes = await handle.readFile();
    if (bytes.byteLength === 0) return { rejected: 'the file is empty', empty: true };
    if (bytes.byteLength > MAX_FILE_BYTES) return { rejected: tooLarge(bytes.byteLength) };
    return { bytes };
  } catch (error) {
    return { rejected: `cannot read it: ${(error as NodeJS.ErrnoException).code ?? error}` };
  } finally {
    await handle?.close();
  }
}

function tooLarge(size: number): string {
  return `${(size / 1024 / 1024).toFixed(1)} MB; the service takes at most 15 MB: split it`;
}

/**
 * A document read and checked: its hash, or why it cannot be sent (the service's rules: PDF, PNG, JPG or
 * TIFF, a regular file, not empty, at most 15 MB). A rejected document is reported; it never stops the
 * batch.
 *
 * @example
 * ```ts
 * const { hash, rejected } = await readDocument({ path: '/in/invoice-1.pdf' });
 * ```
 */
export async function readDocument(
  document: InputDocument,
): Promise<{ hash: string; fileName: string; bytes?: Uint8Array; rejected?: string }> {
  const fileName = basename(document.path);
  const type = CONTENT_TYPES[extname(fileName).slice(1).toLowerCase()];
  if (!type) return { hash: '', fileName, rejected: SKIP.type };
  const read = await readRegularFile(document.path);
  if ('rejected' in read) {
    // An empty file has a hash (that of nothing), as before.
    const hash = read.empty ? createHash('sha256').digest('hex') : '';
    return { hash, fileName, rejected: read.rejected };
  }
  const hash = createHash('sha256').update(read.bytes).digest('hex');
  return { hash, fileName, bytes: read.bytes };
}
