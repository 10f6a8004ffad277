import { describe, expectTypeOf, it } from 'vitest';
import type {
  ActionVersion,
  Execution,
  Field,
  Geometry,
  IdpClient,
  JsonValue,
  Page,
  Prompt,
  Review,
  ReviewTask,
  ValueOnlyField,
} from '../src/index.js';

// Type tests: the package's typecheck (tsc; its tsconfig includes test/) compiles them, so a type that
// stops narrowing fails there.
declare const client: IdpClient;
declare const ref: Parameters<IdpClient['getExecution']>[0];

describe('Execution types', () => {
  it('narrow on status to reach the results', async () => {
    const execution = await client.getExecution(ref);
    // @ts-expect-error results are not reachable before narrowing
    void execution.pages;
    if (execution.status === 'SUCCEEDED') {
      expectTypeOf(execution.pages).toEqualTypeOf<Page<ValueOnlyField>[] | undefined>();
    }
    if (execution.status === 'IN_PROGRESS') {
      // @ts-expect-error a running execution has no results
      void execution.pages;
    }
  });

  it('valueOnly decides whether confidence and geometry can be present', async () => {
    const lean = await client.getExecution(ref);
    const full = await client.getExecution(ref, { valueOnly: false });
    if (lean.status === 'SUCCEEDED' && full.status === 'SUCCEEDED') {
      expectTypeOf(lean.fields).toEqualTypeOf<Record<string, ValueOnlyField> | undefined>();
      expectTypeOf(full.fields).toEqualTypeOf<Record<string, Field> | undefined>();
      expectTypeOf<ValueOnlyField['confidenceScore']>().toEqualTypeOf<undefined>();
      expectTypeOf<NonNullable<Field['confidenceScore']>>().toEqualTypeOf<number>();
    }
  });

  it('waitForExecution returns the same union', () => {
    expectTypeOf(client.waitForExecution(ref)).resolves.toEqualTypeOf<Execution<true>>();
    expectTypeOf(client.waitForExecution(ref, { valueOnly: false })).resolves.toEqualTypeOf<
      Execution<false>
    >();
  });
});

describe('widened shapes (what is known to occur)', () => {
  it('a value is any JSON value, narrowed by the user', () => {
    expectTypeOf<Field['value']>().toEqualTypeOf<JsonValue>();
    expectTypeOf<ValueOnlyField['value']>().toEqualTypeOf<JsonValue>();
    const value = {} as JsonValue;
    // @ts-expect-error not necessarily text: narrow first
    value.toUpperCase();
    if (typeof value === 'string') expectTypeOf(value.toUpperCase()).toEqualTypeOf<string>();
    if (typeof value === 'number') expectTypeOf(value).toEqualTypeOf<number>();
  });

  it('answer, page and every geometry number may be absent; source is any string', () => {
    expectTypeOf<Prompt['answer']>().toEqualTypeOf<Field | undefined>();
    expectTypeOf<Page['page']>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<Geometry['top']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<NonNullable<Prompt['source']>>().toEqualTypeOf<string>();
    const prompt: Prompt = { prompt: 'Why?', source: 'vision' };
    void prompt;
  });

  it('reviews and discovery are typed from the spec', async () => {
    expectTypeOf(client.listReviews()).resolves.toEqualTypeOf<ReviewTask[]>();
    expectTypeOf(client.getReview(ref as never)).resolves.toEqualTypeOf<Review>();
    expectTypeOf<Review['analyzersResults'][number]['name']>().toEqualTypeOf<string>();
    expectTypeOf(client.getActionVersion('a', '1.1.0')).resolves.toEqualTypeOf<ActionVersion>();
    for await (const task of client.reviews()) expectTypeOf(task.docOperationId).toEqualTypeOf<string>();
  });
});
