/**
 * The mock's second published version of the example action, and how its answers differ from 1.1.0's.
 * Prism serves one example per status whatever the version in the URL, so without this `idp diff --run
 * … --versions 1.1.0,1.2.0` against the mock would show no change and its gate could never fail. The
 * differences are fixed (the same for every document), so a newcomer sees a real diff and a real gate
 * failure, and a test can count them:
 * - `totalAmount`: a different value (`1,284.50` read as `1,248.50`), scored lower (71.2 → 58.4);
 * - `invoiceDate`: the same value, scored lower (97.9 → 81.5);
 * - the `paymentTerms` prompt: no longer answered (the field disappears).
 *
 * @example
 * ```ts
 * const url = `${mock.baseUrl}/api/v1/organizations/${org}/actions/${action}/versions/${MOCK_VERSIONS.candidate}/executions/${id}`;
 * ```
 */
export const MOCK_VERSIONS = { current: '1.1.0', candidate: '1.2.0' } as const;

/**
 * What 1.2.0 reads differently, as a test or a README can state it.
 *
 * @example
 * ```ts
 * expect(total).toBe(CANDIDATE_CHANGES.totalAmount.value); // '1,248.50' under 1.2.0
 * ```
 */
export const CANDIDATE_CHANGES = {
  totalAmount: { value: '1,248.50', confidenceScore: 58.4 },
  invoiceDate: { confidenceScore: 81.5 },
  disappears: 'paymentTerms',
} as const;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A score is changed only where the answer has one (`valueOnly=false`): a values-only answer has none. */
function rescored(field: unknown, change: { value?: string; confidenceScore: number }): unknown {
  if (!isObject(field)) return field;
  return {
    ...field,
    ...(change.value !== undefined && typeof field.value === 'string' ? { value: change.value } : {}),
    ...('confidenceScore' in field ? { confidenceScore: change.confidenceScore } : {}),
  };
}

/** One envelope (a page, or the top level) as 1.2.0 reads it. */
function envelope(e: Json): Json {
  const out: Json = { ...e };
  if (isObject(e.fields)) {
    const fields: Json = { ...e.fields };
    if ('totalAmount' in fields)
      fields.totalAmount = rescored(fields.totalAmount, CANDIDATE_CHANGES.totalAmount);
    if ('invoiceDate' in fields)
      fields.invoiceDate = rescored(fields.invoiceDate, CANDIDATE_CHANGES.invoiceDate);
    out.fields = fields;
  }
  if (isObject(e.prompts)) {
    const { [CANDIDATE_CHANGES.disappears]: _gone, ...kept } = e.prompts;
    out.prompts = kept;
  }
  return out;
}

/**
 * An execution's answer as version 1.2.0 gives it (see {@link MOCK_VERSIONS}); any other version's answer
 * is returned as it is. Pure: the body is not changed in place.
 *
 * @example
 * ```ts
 * const body = asVersion(JSON.parse(prismAnswer), '1.2.0'); // totalAmount 1,248.50, no paymentTerms
 * ```
 */
export function asVersion(body: Json, version: string | undefined): Json {
  if (version !== MOCK_VERSIONS.candidate) return body;
  const out = envelope(body);
  if (Array.isArray(body.pages)) out.pages = body.pages.map((p: unknown) => (isObject(p) ? envelope(p) : p));
  return out;
}

/**
 * A version's own record (`getActionVersion`) for 1.2.0: Prism has one example, 1.1.0's; the candidate's
 * answer names its own version so that `idp doctor --version 1.2.0` passes its version check.
 *
 * @example
 * ```ts
 * const record = versionRecord(JSON.parse(prismAnswer), '1.2.0'); // record.version === '1.2.0'
 * ```
 */
export function versionRecord(body: Json, version: string | undefined): Json {
  if (version !== MOCK_VERSIONS.candidate) return body;
  const configuration = isObject(body.configuration) ? { ...body.configuration, version } : undefined;
  return { ...body, version, ...(configuration ? { configuration } : {}) };
}
