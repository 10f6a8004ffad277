import { IdpValidationError } from './errors.js';

/**
 * The formats IDP accepts, as told by a document's bytes (not its name).
 *
 * @example
 * ```ts
 * const format: DocumentFormat = 'pdf';
 * ```
 */
export type DocumentFormat = 'pdf' | 'png' | 'jpeg' | 'tiff';

/**
 * Most pages IDP reads in one document; a longer one is refused after the upload (and paid).
 *
 * @example
 * ```ts
 * if (((await inspectDocument(bytes)).pages ?? 0) > MAX_PAGES) console.log('split it');
 * ```
 */
export const MAX_PAGES = 150;

/**
 * What a document is, told from its bytes alone, and whether IDP would refuse it.
 *
 * @example
 * ```ts
 * const { format, pages, refusal } = await inspectDocument(await readFile('invoice.pdf'));
 * ```
 */
export interface DocumentInspection {
  /** The format IDP would read, or `undefined` when it is none of PDF, PNG, JPEG and TIFF. */
  format: DocumentFormat | undefined;
  /** What the bytes are, in words: "a PDF document", "a ZIP/Office file", "plain text", … */
  kind: string;
  /** Pages counted locally (PDF page tree, TIFF image directories; 1 for PNG and JPEG). */
  pages: number | undefined;
  bytes: number;
  /** A PDF with an encryption dictionary (a password, or restrictions IDP cannot read through). */
  encrypted: boolean;
  /** Why IDP would refuse it, and what to do; absent when it may be sent. */
  refusal?: string;
}

/** Signatures of files people mistake for documents, so a refusal can say what the file is. */
const OTHER_KINDS: readonly { magic: number[]; at?: number; kind: string }[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], kind: 'a ZIP/Office file (DOCX, XLSX, …)' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], kind: 'an old Office file (DOC, XLS, MSG)' },
  { magic: [0x47, 0x49, 0x46, 0x38], kind: 'a GIF image' },
  { magic: [0x42, 0x4d], kind: 'a BMP image' },
  { magic: [0x57, 0x45, 0x42, 0x50], at: 8, kind: 'a WebP image' },
  { magic: [0x66, 0x74, 0x79, 0x70], at: 4, kind: 'a HEIC/MP4 file' },
  { magic: [0x1f, 0x8b], kind: 'a gzip archive' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], kind: 'a 7-Zip archive' },
  { magic: [0x52, 0x61, 0x72, 0x21], kind: 'a RAR archive' },
  { magic: [0x7b, 0x5c, 0x72, 0x74, 0x66], kind: 'an RTF document' },
];

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  return magic.every((b, i) => bytes[at + i] === b);
}

/** The text-ish kinds, told from the first bytes once they are known to be text. */
function textKind(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder().decode(bytes.subarray(0, 512));
  // Text: no NUL and few control characters in the first bytes (UTF-8 or Latin-1 letters are fine).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what tells binary apart
  const controls = head.match(/[\u0000-\u0008\u000e-\u001f]/g)?.length ?? 0;
  if (head.includes('\u0000') || controls > head.length / 100) return undefined;
  const start = head.trimStart().slice(0, 64).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'an HTML page';
  if (start.startsWith('<?xml') || start.startsWith('<svg')) return 'an XML/SVG file';
  if (start.startsWith('{') || start.startsWith('[')) return 'JSON text';
  return 'plain text';
}

/** The format from the magic bytes. A PDF header may follow up to 1 KB of junk, as readers allow. */
function sniff(
  bytes: Uint8Array,
): { format: DocumentFormat; kind: string } | { format: undefined; kind: string } {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { format: 'png', kind: 'a PNG image' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { format: 'jpeg', kind: 'a JPEG image' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { format: 'tiff', kind: 'a TIFF image' };
  }
  if (buffer(bytes).subarray(0, 1024).includes('%PDF-')) return { format: 'pdf', kind: 'a PDF document' };
  for (const other of OTHER_KINDS) {
    if (startsWith(bytes, other.magic, other.at)) return { format: undefined, kind: other.kind };
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])) {
    return { format: undefined, kind: 'a BigTIFF image (IDP reads classic TIFF only)' };
  }
  return { format: undefined, kind: textKind(bytes) ?? 'a file of unknown type' };
}

/**
 * Pages of a TIFF: its chain of image directories (IFDs). A chain that loops or leaves the file ends the
 * count; `undefined` when the first directory cannot be read.
 *
 * @example
 * ```ts
 * countTiffPages(await readFile('fax.tiff')); // 3
 * ```
 */
