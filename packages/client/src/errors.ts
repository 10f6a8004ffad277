import type { Problem } from './types.js';

/** Base class of every error idp-kit throws for IDP calls. */
export class IdpError extends Error {
  override name = 'IdpError';
}

/** The service answered with an HTTP error status. */
export class IdpApiError extends IdpError {
  override name = 'IdpApiError';
  readonly status: number;
  readonly problem?: Problem;
  readonly requestId?: string;

  constructor(message: string, details: { status: number; problem?: Problem; requestId?: string }) {
    super(message);
    this.status = details.status;
    if (details.problem) this.problem = details.problem;
    if (details.requestId) this.requestId = details.requestId;
  }
}
