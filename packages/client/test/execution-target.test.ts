import { IDS } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { executionTarget, IdpValidationError } from '../src/index.js';

const URL_ = `https://idp-rt.us-east-1.anypoint.mulesoft.com/api/v1/organizations/${IDS.organizationId}/actions/${IDS.actionId}/versions/1.1.0/executions/${IDS.executionId}`;
const FLAGS = {
  url: 'an execution URL',
  actionId: '--action',
  actionVersion: '--version',
  executionId: '--execution',
};

describe('executionTarget: an execution URL, or its ids (the one rule the CLI and the MCP server use)', () => {
  it('a URL is handed on as it is (the client checks its host), with its ids and origin', () => {
    const named = executionTarget({ url: URL_ });
    expect(named.target).toBe(URL_);
    expect(named.ref).toEqual({
      actionId: IDS.actionId,
      actionVersion: '1.1.0',
      executionId: IDS.executionId,
    });
    expect(named.fromUrl).toEqual({
      organizationId: IDS.organizationId,
      baseUrl: 'https://idp-rt.us-east-1.anypoint.mulesoft.com',
    });
  });

  it('the ids are the target when there is no URL', () => {
    const ids = { actionId: IDS.actionId, actionVersion: '1.1.0', executionId: IDS.executionId };
    expect(executionTarget(ids)).toEqual({ ref: ids, target: ids });
  });

  it.each([
    [
      'both',
      { url: URL_, actionId: IDS.actionId },
      /^give either an execution URL or --action\/--version\/--execution, not both$/,
    ],
    ['neither', {}, /^name the execution: an execution URL, or --action, --version, --execution$/],
    [
      'the version missing',
      { actionId: 'a', executionId: 'e' },
      /^name the execution: an execution URL, or --version$/,
    ],
  ])('%s: refused in the caller’s words', (_case, naming, message) => {
    expect(() => executionTarget(naming, { names: FLAGS })).toThrow(IdpValidationError);
    expect(() => executionTarget(naming, { names: FLAGS })).toThrow(message);
  });

  it('a review needs no version, and says "review"', () => {
    expect(executionTarget({ actionId: 'a', executionId: 'e' }, { needsVersion: false }).ref.actionId).toBe(
      'a',
    );
    expect(() =>
      executionTarget({ actionId: 'a' }, { needsVersion: false, noun: 'review', names: FLAGS }),
    ).toThrow(/^name the review: an execution URL, or --execution$/);
  });
});
