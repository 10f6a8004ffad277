/**
 * What a secret is replaced with, everywhere.
 *
 * @example
 * ```ts
 * if (idp.redact(line).includes(REDACTED)) console.warn('the server echoed a credential');
 * ```
 */
export const REDACTED = '[redacted]';

/** Shorter than this is no real secret (a mock's "b"), and blanking it everywhere would garble text. */
const MIN_SECRET_LENGTH = 8;

/**
 * Knows every live secret of a client (the client secret, every token it was issued, Basic credentials)
 * and blanks them, in each spelling a server or a library may echo them, from any text. One instance is
 * shared by the client and every front end (CLI, batch, MCP, doctor), so a secret learnt by one is
 * redacted by all.
 *
 * @example
 * ```ts
 * const redactor = createRedactor();
 * redactor.add(process.env.IDP_CLIENT_SECRET);
 * console.error(redactor.redact(`the server said: ${detail}`));
 * ```
 */
export interface Redactor {
  /** `text` with every known secret, in every spelling, replaced by `[redacted]`. */
  redact(text: string): string;
  /**
   * A JSON-like value with every string (and object key) redacted: a copy when anything was, else the
   * value itself. The value passed in is never changed.
   */
  redactValue<T>(value: T): T;
  /** Registers a secret (ignored when shorter than 8 characters); old ones stay registered. */
  add(secret: string | undefined): void;
  /** Registers HTTP Basic credentials: the password, `user:pass` and its base64 (the header's value). */
  addBasic(username: string, password: string): void;
}

/**
 * The spellings a secret may be echoed in: as is, JSON-escaped (also with `\/`), URL-encoded
 * (`encodeURIComponent`, form encoding, lower-case hex).
 */
function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const uri = encodeURIComponent(secret);
  const form = new URLSearchParams([['', secret]]).toString().slice(1);
  const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  return [secret, json, json.replaceAll('/', '\\/'), uri, form, lowerHex(uri), lowerHex(form)];
}

/**
 * A new `Redactor`, knowing `secrets` (each ignored when shorter than 8 characters).
 *
 * @example
 * ```ts
 * const redactor = createRedactor([clientSecret]);
 * redactor.redact(`echo: ${encodeURIComponent(clientSecret)}`); // 'echo: [redacted]'
 * ```
 */
export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const known = new Set<string>();
  // Longest first: a spelling that contains another is blanked whole.
  let needles: string[] = [];
  // The needles as they appear inside JSON text: JSON escapes character by character, so a string that
  // holds a needle serializes to text that holds its escaped form.
  let inJson: string[] = [];

  function add(secret: string | undefined): void {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || known.has(secret)) return;
    known.add(secret);
    needles = [...new Set([...needles, ...spellings(secret)])].sort((a, b) => b.length - a.length);
    inJson = needles.map((n) => JSON.stringify(n).slice(1, -1));
  }

  function redact(text: string): string {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  }

  /** Whether a value may hold a secret: one scan of its JSON, far cheaper than walking it (a 1.5 MB body). */
  function mayHold(value: unknown): boolean {
    try {
      const text = JSON.stringify(value);
      return text === undefined || inJson.some((n) => text.includes(n));
    } catch {
      return true; // not JSON (a BigInt, a cycle): walk it
    }
  }

  function redactValue<T>(value: T): T {
    if (needles.length === 0 || !mayHold(value)) return value;
    const walk = (v: unknown, depth: number): unknown => {
      if (typeof v === 'string') return redact(v);
      if (typeof v !== 'object' || v === null || depth > 200) return v;
      if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) copy[redact(key)] = walk(item, depth + 1);
      return copy;
    };
    return walk(value, 0) as T;
  }

  function addBasic(username: string, password: string): void {
    const pair = `${username}:${password}`;
    add(password);
    add(pair);
    const base64 = Buffer.from(pair, 'utf8').toString('base64');
    // Padded (blanked whole, longest first), and without: an echo that dropped the '=' still matches.
    add(base64);
    add(base64.replace(/=+$/, ''));
    add(Buffer.from(pair, 'utf8').toString('base64url'));
  }

  for (const secret of secrets) add(secret);
  return { redact, redactValue, add, addBasic };
}
