/**
 * Pages of a document as a fake IDP bills them: a PDF's page objects, a TIFF's image directories, one
 * for anything else. Enough for the documents testkit makes (`pdfBytes`, `tiffBytes`), not a parser.
 */
export function countPages(bytes: Uint8Array): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.subarray(0, 5).toString('latin1') === '%PDF-') {
    // `/Type /Page` but not `/Type /Pages` (the page tree's root).
    return Math.max(1, buffer.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0);
  }
  const order = buffer.subarray(0, 2).toString('latin1');
  if ((order === 'II' || order === 'MM') && buffer.length >= 8)
    return tiffDirectories(buffer, order === 'II');
  return 1;
}

/** Walks the TIFF's chain of image directories; a loop or a pointer out of the file ends the walk. */
function tiffDirectories(buffer: Buffer, little: boolean): number {
  const u16 = (at: number) => (little ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at));
  const u32 = (at: number) => (little ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
  const seen = new Set<number>();
  let at = u32(4);
  while (at > 0 && at + 2 <= buffer.length && !seen.has(at)) {
    seen.add(at);
    const next = at + 2 + u16(at) * 12;
    if (next + 4 > buffer.length) break;
    at = u32(next);
  }
  return Math.max(1, seen.size);
}
