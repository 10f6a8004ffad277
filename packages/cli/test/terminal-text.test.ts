import { describe, expect, it } from 'vitest';
import { fitCell } from '../src/cell.js';
import { styleFor } from '../src/style.js';
import { terminalJson, terminalLine, terminalText } from '../src/terminal-text.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what must never reach the terminal
const ACTS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = [
  '\u001b[2J',
  '\u001b[1A Status: SUCCEEDED',
  '\r',
  '\u001b]0;title\u0007',
  '\u009b2J',
  '\u007f',
  '\u202eevil',
  '\u2066x\u2069',
  '\u0000\u0008',
];

describe('text for a terminal', () => {
  it.each(HOSTILE)('%j: no control character left, in a line, a text or a cell', (hostile) => {
    for (const shown of [terminalLine(hostile), terminalText(hostile), fitCell(hostile).text]) {
      expect(shown).not.toMatch(ACTS);
    }
  });

  it('a line: breaks and tabs become one space, the rest visible escapes', () => {
    expect(terminalLine('a\r\n\tb\u001b[1Ac\u202e')).toBe('a b\\x1b[1Ac\\u202e');
  });

  it('a text keeps its lines and tabs, CRLF becomes LF, a lone CR is shown', () => {
    expect(terminalText('a\r\nb\tc\rd')).toBe('a\nb\tc\\rd');
  });

  it("a text keeps exactly the style's own sequences, and no other", () => {
    const keep = ['\u001b[31m', '\u001b[39m'];
    expect(terminalText('\u001b[31mred\u001b[39m \u001b[8mhidden\u001b[2J', keep)).toBe(
      '\u001b[31mred\u001b[39m \\x1b[8mhidden\\x1b[2J',
    );
  });

  it('a style that does not paint lets no sequence through', () => {
    expect(styleFor({ isTTY: false }, {}).sequences).toEqual([]);
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' }).sequences).toEqual([]);
  });

  it('JSON stays the same JSON, with DEL, C1 and bidi controls as \\u escapes', () => {
    const value = { 'k\u202e': 'a\u009b2J\u007f\u2066', plain: 'ü文' };
    const json = terminalJson(JSON.stringify(value));
    expect(json).not.toMatch(ACTS);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('a wide cell is cut to its width with an ellipsis; wide characters count two', () => {
    expect(fitCell('x'.repeat(100), 10)).toEqual({ text: `${'x'.repeat(9)}…`, cut: true });
    expect(fitCell('文'.repeat(100), 10)).toEqual({ text: `${'文'.repeat(4)}…`, cut: true });
    expect(fitCell('short', 10)).toEqual({ text: 'short', cut: false });
  });
});
