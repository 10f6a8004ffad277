/**
 * `text` with every occurrence of `secret` replaced by `[redacted]`. A string shorter than 8 characters
 * is no real secret (a mock's "b"), and blanking it everywhere would garble the text, so it is left alone.
 *
 * @example
 * ```ts
 * redactSecret(`bad secret ${clientSecret}`, clientSecret); // 'bad secret [redacted]'
 * ```
 */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret && secret.length >= 8 ? text.split(secret).join('[redacted]') : text;
}
