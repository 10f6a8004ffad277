import { describe, expectTypeOf, it } from 'vitest';
import type { Execution, Field, IdpClient, Page, ValueOnlyField } from '../src/index.js';

// Type tests: vitest runs them through tsc (typecheck mode), so a type that stops narrowing fails here.
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
