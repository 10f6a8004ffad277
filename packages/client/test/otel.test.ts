import { execution, json, REF } from '@idp-kit/testkit';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { openTelemetryHooks } from '../src/otel.js';
import { setup } from './helpers.js';

/**
 * The spans as an indented tree: `name [status]`, children under their parent in start order, the roots
 * by name. Roots are not ordered by start time: each root span reads its own clock anchored on
 * `Date.now()` (millisecond steps), so two roots started within a millisecond can come out either way.
 */
function tree(spans: ReadableSpan[]): string[] {
  const byParent = new Map<string | undefined, ReadableSpan[]>();
  for (const span of [...spans].sort(
    (a, b) => (a.startTime[0] - b.startTime[0]) * 1e9 + (a.startTime[1] - b.startTime[1]),
  )) {
    const parent = span.parentSpanContext?.spanId;
    byParent.set(parent, [...(byParent.get(parent) ?? []), span]);
  }
  byParent.get(undefined)?.sort((a, b) => a.name.localeCompare(b.name));
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of byParent.get(parent) ?? []) {
      const status = span.attributes['http.response.status_code'];
      lines.push(`${'  '.repeat(depth)}${span.name}${status === undefined ? '' : ` [${status}]`}`);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

/** A client on a loopback IDP answering with `answer`, its spans recorded in memory. */
async function traced(answer: Parameters<typeof setup>[0]) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const { client } = await setup(answer, {
    hooks: openTelemetryHooks({ tracer: provider.getTracer('test') }),
  });
  return { client, exporter, provider };
}

describe('@idp-kit/client/otel', () => {
  it('the span tree of a waitForExecution with one retry', async () => {
    const { client, exporter, provider } = await traced((_req, res, i) =>
      i === 0
        ? json(res, 503, { status: 503, title: 'busy' })
        : json(res, 200, execution(i === 1 ? 'IN_PROGRESS' : 'SUCCEEDED')),
    );
    await client.waitForExecution(REF, { pollIntervalMs: 1 });
    const spans = exporter.getFinishedSpans();
    expect(tree(spans)).toEqual([
      'idp.token [200]',
      '  HTTP POST [200]',
      'idp.waitForExecution',
      '  idp.getExecution [200]',
      '    HTTP GET [503]',
      '    HTTP GET [200]',
      '  idp.getExecution [200]',
      '    HTTP GET [200]',
    ]);
    const retried = spans
      .filter((s) => s.name === 'HTTP GET')
      .map((s) => s.attributes['http.request.resend_count']);
    expect(retried).toEqual([0, 1, 0]);
    const attempt = spans.find((s) => s.name === 'HTTP GET');
    expect(attempt?.attributes['url.full']).toMatch(/\/executions\/022c61de-9bfc-4a94-8a9c-43c5f8ac153e$/);
    await provider.shutdown();
  });

  it('a failure says so: the call’s span ERROR with the error’s message and an exception event, each failed attempt ERROR, the rest unset', async () => {
    const { client, exporter, provider } = await traced((_req, res, i) =>
      i === 0
        ? json(res, 503, { status: 503, title: 'busy' })
        : json(res, 404, { status: 404, title: 'no such execution' }),
    );
    const error = await client.getExecution(REF).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('IdpNotFoundError');
    const spans = exporter.getFinishedSpans();
    const outcome = (s: ReadableSpan) =>
      `${s.name} [${s.attributes['http.response.status_code'] ?? ''}] ${SpanStatusCode[s.status.code]}`;
    expect(spans.map(outcome).sort()).toEqual([
      'HTTP GET [404] ERROR',
      'HTTP GET [503] ERROR',
      'HTTP POST [200] UNSET',
      'idp.getExecution [] ERROR',
      'idp.token [200] UNSET',
    ]);
    const call = spans.find((s) => s.name === 'idp.getExecution');
    expect(call?.status.message).toBe(error?.message);
    expect(call?.events.map((e) => e.name)).toEqual(['exception']);
    expect(call?.events[0]?.attributes?.['exception.message']).toBe(error?.message);
    await provider.shutdown();
  });

  it('nothing but src/otel.ts imports OpenTelemetry: a client without these hooks loads none of it', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const src = new URL('../src/', import.meta.url);
    const files = (await readdir(src, { recursive: true })).filter(
      (f) => f.endsWith('.ts') && f !== 'otel.ts',
    );
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      expect(await readFile(new URL(file, src), 'utf8'), file).not.toContain('@opentelemetry');
    }
  });
});
