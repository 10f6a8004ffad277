/**
 * One attempt as `admit` sees it, before it is sent: which operation, and where to.
 *
 * @example
 * ```ts
 * const admit: Admit = async (request) => { if (request.operation === 'submitExecution') await uploads(); };
 * ```
 */
export interface AdmitRequest {
  /** `getExecution` (each poll of a wait too), `submitExecution`, `token`, `raw`, … */
  readonly operation: string;
  readonly method: string;
  /** The URL without its query string. */
  readonly url: string;
  /** 1 for the first attempt; retries and a 401 replay come back with the next number. */
  readonly attempt: number;
}

/**
 * Asked before every HTTP attempt the client sends, the token request's and every retry included, once
 * the attempt's token is in hand and before its timeout starts: the attempt waits until the promise
 * resolves, so a shared rate budget (`@idp-kit/batch`'s `RateBudget`) can pace a whole fleet. The wait
 * counts against the call's deadline and ends with the call's signal (`signal`), never against the
 * attempt's own timeout. A rejection fails the call with that error.
 *
 * @example
 * ```ts
 * const idp = createIdpClient({ organizationId, auth, admit: (request, signal) => budget.take(request, signal) });
 * ```
 */
export type Admit = (request: AdmitRequest, signal: AbortSignal | undefined) => Promise<void>;
