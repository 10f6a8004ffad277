import { execution, IDS, json, pdfBytes, REF } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { type AdmitRequest, IdpAbortError } from '../src/index.js';
import { rejection, setup } from './helpers.js';

describe('admit: a gate before every attempt (a rate budget)', () => {
  it('is asked before each attempt, the token request and retries included, before the server sees it', async () => {
    const asked: string[] = [];
    let served = 0;
    const { client } = await setup(
      (req, res, i) => {
        served++;
        if (req.method === 'POST') return json(res, 201, { id: IDS.executionId, documentName: 'a.pdf' });
        if (i === 0) return json(res, 503, { status: 503, title: 'Service Unavailable' });
        return json(res, 200, execution('SUCCEEDED'));
      },
      {
        admit: async (request: AdmitRequest) => {
          asked.push(`${request.operation} ${request.method} #${request.attempt} after ${served}`);
        },
      },
    );
    await client.getExecution(REF);
    await client.submitExecution({ ...REF, file: pdfBytes(1), fileName: 'a.pdf' });
    expect(asked).toEqual([
      'token POST #1 after 0',
      'getExecution GET #1 after 0',
      'getExecution GET #2 after 1', // the retry after the 503 waits its turn too
      'submitExecution POST #1 after 2',
    ]);
  });

  it("a wait for the gate is not the attempt's: it never times the attempt out", async () => {
    const { client } = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      timeoutMs: 1_000,
      // Longer than an attempt may take: as if the budget were short.
      admit: (request) =>
        request.operation === 'token'
          ? Promise.resolve()
          : new Promise((resolve) => setTimeout(resolve, 1_500)),
      retry: false,
    });
    await expect(client.getExecution(REF)).resolves.toMatchObject({ status: 'SUCCEEDED' });
  });

  it('a gate that fails fails the call with its error; the call signal ends the wait', async () => {
    const failing = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      admit: async () => {
        throw new Error('the budget is gone');
      },
    });
    // The token request meets it first: the call fails as an auth error caused by it.
    const failed = (await rejection(failing.client.getExecution(REF))) as Error;
    expect(failed.message).toContain('the budget is gone');
    expect(failed.cause).toMatchObject({ message: 'the budget is gone' });
    const never = await setup((_req, res) => json(res, 200, execution('SUCCEEDED')), {
      admit: (_request, signal) =>
        new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
    });
    const stop = new AbortController();
    const call = rejection(never.client.getExecution(REF, { signal: stop.signal }));
    stop.abort();
    expect(await call).toBeInstanceOf(IdpAbortError);
  });
});
