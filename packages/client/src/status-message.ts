/** What each documented `statusMessage` means and what to do about it (MuleSoft's IDP documentation). */
const KNOWN: readonly { match: RegExp; meaning: string }[] = [
  {
    match: /^length$/i,
    meaning:
      'the document has more input tokens than the model takes: split it into smaller documents (fewer pages each)',
  },
  {
    match: /^MAX_TOKENS$/,
    meaning:
      "the model's answer was cut at its token limit: split the document, or select an OpenAI model for the action",
  },
  {
    match: /^SPII$/,
    meaning: 'the model stopped on sensitive personal data (SPII): check the action’s PII masking settings',
  },
  {
    match: /not a valid JSON/i,
    meaning:
      "the model's answer did not fit the action's custom schema (Customize Schema): simplify the schema or its prompts, then publish a new version",
  },
];

/**
 * A FAILED execution's `statusMessage` in words, with what to do: the documented values (`length`,
 * `MAX_TOKENS`, `SPII`, "LLM Generation was not a valid JSON") are explained, any other value is shown as
 * it came. `undefined` when there is no message.
 *
 * @example
 * ```ts
 * if (execution.status === 'FAILED') console.error(explainStatusMessage(execution.statusMessage) ?? 'no reason given');
 * ```
 */
export function explainStatusMessage(statusMessage: unknown): string | undefined {
  if (typeof statusMessage !== 'string' || statusMessage.trim() === '') return undefined;
  const message = statusMessage.trim();
  const known = KNOWN.find((k) => k.match.test(message));
  return known ? `${message}: ${known.meaning}` : message;
}
