import { describe, expect, it } from 'vitest';
import { formatCsv, formatTable } from '../src/format.js';
import type { Style } from '../src/style.js';

const execution = {
  id: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
  documentName: 'invoice.pdf',
  status: 'SUCCEEDED',
  pages: [
    {
      page: 1,
      fields: {
        請求書番号: { value: 'INV-1', confidenceScore: 40 },
        total: { value: '12.00', confidenceScore: 99 },
      },
    },
  ],
} as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is stripped
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
/** Terminal columns of a line: CJK characters take two. */
const columns = (text: string) =>
  [...plain(text)].reduce((n, c) => n + (/[\u3000-\u9fff]/.test(c) ? 2 : 1), 0);

/** A style that always paints (as on a colour terminal), so that every styled cell carries codes. */
const paint = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const coloured: Style = {
  enabled: true,
  bold: paint(1),
  dim: paint(2),
  warn: paint(33),
  ok: paint(32),
  bad: paint(31),
};
const none: Style = {
  enabled: false,
  bold: (t) => t,
  dim: (t) => t,
  warn: (t) => t,
  ok: (t) => t,
  bad: (t) => t,
};

describe('table width is the visible width', () => {
  it.each([
    ['with colours', coloured],
    ['without colours', none],
  ])('wide (CJK) names and styled cells keep the columns aligned, %s', (_name, style) => {
    const text = formatTable(execution as never, style, 80);
    const rows = text.split('\n').filter((line) => /INV-1|12\.00/.test(line));
    expect(rows).toHaveLength(2);
    // each column starts at the same terminal column in both rows
    for (const marker of [/INV-1|12\.00/, /p\.1/]) {
      const starts = rows.map((row) => columns(row.slice(0, row.search(marker))));
      expect(starts[0]).toBe(starts[1]);
    }
    expect(text.includes('\u001b[')).toBe(style.enabled);
  });
});

describe('confidence marks on the 0–100 scale, whichever scale the service used', () => {
  it('fractions (0.0–1.0) are shown and marked as percent', () => {
    const fractions = {
      ...execution,
      pages: [
        {
          page: 1,
          fields: { a: { value: 'x', confidenceScore: 0.42 }, b: { value: 'y', confidenceScore: 0.97 } },
        },
      ],
    };
    const text = formatTable(fractions as never, none, 80);
    expect(text).toMatch(/a\s+x\s+p\.1\s+42\.0 !/);
    expect(text).toMatch(/b\s+y\s+p\.1\s+97\.0$/m);
    expect(text).toContain('! 1 value below 80% confidence');
    expect(formatCsv(fractions as never)).toContain('field,1,,,a,x,42');
  });
});
