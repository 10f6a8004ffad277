import {
  type DocumentFormat,
  IdpPreflightError,
  inspectDocument,
  preflight as preflightCheck,
} from '@idp-kit/client';

/**
 * What a document's bytes are and what a submit would say of them: the client's pre-flight check
 * (`refusal`: its message, word for word, as a submit would throw it), or, with `preflight: false`,
 * the count alone (nothing refused, as nothing would be).
 *
 * @example
 * ```ts
 * const { format, pages, refusal } = await checkContent(bytes, 'invoice.pdf', true);
 * ```
 */
export async function checkContent(
  bytes: Uint8Array,
  fileName: string,
  preflight: boolean,
): Promise<{ format?: DocumentFormat; pages?: number; refusal?: string }> {
  if (!preflight) {
    const found = await inspectDocument(bytes, { maxBytes: Number.POSITIVE_INFINITY });
    return { ...(found.format ? { format: found.format } : {}), ...pagesOf(found.pages) };
  }
  try {
    const found = await preflightCheck(new Blob([bytes]), fileName);
    return { ...(found.format ? { format: found.format } : {}), ...pagesOf(found.pages) };
  } catch (error) {
    if (!(error instanceof IdpPreflightError)) throw error;
    const found = error.inspection;
    return {
      ...(found.format ? { format: found.format } : {}),
      ...pagesOf(found.pages),
      refusal: error.message,
    };
  }
}

function pagesOf(pages: number | undefined): { pages?: number } {
  return pages === undefined ? {} : { pages };
}
