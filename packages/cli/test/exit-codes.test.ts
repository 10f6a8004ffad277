import { type DocumentRecord, summarize } from '@idp-kit/batch';
import {
  IdpAbortError,
  IdpApiError,
  IdpAuthError,
  IdpConnectionError,
  IdpNotFoundError,
  IdpRequestTimeoutError,
  IdpValidationError,
  IdpWaitTimeoutError,
} from '@idp-kit/client';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { batchExitCode } from '../src/commands/batch.js';
import { UsageError } from '../src/config.js';
import { EXIT, EXIT_CODES_HELP, exitCodeFor, exitCodeForError } from '../src/exit-codes.js';

const api = { status: 500, operation: 'getExecution', url: 'u', headers: new Headers() };

describe('the exit-code table (no process spawned)', () => {
  it.each([
    ['a usage error', new UsageError('x'), 2],
    ['bad input found by the client', new IdpValidationError('x'), 2],
    ['a bad flag (commander)', new CommanderError(1, 'commander.unknownOption', 'x'), 2],
    ['--help (commander, exit 0)', new CommanderError(0, 'commander.helpDisplayed', 'x'), 0],
    ['a wait that timed out', new IdpWaitTimeoutError('x', { lastStatus: 'IN_PROGRESS' }), 6],
    ['a request that timed out is not a wait timeout', new IdpRequestTimeoutError('x'), 1],
    ['Ctrl-C', new IdpAbortError('waitForExecution', new Error('interrupted')), 130],
    ['a service error', new IdpApiError('x', api), 1],
    ['not found', new IdpNotFoundError('x', { ...api, status: 404 }), 1],
    ['no token', new IdpAuthError('x'), 1],
    ['unreachable', new IdpConnectionError('x'), 1],
    ['anything else', new Error('x'), 1],
  ])('%s → %i', (_what, error, code) => {
    expect(exitCodeForError(error)).toBe(code);
  });

  it.each([
    ['SUCCEEDED', 0],
    ['FAILED', 3],
    ['PARTIAL_SUCCESS', 4],
    ['MANUAL_VALIDATION_REQUIRED', 5],
    ['IN_PROGRESS', 7],
    ['A_NEW_STATUS', 7],
  ])('an execution in %s → %i', (status, code) => {
    expect(exitCodeFor({ id: 'x', documentName: 'd', status } as never)).toBe(code);
  });

  it('a broken diff gate has a code of its own, apart from the batch codes (8) and usage (2)', () => {
    expect(EXIT.DIFF_GATE).toBe(10);
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
  });

  it('the help lists every code the table can return', () => {
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 130])
      expect(EXIT_CODES_HELP).toMatch(new RegExp(`^ *${code}  `, 'm'));
  });

  const doc = (n: number, more: Partial<DocumentRecord>) =>
    ({
      key: `k${n}`,
      hash: 'h',
      path: `/in/${n}.pdf`,
      fileName: `${n}.pdf`,
      updatedAt: '',
      ...more,
    }) as DocumentRecord;
  const done = doc(0, { state: 'retrieved', status: 'SUCCEEDED', executionId: 'a', pages: 2 });
  it.each([
    ['every document SUCCEEDED', 0, [done]],
    [
      'the others wait for a review',
      5,
      [done, doc(1, { state: 'settled', status: 'MANUAL_VALIDATION_REQUIRED' })],
    ],
    ['one FAILED', 8, [done, doc(1, { state: 'retrieved', status: 'FAILED', executionId: 'b' })]],
    ['one rejected', 8, [done, doc(1, { state: 'rejected' })]],
    ['the budget left one queued', 9, [done, doc(1, { state: 'queued', reason: 'budget', pages: 3 })]],
    [
      'the budget left one queued, another FAILED: the budget says what to do next',
      9,
      [
        doc(1, { state: 'retrieved', status: 'FAILED', executionId: 'b' }),
        doc(2, { state: 'queued', reason: 'budget' }),
      ],
    ],
  ])('a batch where %s → %i', (_what, code, records) => {
    expect(batchExitCode(summarize(records as DocumentRecord[]))).toBe(code);
  });
});