export function countTiffPages(bytes: Uint8Array): number | undefined {
  if (bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = bytes[0] === 0x49;
  let offset = view.getUint32(4, little);
  const seen = new Set<number>();
  let pages = 0;
  while (offset !== 0) {
    if (seen.has(offset) || offset + 2 > bytes.length) return pages === 0 ? undefined : pages;
    seen.add(offset);
    const entries = view.getUint16(offset, little);
    const next = offset + 2 + entries * 12;
    if (next + 4 > bytes.length) return pages === 0 ? undefined : pages;
    pages++;
    offset = view.getUint32(next, little);
  }
  return pages === 0 ? undefined : pages;
}

/** The bytes as a Buffer, without a copy: its native search and latin1 decoding are what make this fast. */
function buffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One character per byte, so string indices are byte offsets (a window of the file, never all of it). */
function latin1(bytes: Uint8Array): string {
  return buffer(bytes).toString('latin1');
}

/** Where `token` (ASCII) occurs in `bytes`. */
function offsets(bytes: Uint8Array, token: string): number[] {
  const found: number[] = [];
  const buf = buffer(bytes);
  for (let at = buf.indexOf(token, 0, 'latin1'); at >= 0; at = buf.indexOf(token, at + 1, 'latin1'))
    found.push(at);
  return found;
}

/** The text around `at`: enough to hold a page-tree node's whole dictionary (a long /Kids array included). */
const REACH = 256 * 1024;
function around(bytes: Uint8Array, at: number, back = REACH, ahead = REACH): { text: string; from: number } {
  const from = Math.max(0, at - back);
  return { text: latin1(bytes.subarray(from, Math.min(bytes.length, at + ahead))), from };
}

async function inflate(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  const chunks: string[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(latin1(value));
    }
  } catch {
    // A stream cut short still yields what it inflated so far (writers pad streams with junk bytes).
  }
  return chunks.join('');
}

/** Object streams (PDF 1.5+) hide the page tree in compressed form: their inflated text. */
async function objectStreams(pdf: Uint8Array): Promise<string[]> {
  const found: string[] = [];
  for (const at of offsets(pdf, '/ObjStm')) {
    const { text, from } = around(pdf, at, 4096, 4096);
    const here = at - from;
    const dictStart = text.lastIndexOf('<<', here);
    const streamAt = text.indexOf('stream', here);
    if (dictStart < 0 || streamAt < 0 || !/\/Type\s*$/.test(text.slice(dictStart, here))) continue;
    const dict = text.slice(dictStart, streamAt);
    if (!/\/FlateDecode\b/.test(dict) || /\/DecodeParms/.test(dict)) continue;
    let start = from + streamAt + 'stream'.length;
    if (pdf[start] === 0x0d) start++;
    if (pdf[start] === 0x0a) start++;
    const end = offsets(pdf.subarray(start), 'endstream')[0];
    if (end === undefined) continue;
    found.push(await inflate(pdf.subarray(start, start + end)));
  }
  return found;
}

/** The largest `/Count` of the page-tree nodes (`/Type /Pages`) in `text`. */
function largestCount(text: string, most: number | undefined): number | undefined {
  const node = /\/Type\s*\/Pages\b/g;
  for (let m = node.exec(text); m !== null; m = node.exec(text)) {
    // The node's dictionary: from the nearest '<<' before the match to the matching '>>'.
    const open = text.lastIndexOf('<<', m.index);
    const close = dictionaryEnd(text, open);
    if (open < 0 || close < 0) continue;
    const count = /\/Count\s+(\d+)/.exec(text.slice(open, close));
    if (count?.[1] !== undefined) most = Math.max(most ?? 0, Number(count[1]));
  }
  return most;
}

/**
 * A PDF's page count from its page tree: the `/Count` of the root `/Pages` node, which is the largest
 * of the page-tree nodes' counts. Nodes inside compressed object streams are read too. `undefined` when
 * no page tree can be found. Only the text around each node is decoded, never the whole file.
 *
 * @example
 * ```ts
 * await countPdfPages(await readFile('contract.pdf')); // 12
 * ```
 */
export async function countPdfPages(bytes: Uint8Array): Promise<number | undefined> {
  let most: number | undefined;
  for (const at of offsets(bytes, '/Pages')) most = largestCount(around(bytes, at).text, most);
  for (const text of await objectStreams(bytes)) most = largestCount(text, most);
  return most;
}

