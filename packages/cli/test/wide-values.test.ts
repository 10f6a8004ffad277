import { describe, expect, it, vi } from 'vitest';
import { formatTable } from '../src/format.js';
import type { Style } from '../src/style.js';

/**
 * string-width is quadratic in its input (a 1 MB value took minutes). Every call is counted here, and a
 * long input fails at once: the table's cost must not grow with the value's length.
 */
const measured = vi.hoisted(() => ({ calls: 0, chars: 0, longest: 0 }));
vi.mock('string-width', async (original) => {
  const real = ((await original()) as { default: (text: string) => number }).default;
  return {
    default: (text: string) => {
      measured.calls++;
      measured.chars += text.length;
      measured.longest = Math.max(measured.longest, text.length);
      if (text.length > 10_000) throw new Error(`measured ${text.length} characters at once`);
      return real(text);
    },
  };
});

const none: Style = {
  enabled: false,
  bold: (t) => t,
  dim: (t) => t,
  warn: (t) => t,
  ok: (t) => t,
  bad: (t) => t,
};

const withValue = (value: string) =>
  ({
    id: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
    documentName: 'big.pdf',
    status: 'SUCCEEDED',
    pages: [
      {
        page: 1,
        fields: { huge: { value }, small: { value: 'INV-1' } },
        tables: { items: [{ description: { value }, qty: { value: '2' } }] },
      },
    ],
    prompts: { summary: { prompt: value, value } },
  }) as never;

describe('a 1 MB value in the table', () => {
  it('is cut to 80 columns with an ellipsis and a --json hint, measuring only a bounded prefix', () => {
    measured.calls = 0;
    measured.chars = 0;
    const text = formatTable(withValue('x'.repeat(1024 * 1024)), none, 80);
    const lines = text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(200);
    expect(lines.find((l) => l.includes('huge'))).toMatch(/x…/);
    expect(text).toContain('--json shows them whole');
    expect(text).toMatch(/small\s+INV-1/);
    // the same work as for a value of a few hundred characters
    expect(measured.longest).toBeLessThan(1_000);
    expect(measured.chars).toBeLessThan(20_000);
  });

  it('costs the same for 1 MB as for 10 kB', () => {
    const cost = (length: number) => {
      measured.calls = 0;
      measured.chars = 0;
      formatTable(withValue('y'.repeat(length)), none, 80);
      return { calls: measured.calls, chars: measured.chars };
    };
    expect(cost(1024 * 1024)).toEqual(cost(10 * 1024));
  });

  it('a value that fits is shown whole, without a hint', () => {
    const text = formatTable(withValue('z'.repeat(80)), none, 80);
    expect(text).toContain('z'.repeat(80));
    expect(text).not.toContain('…');
    expect(text).not.toContain('--json');
  });
});
