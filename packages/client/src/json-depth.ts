/**
 * The deepest nesting of arrays and objects the client accepts in an answer. IDP's deepest answer
 * (a table cell's geometry) is under 10 levels. `JSON.parse` itself copes with any depth, but every
 * recursive consumer after it (`JSON.stringify`, `structuredClone`, a journal line, the CLI's output)
 * dies with "Maximum call stack size exceeded" somewhere past a few thousand levels. A deeper answer
 * is an `IdpApiError` saying so.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof IdpApiError && e.message.includes(`deeper than ${MAX_JSON_DEPTH}`)) report(e); }
 * ```
 */
export const MAX_JSON_DEPTH = 512;

/**
 * True when `text` nests arrays or objects deeper than `max` levels. One pass over the text, skipping
 * strings (a bracket inside a string does not count); about a fifth of `JSON.parse`'s own time.
 */
export function nestedDeeperThan(text: string, max: number = MAX_JSON_DEPTH): boolean {
  // Fewer brackets than the limit cannot nest past it: small answers skip the scan. Counting them
  // with indexOf (a native search) is many times cheaper than the scan below, which sees every char.
  if (text.length <= max || openings(text, max) <= max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = endOfString(text, i);
      if (i < 0) return false; // unterminated: JSON.parse will say so
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that closes the string opened at `start`, or -1. */
function endOfString(text: string, start: number): number {
  for (let at = text.indexOf('"', start + 1); at >= 0; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    for (let b = at - 1; text.charCodeAt(b) === 0x5c /* \ */; b--) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/** How many `{` and `[` the text holds (strings included), counting no further than `past + 1`. */
function openings(text: string, past: number): number {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at >= 0 && count <= past; at = text.indexOf(bracket, at + 1))
      count++;
  }
  return count;
}
