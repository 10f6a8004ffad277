import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pdfBytes, tiffBytes } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { countTiffPages, inspectDocument, MAX_PAGES } from '../src/preflight.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'documents');
const fixture = (name: string) => readFile(join(FIXTURES, name));

const pdf = pdfBytes;
const tiff = tiffBytes;

describe('pre-flight: the format comes from the bytes', () => {
  it.each([
    ['1-page.png', 'png', 1],
    ['1-page.jpg', 'jpeg', 1],
    ['3-pages.tiff', 'tiff', 3],
    ['3-pages-big-endian.tiff', 'tiff', 3],
    ['3-pages-object-streams.pdf', 'pdf', 3],
  ])('%s is %s with %i page(s) and may be sent', async (name, format, pages) => {
    const found = await inspectDocument(await fixture(name));
    expect(found).toMatchObject({ format, pages, encrypted: false });
    expect(found.refusal).toBeUndefined();
  });

  it('a ZIP/Office file named .pdf is refused as what it is', async () => {
    const found = await inspectDocument(await fixture('docx-named.pdf'));
    expect(found.format).toBeUndefined();
    expect(found.refusal).toMatch(/ZIP\/Office file/);
    expect(found.refusal).toMatch(/PDF, PNG, JPEG or TIFF/);
  });

  it.each([
    ['plain text', 'Invoice 1003\nTotal: 12.00\n'],
    ['an HTML page', '<!DOCTYPE html><html><body>Sign in</body></html>'],
    ['JSON text', '{"error":"not found"}'],
  ])('%s is named as such', async (kind, text) => {
    const found = await inspectDocument(new TextEncoder().encode(text));
    expect(found.kind).toBe(kind);
    expect(found.refusal).toContain(kind);
  });

  it('binary noise is "a file of unknown type", not text', async () => {
    const noise = Uint8Array.from({ length: 256 }, (_, i) => (i * 37) % 256);
    expect((await inspectDocument(noise)).kind).toBe('a file of unknown type');
  });

  it('an empty file is refused', async () => {
    const found = await inspectDocument(new Uint8Array(0));
    expect(found).toMatchObject({ bytes: 0, format: undefined });
    expect(found.refusal).toMatch(/empty/);
  });
});

describe('pre-flight: PDF pages come from the page tree', () => {
  it.each([1, 3, MAX_PAGES])('%i page(s): counted and accepted', async (n) => {
    const found = await inspectDocument(pdf(n));
    expect(found).toMatchObject({ format: 'pdf', pages: n });
    expect(found.refusal).toBeUndefined();
  });

  it('151 pages: refused with the count and what to do', async () => {
    const found = await inspectDocument(pdf(151));
    expect(found.pages).toBe(151);
    expect(found.refusal).toMatch(/151 pages/);
    expect(found.refusal).toMatch(/split it into parts of at most 150 pages/);
  });

  it('the root node counts, not the sum of nested nodes', async () => {
    // A balanced tree: the root /Count 6 over two /Pages nodes of 3 each.
    const text = [
      '%PDF-1.4',
      '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
      '2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 6 >> endobj',
      '3 0 obj << /Type /Pages /Parent 2 0 R /Kids [] /Count 3 >> endobj',
      '4 0 obj << /Type /Pages /Parent 2 0 R /Kids [] /Count 3 >> endobj',
      'trailer << /Root 1 0 R >>',
      '%%EOF',
    ].join('\n');
    expect((await inspectDocument(new TextEncoder().encode(text))).pages).toBe(6);
  });

  it('a PDF whose page tree is gone is refused as unreadable', async () => {
    const cut = pdf(3).subarray(0, 60); // header and the catalog only
    const found = await inspectDocument(cut);
    expect(found).toMatchObject({ format: 'pdf', pages: undefined });
    expect(found.refusal).toMatch(/no readable page tree/);
  });

  it('a PDF that ends properly but has no page tree is refused too (IDP could not read a page)', async () => {
    const found = await inspectDocument(new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n'));
    expect(found).toMatchObject({ format: 'pdf', pages: undefined });
    expect(found.refusal).toMatch(/no readable page tree .*repair it/);
  });

  it.each(['3-pages-encrypted.pdf', '3-pages-restricted.pdf'])(
    '%s is refused: remove the password',
    async (name) => {
      const found = await inspectDocument(await fixture(name));
      expect(found).toMatchObject({ format: 'pdf', encrypted: true });
      expect(found.refusal).toMatch(/encrypted or password-protected/);
      expect(found.refusal).toMatch(/remove the password/);
    },
  );

  it('a plain PDF that mentions encryption in its text is not taken for encrypted', async () => {
    expect((await inspectDocument(pdf(1, { trailerExtra: '/Info 3 0 R ' }))).encrypted).toBe(false);
    expect((await inspectDocument(pdf(1, { trailerExtra: '/Encrypt 3 0 R ' }))).encrypted).toBe(true);
  });
});

describe('pre-flight: TIFF pages are its image directories', () => {
  it.each([1, 3, 151])('%i directories, little- and big-endian', (n) => {
    expect(countTiffPages(tiff(n, 'II'))).toBe(n);
    expect(countTiffPages(tiff(n, 'MM'))).toBe(n);
  });

  it('a directory chain that loops ends the count instead of spinning', () => {
    const looped = tiff(2);
    new DataView(looped.buffer).setUint32(8 + 18 + 14, 8, true); // the 2nd points back at the 1st
    expect(countTiffPages(looped)).toBe(2);
  });

  it('a TIFF cut before its first directory is refused as unreadable', async () => {
    const found = await inspectDocument(tiff(3).subarray(0, 12));
    expect(found.pages).toBeUndefined();
    expect(found.refusal).toMatch(/image directories cannot be read/);
  });

  it('151 TIFF pages are refused like 151 PDF pages', async () => {
    expect((await inspectDocument(tiff(151))).refusal).toMatch(/151 pages/);
  });
});

describe('pre-flight: size', () => {
  it('over the limit: refused with the size and what to do', async () => {
    const found = await inspectDocument(pdf(1), { maxBytes: 100 });
    expect(found.refusal).toMatch(/IDP accepts at most/);
    expect(found.refusal).toMatch(/split it/);
  });
});