/** Index just past the `>>` that closes the dictionary opened at `open` (nested ones skipped). */
function dictionaryEnd(text: string, open: number): number {
  if (open < 0) return -1;
  let depth = 0;
  for (let i = open; i < text.length - 1; i++) {
    if (text[i] === '<' && text[i + 1] === '<') {
      depth++;
      i++;
    } else if (text[i] === '>' && text[i + 1] === '>') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** An encryption dictionary in a trailer or a cross-reference stream: the PDF needs a password or key. */
function isEncryptedPdf(bytes: Uint8Array): boolean {
  return offsets(bytes, '/Encrypt').some((at) =>
    /^\/Encrypt\s*(\d+\s+\d+\s+R|<<)/.test(around(bytes, at, 0, 64).text),
  );
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Judges a document by its bytes before anything is sent: its format (PDF, PNG, JPEG, TIFF), pages
 * (PDF page tree, TIFF directories), size and encryption. `refusal` says why IDP would refuse it and
 * what to do; IDP charges for a refused document, this costs nothing.
 *
 * @example
 * ```ts
 * const found = await inspectDocument(await readFile('scan.tiff'));
 * if (found.refusal) console.error(found.refusal); else console.log(found.format, found.pages, 'pages');
 * ```
 */
export async function inspectDocument(
  bytes: Uint8Array,
  limits: { maxBytes: number } = { maxBytes: 15 * 1024 * 1024 },
): Promise<DocumentInspection> {
  const size = bytes.byteLength;
  if (size === 0) {
    return {
      format: undefined,
      kind: 'an empty file',
      pages: undefined,
      bytes: 0,
      encrypted: false,
      refusal: 'it is empty (0 bytes): check that it was copied or downloaded completely',
    };
  }
  const { format, kind } = sniff(bytes);
  const pages =
    format === 'pdf'
      ? await countPdfPages(bytes)
      : format === 'tiff'
        ? countTiffPages(bytes)
        : format
          ? 1
          : undefined;
  const encrypted = format === 'pdf' && isEncryptedPdf(bytes);
  const found: DocumentInspection = { format, kind, pages, bytes: size, encrypted };
  const refusal =
    format === undefined
      ? `it is ${kind}, not a PDF, PNG, JPEG or TIFF: IDP reads only those (convert it, e.g. print it to PDF)`
      : size > limits.maxBytes
        ? `it is ${mb(size)}; IDP accepts at most ${mb(limits.maxBytes)}: split it into smaller parts`
        : encrypted
          ? 'it is an encrypted or password-protected PDF: remove the password (e.g. qpdf --decrypt) and send the copy'
          : pages === undefined
            ? format === 'pdf'
              ? 'it is a PDF with no readable page tree (damaged or truncated): download it again, or repair it (e.g. qpdf, or print it to PDF again)'
              : 'it is a TIFF whose image directories cannot be read (damaged or truncated): convert it again'
            : pages > MAX_PAGES
              ? `it has ${pages} pages; IDP reads at most ${MAX_PAGES}: split it into parts of at most ${MAX_PAGES} pages`
              : undefined;
  return refusal === undefined ? found : { ...found, refusal };
}

/**
 * A document refused before it was sent: what it is (`inspection`) and why IDP would refuse it. Nothing
 * was sent and nothing is charged.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpPreflightError) console.error(e.inspection.pages, 'pages:', e.message); }
 * ```
 */
export class IdpPreflightError extends IdpValidationError {
  override name = 'IdpPreflightError';
  readonly inspection: DocumentInspection;
  constructor(message: string, inspection: DocumentInspection) {
    super(message);
    this.inspection = inspection;
  }
}

const EXTENSION_FORMATS: Readonly<Record<string, DocumentFormat>> = {
  pdf: 'pdf',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  tif: 'tiff',
  tiff: 'tiff',
};

/**
 * The pre-flight check of a submit: the document's bytes must be what its name says, and something IDP
 * will read. Throws `IdpPreflightError` (nothing sent); returns what was found. `submitExecution` runs
 * it; a planner (the batch's dry run) runs it to say what a submit would refuse.
 *
 * @example
 * ```ts
 * const found = await preflight(new Blob([await readFile('invoice.pdf')]), 'invoice.pdf');
 * console.log(found.format, found.pages, 'pages');
 * ```
 */
export async function preflight(file: Blob, fileName: string): Promise<DocumentInspection> {
  const found = await inspectDocument(new Uint8Array(await file.arrayBuffer()));
  const named = EXTENSION_FORMATS[/\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? ''];
  const refusal =
    found.refusal ??
    (named !== undefined && found.format !== named
      ? `its name says ${named.toUpperCase()} but it is ${found.kind}: IDP reads the type from the name, so rename it`
      : undefined);
  if (refusal !== undefined) {
    throw new IdpPreflightError(
      `${JSON.stringify(fileName)} was not sent: ${refusal}. To send it anyway, skip the check (preflight: false; --no-preflight on idp submit or idp batch run).`,
      found,
    );
  }
  return found;
}
