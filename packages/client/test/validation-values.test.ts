import { REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { type ExecutionRef, IdpValidationError } from '../src/index.js';
import { rejection, setup } from './helpers.js';

// A refused id or version is shown in the message, as the caller passed it, so that they can find it.

describe('what a refused value looks like in the message', () => {
  it.each<[string, Partial<Record<keyof ExecutionRef, unknown>>, string]>([
    [
      'a string, quoted',
      { executionId: 'nope' },
      'executionId must be a UUID such as 01f79c97-9a83-4194-b922-15b64fd7305e, got "nope"',
    ],
    ['a number, as it is', { actionId: 42 }, 'got 42'],
    ['a missing id', { executionId: undefined }, 'got undefined'],
    ['a missing version', { actionVersion: undefined }, 'got undefined'],
  ])('%s', async (_case, override, shown) => {
    const { idp, client } = await setup(() => {});
    const error = await rejection(client.getExecution({ ...REF, ...override } as ExecutionRef));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toContain(shown);
    expect(idp.server.requests).toHaveLength(0);
  });

  it('a long value is cut to 60 characters, so a pasted document does not flood the message', async () => {
    const { client } = await setup(() => {});
    const pasted = `${'x'.repeat(100)}END`;
    const error = await rejection(client.getExecution({ ...REF, executionId: pasted }));
    const message = (error as Error).message;
    expect(message).toContain(`got "${'x'.repeat(56)}…`);
    expect(message).not.toContain('END');
  });

  it('a value of exactly 60 characters is shown whole', async () => {
    const { client } = await setup(() => {});
    const error = await rejection(client.getExecution({ ...REF, executionId: 'y'.repeat(58) }));
    expect((error as Error).message).toMatch(new RegExp(`got "${'y'.repeat(58)}"$`));
  });

  it.each([
    ['an id in an array', { actionId: [REF.actionId] }, /actionId must be a UUID/],
    ['a version in an array', { actionVersion: [REF.actionVersion] }, /actionVersion must be/],
  ])('%s is refused, not read as its text', async (_case, override, message) => {
    const { idp, client } = await setup(() => {});
    const error = await rejection(client.getExecution({ ...REF, ...override } as unknown as ExecutionRef));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toMatch(message);
    expect(idp.server.requests).toHaveLength(0);
  });

  it.each([42, null])('%o where the ref belongs is refused with the shape expected', async (value) => {
    const { idp, client } = await setup(() => {});
    const error = await rejection(client.getExecution(value as unknown as ExecutionRef));
    expect(error).toBeInstanceOf(IdpValidationError);
    expect((error as Error).message).toContain('expected { actionId, actionVersion, executionId }');
    expect(idp.server.requests).toHaveLength(0);
  });
});
