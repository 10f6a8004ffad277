import { deflateSync } from 'node:zlib';

/** A rectangle on a page, top-left origin, in fractions of the page. */
export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

/**
 * A valid PDF (US Letter, 612 × 792 points) whose pages show a line of Helvetica (not embedded) and grey
 * rectangles where the values are. Offsets in the xref are computed, not guessed.
 */
export function pdf(pages: Rect[][]): Buffer {
  const W = 612;
  const H = 792;
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 3 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  pages.forEach((rects, i) => {
    const content = [
      '0.93 g 36 36 540 720 re f', // the page's "paper"
      // A line of text in a standard font the PDF does not embed, as many invoices are made.
      `BT /F1 16 Tf 0 g 54 740 Td (Page ${i + 1}: Invoice INV-2291) Tj ET`,
      ...rects.map(
        (r) =>
          `0.55 g ${(r.left * W).toFixed(2)} ${((1 - r.top - r.height) * H).toFixed(2)} ${(r.width * W).toFixed(2)} ${(r.height * H).toFixed(2)} re f`,
      ),
    ].join('\n');
    const pageId = pageIds[i] as number;
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${W} ${H}] /Contents ${pageId + 1} 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>`;
    objects[pageId + 1] = `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`;
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out);
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A grey PNG of `width` × `height` pixels (8-bit greyscale), a darker rectangle per value. */
export function png(width: number, height: number, rects: Rect[]): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(width + 1); // filter byte 0, then one byte per pixel
    for (let x = 0; x < width; x++) {
      const inside = rects.some(
        (r) =>
          x >= r.left * width &&
          x < (r.left + r.width) * width &&
          y >= r.top * height &&
          y < (r.top + r.height) * height,
      );
      row[x + 1] = inside ? 140 : 236;
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const TOTAL: Rect = { top: 0.5, left: 0.25, width: 0.2, height: 0.05 };
export const INVOICE: Rect = { top: 0.1, left: 0.6, width: 0.3, height: 0.04 };
export const LINE: Rect = { top: 0.2, left: 0.1, width: 0.5, height: 0.03 };

/** An execution in the documented envelope: two pages, a table, a prompt; scores on the 0–100 scale. */
export function execution(scale: (r: Rect) => Rect = (r) => r) {
  const g = (r: Rect) => scale(r);
  return {
    id: '7d1e8d3c-54a0-4a43-9a58-4d5c3e7f1a20',
    documentName: 'invoice.pdf',
    status: 'SUCCEEDED',
    pages: [
      {
        page: 1,
        fields: {
          invoiceNumber: { value: 'INV-2291', confidenceScore: 97.5, geometry: g(INVOICE) },
          total: { value: '1,284.50', confidenceScore: 61.2, geometry: g(TOTAL) },
        },
        tables: {},
        prompts: {
          dueDate: {
            prompt: 'When is payment due?',
            source: 'document',
            answer: { value: '2026-12-31', confidenceScore: 88 },
          },
        },
      },
      {
        page: 2,
        // Text from a document is data: it must not end the page's data element or run as markup.
        fields: { note: { value: '</script><img src=x onerror="document.title=1">' } },
        tables: {
          lines: [
            {
              description: { value: 'Widgets <b>x</b>', confidenceScore: 72, geometry: g(LINE) },
              amount: { value: '1,284.50', confidenceScore: 95 },
            },
          ],
        },
        prompts: {},
      },
    ],
  };
}
