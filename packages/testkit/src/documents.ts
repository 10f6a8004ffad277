/**
 * Real documents for tests, made in memory: the bytes pass the client's pre-flight checks (a PDF with a
 * page tree, a TIFF with one directory per page), so a test that submits sends what a user would.
 */

/** A minimal classic PDF (catalog, one flat page tree, a content stream per page) with `pages` pages. */
export function pdfBytes(pages = 1, { trailerExtra = '', text = 'Invoice' } = {}): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${Array.from({ length: pages }, (_, i) => `${4 + i * 2} 0 R`).join(' ')}] /Count ${pages} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  for (let i = 0; i < pages; i++) {
    const content = `BT /F1 24 Tf 72 720 Td (${text} page ${i + 1}) Tj ET`;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`,
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    );
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

/** A TIFF of `pages` 1×1 images (one directory each), in either byte order. */
export function tiffBytes(pages = 1, order: 'II' | 'MM' = 'II'): Uint8Array {
  const little = order === 'II';
  const dirSize = 2 + 12 + 4;
  const bytes = new Uint8Array(8 + pages * dirSize);
  const view = new DataView(bytes.buffer);
  bytes.set(little ? [0x49, 0x49, 0x2a, 0] : [0x4d, 0x4d, 0, 0x2a]);
  view.setUint32(4, 8, little);
  for (let i = 0; i < pages; i++) {
    const at = 8 + i * dirSize;
    view.setUint16(at, 1, little); // one entry: ImageWidth = 1
    view.setUint16(at + 2, 256, little);
    view.setUint16(at + 4, 3, little);
    view.setUint32(at + 6, 1, little);
    view.setUint16(at + 10, 1, little);
    view.setUint32(at + 14, i === pages - 1 ? 0 : at + dirSize, little);
  }
  return bytes;
}

/** The smallest PNG signature and header a sniffer reads as a PNG. */
export const PNG_BYTES = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);

/** The start of a JFIF JPEG. */
export const JPEG_BYTES = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
