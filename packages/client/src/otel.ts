import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { IdpHooks, OperationInfo } from './hooks.js';

/**
 * Options of `openTelemetryHooks()`.
 *
 * @example
 * ```ts
 * const options: OpenTelemetryHooksOptions = { tracer: provider.getTracer('billing-sync') };
 * ```
 */
export interface OpenTelemetryHooksOptions {
  /** Default: `trace.getTracer('@idp-kit/client')` from the global provider. */
  tracer?: Tracer;
}

const SPAN = Symbol('idp-kit span');

function spanOf(operation: OperationInfo | undefined): Span | undefined {
  return operation?.state.get(SPAN) as Span | undefined;
}

/**
 * Ends a span with the outcome. An error is `ERROR` with its message; an answer is `ERROR` from
 * `errorFrom` on: 500 for an operation's span, 400 for an attempt's (a client span: OpenTelemetry's HTTP
 * conventions count a 4xx as the client's failure), otherwise the status is left unset.
 */
function end(
  span: Span | undefined,
  outcome: { status?: number; error?: unknown },
  errorFrom: 400 | 500,
): void {
  if (!span) return;
  if (outcome.status !== undefined) span.setAttribute('http.response.status_code', outcome.status);
  if (outcome.error !== undefined) {
    const error = outcome.error;
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  } else if (outcome.status !== undefined && outcome.status >= errorFrom) {
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * OpenTelemetry tracing for the client: a span per operation (`idp.getExecution`, `idp.waitForExecution`
 * with a child per poll, `idp.token`, `idp.raw`, …) and a client span per HTTP attempt under it, with
 * the W3C trace context propagated on each attempt. Only this module imports `@opentelemetry/api` (an
 * optional peer): a client without these hooks loads nothing of it.
 *
 * @example
 * ```ts
 * import { openTelemetryHooks } from '@idp-kit/client/otel';
 * const idp = createIdpClient({ organizationId, auth, hooks: openTelemetryHooks() });
 * ```
 */
export function openTelemetryHooks(options: OpenTelemetryHooksOptions = {}): IdpHooks {
  const tracer = options.tracer ?? trace.getTracer('@idp-kit/client');
  return {
    operationStart(operation) {
      const parent = spanOf(operation.parent);
      const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
      const span = tracer.startSpan(
        `idp.${operation.name}`,
        { kind: SpanKind.INTERNAL, attributes: { 'idp.operation': operation.name } },
        ctx,
      );
      operation.state.set(SPAN, span);
    },
    operationEnd(operation, outcome) {
      end(spanOf(operation), outcome, 500);
    },
    attemptStart(attempt) {
      const parent = spanOf(attempt.operation);
      const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
      const span = tracer.startSpan(
        `HTTP ${attempt.operation.method}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'http.request.method': attempt.operation.method,
            'url.full': attempt.operation.url,
            'http.request.resend_count': attempt.attempt - 1,
          },
        },
        ctx,
      );
      attempt.state.set(SPAN, span);
      propagation.inject(trace.setSpan(ctx, span), attempt.headers);
    },
    attemptEnd(attempt, outcome) {
      end(attempt.state.get(SPAN) as Span | undefined, outcome, 400);
    },
  };
}
