/**
 * Just enough multipart/form-data reading for a fake IDP: one named part's bytes, binary-safe (a
 * document is hashed and its pages counted as sent, so its bytes must not pass through a string).
 */

/** The bytes of the part called `name` in a multipart body, or undefined when there is none. */
export function formPart(body: Buffer, contentType: string | undefined, name: string): Buffer | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary) return undefined;
  const header = body.indexOf(`name="${name}"`);
  if (header < 0) return undefined;
  const start = body.indexOf('\r\n\r\n', header) + 4;
  const end = body.indexOf(`\r\n--${boundary}`, start);
  return body.subarray(start, end < 0 ? body.length : end);
}

/** The file name the upload declares (`filename="…"`), or undefined. */
export function formFileName(body: string): string | undefined {
  return /filename="([^"]*)"/.exec(body)?.[1];
}
