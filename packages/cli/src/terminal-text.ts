/**
 * Text from a server or a file, made safe to show on a terminal. A terminal acts on control characters
 * instead of showing them: an escape sequence in an extracted value or a file name could clear the screen,
 * move the cursor up and print "Status: SUCCEEDED" over a FAILED execution, or set the window title; a
 * bidi override could make a value read backwards (Trojan Source). Such characters are shown as visible
 * escapes (`\x1b`, `\r`, `\u202e`) instead: the user sees that something odd is there, and nothing acts.
 */

/**
 * C0 controls but \t and \n (handled by each function), DEL, C1 (U+0080–U+009F: 8-bit CSI and OSC on
 * some terminals), and the bidi embeddings, overrides and isolates.
 */
const CONTROL = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';
const LINE_CONTROL = new RegExp(`[\\t\\n\\r]+|[${CONTROL}]`, 'g');

const NAMED: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

/** A control character as text a terminal shows: `\r`, `\x1b`, `\u202e`. */
function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * One line for a terminal: runs of line breaks and tabs become one space (a value cannot start a line
 * of its own), every other control character a visible escape.
 *
 * @example
 * ```ts
 * terminalLine('INV-1\r\n\u001b[1AStatus: SUCCEEDED'); // 'INV-1 \\x1b[1AStatus: SUCCEEDED'
 * ```
 */
export function terminalLine(text: string): string {
  return text.replace(LINE_CONTROL, (match) => (/^[\t\n\r]/.test(match) ? ' ' : visible(match)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const textPatterns = new Map<string, RegExp>();

/** `keep` first (longest first, so a longer sequence wins), then CRLF, then any single control. */
function textPattern(keep: readonly string[]): RegExp {
  const key = keep.join('\u0000');
  let pattern = textPatterns.get(key);
  if (!pattern) {
    const kept = [...keep]
      .filter((k) => k.length > 0)
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp);
    pattern = new RegExp([...kept, '\\r\\n', `[\\r${CONTROL}]`].join('|'), 'g');
    textPatterns.set(key, pattern);
  }
  return pattern;
}

/**
 * Many lines for a terminal (what the CLI prints): line breaks and tabs stay, CRLF becomes a line break,
 * and every other control character becomes a visible escape, except the exact sequences in `keep` (the
 * CLI's own colours, when it paints).
 *
 * @example
 * ```ts
 * terminalText('a\r\nb\u001b[2J'); // 'a\nb\\x1b[2J'
 * ```
 */
export function terminalText(text: string, keep: readonly string[] = []): string {
  const kept = new Set(keep);
  return text.replace(textPattern(keep), (match) =>
    kept.has(match) ? match : match === '\r\n' ? '\n' : visible(match),
  );
}

const JSON_UNESCAPED = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text that stays the same JSON but shows no terminal control: JSON.stringify already escapes C0;
 * DEL, C1 and the bidi controls (which it leaves raw, and which can only occur inside strings) become
 * `\u` escapes, which parse back to the same characters.
 *
 * @example
 * ```ts
 * JSON.parse(terminalJson(JSON.stringify({ v: '\u009b2J' }))); // { v: '\u009b2J' }
 * ```
 */
export function terminalJson(json: string): string {
  return json.replace(JSON_UNESCAPED, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
