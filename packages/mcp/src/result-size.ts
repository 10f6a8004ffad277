/**
 * Keeping what the server sends an agent under its promised size. An agent's context is small and paid
 * for: a hostile or merely large answer (a 1 MB value, a thousand fields) must not reach it whole.
 */

/**
 * Past this many characters a result is summarized, and the whole is offered as a resource.
 *
 * @example
 * ```ts
 * if (JSON.stringify(execution).length > MAX_RESULT_CHARS) console.log('the agent gets a summary');
 * ```
 */
export const MAX_RESULT_CHARS = 12_000;

/** A string over `max` characters, cut and marked so that no one takes it for the whole value. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[cut: ${text.length} characters in all]`;
}

/** `value` with every string in it (keys too) cut to `max` characters. */
export function clipStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return clip(value, max);
  if (Array.isArray(value)) return value.map((v) => clipStrings(v, max));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [clip(k, max), clipStrings(v, max)] as const),
    );
  }
  return value;
}

/**
 * Builds a JSON text from `make(n)` with the most list entries that fit in `limit` characters: `make`
 * gets how many to include, from `most` down to none (halving, then one by one).
 */
export function fitJson(make: (n: number) => unknown, most: number, limit: number): string {
  let n = most;
  let text = JSON.stringify(make(n), null, 2);
  while (text.length > limit && n > 0) {
    n = text.length > 2 * limit ? Math.floor(n / 2) : n - 1;
    text = JSON.stringify(make(n), null, 2);
  }
  return text;
}

/**
 * The last guard on any text for the agent: over `limit`, it is cut, and says so and what to do.
 *
 * @example
 * ```ts
 * limitText(text, MAX_RESULT_CHARS, 'ask for a smaller page');
 * ```
 */
export function limitText(text: string, limit: number, hint: string): string {
  if (text.length <= limit) return text;
  const note = `\n…[cut: the result is ${text.length} characters, over the ${limit} this server returns; ${hint}]`;
  return `${text.slice(0, Math.max(0, limit - note.length))}${note}`;
}
