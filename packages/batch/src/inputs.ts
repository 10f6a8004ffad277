import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
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
 * The documents named by files, folders (searched recursively for PDF, PNG, JPG and TIFF files), globs
 * and manifests (`.csv` with a `path` column, or `.jsonl`), in a stable order. A name that matches
 * nothing is an `InputError`: a typo must not make a batch of nothing.
 *
 * @example
 * ```ts
 * const found = await collectDocuments(['invoices/', 'scans/*.tiff', 'manifest.csv'], process.cwd());
 * ```
 */
export async function collectDocuments(inputs: string[], cwd: string): Promise<InputDocument[]> {
  const found: InputDocument[] = [];
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
      const pattern = `**/*.{${DOCUMENT_EXTENSIONS.flatMap((e) => [e, e.toUpperCase()]).join(',')}}`;
      const paths = await glob(pattern, { cwd: path, absolute: true, onlyFiles: true });
      found.push(...paths.sort().map((p) => ({ path: p })));
    } else if (MANIFEST.test(path)) {
      found.push(...(await readManifest(path)));
    } else {
      found.push({ path });
    }
  }
  return found;
}

/**
 * A document read and checked: its hash, or why it cannot be sent (the service's rules: PDF, PNG, JPG or
 * TIFF, not empty, at most 15 MB). A rejected document is reported; it never stops the batch.
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
  if (!type) {
    return { hash: '', fileName, rejected: 'not a PDF, PNG, JPG or TIFF file (by its extension)' };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(document.path);
  } catch (error) {
    return {
      hash: '',
      fileName,
      rejected: `cannot read it: ${(error as NodeJS.ErrnoException).code ?? error}`,
    };
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (bytes.byteLength === 0) return { hash, fileName, rejected: 'the file is empty' };
  if (bytes.byteLength > MAX_FILE_BYTES) {
    return {
      hash,
      fileName,
      rejected: `${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB; the service takes at most 15 MB: split it`,
    };
  }
  return { hash, fileName, bytes };
}
