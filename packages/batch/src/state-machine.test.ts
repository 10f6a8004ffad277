import { describe, expect, it, vi } from 'vitest';
import type { DocumentRecord, DocumentState } from './journal.js';
import type { DocumentEvent, DocumentEventType } from './state-machine.js';

// A fresh copy of the module, and of the client it reads errors from: the table is evaluated when the
// module loads, so a change to it (Stryker's "static" mutants, docs/mutation.md) shows only in a module
// loaded after the change is made. Cheap here: the module is small and has no side effects.
vi.resetModules();
const {
  allows,
  DOCUMENT_EVENTS,
  DOCUMENT_STATES,
  fromStates,
  TRANSITIONS,
  TransitionRefusedError,
  transition,
  UNCERTAIN_AFTER_CRASH,
  uploadFailure,
} = await import('./state-machine.js');
const {
  IdpApiError,
  IdpAuthError,
  IdpConnectionError,
  IdpNotFoundError,
  IdpRateLimitError,
  IdpServerError,
  IdpValidationError,
} = await import('@idp-kit/client');

const AT = '2026-12-03T03:00:00.000Z';
const record = (state: DocumentState, more: Partial<DocumentRecord> = {}): DocumentRecord => ({
  key: 'h:a:1.0.0',
  hash: 'h',
  path: '/in/a.pdf',
  fileName: 'a.pdf',
  state,
  updatedAt: '2026-12-01T00:00:00.000Z',
  ...more,
});
const theirs = (state: DocumentState, executionId?: string): DocumentRecord =>
  record(state, { ...(executionId ? { executionId, submittedAt: '2026-12-02T00:00:00.000Z' } : {}) });

/**
 * One event of each kind, with every variant a guard tells apart, and the record each is tried on
 * (beside its state): the expected next state per (state, event), or `undefined` for a refusal.
 */
const CASES: {
  name: string;
  event: DocumentEvent;
  more?: Partial<DocumentRecord>;
  to: Partial<Record<DocumentState, DocumentState>>;
}[] = [
  { name: 'intend', event: { type: 'intend' }, to: { queued: 'submitting' } },
  { name: 'held', event: { type: 'held', error: 'over the budget' }, to: { queued: 'queued' } },
  {
    name: 'accepted',
    event: { type: 'accepted', executionId: 'e1' },
    to: { submitting: 'submitted', uncertain: 'submitted' },
  },
  {
    name: 'rate-limited, under the limit',
    event: { type: 'rate-limited', error: '429', inARow: 9, max: 10 },
    to: { submitting: 'queued' },
  },
  {
    name: 'rate-limited, at the limit',
    event: { type: 'rate-limited', error: '429', inARow: 10, max: 10 },
    to: { submitting: 'error' },
  },
  { name: 'refused', event: { type: 'refused', error: '400' }, to: { submitting: 'error' } },
  {
    name: 'invalid',
    event: { type: 'invalid', error: 'changed' },
    to: { queued: 'rejected', submitting: 'rejected' },
  },
  { name: 'unanswered', event: { type: 'unanswered', error: '502' }, to: { submitting: 'uncertain' } },
  { name: 'orphaned', event: { type: 'orphaned' }, to: { submitting: 'uncertain' } },
  { name: 'resubmit', event: { type: 'resubmit' }, to: { submitting: 'queued', uncertain: 'queued' } },
  { name: 'reopen, nothing created', event: { type: 'reopen' }, to: { error: 'queued' } },
  {
    name: 'reopen, an execution exists',
    event: { type: 'reopen' },
    more: { executionId: 'e1' },
    to: {},
  },
  {
    name: 'reopen, a duplicate not sent',
    event: { type: 'reopen' },
    more: { duplicateOf: { batch: 'other' } },
    to: { error: 'queued', uncertain: 'queued' },
  },
  {
    name: 'duplicate, retrieved there',
    event: { type: 'duplicate', batch: 'other', theirs: theirs('retrieved', 'e9') },
    to: { queued: 'retrieved' },
  },
  {
    name: 'duplicate, accepted there',
    event: { type: 'duplicate', batch: 'other', theirs: theirs('settled', 'e9') },
    to: { queued: 'submitted' },
  },
  {
    name: 'duplicate, of unknown fate there',
    event: { type: 'duplicate', batch: 'other', theirs: theirs('submitting') },
    to: { queued: 'uncertain' },
  },
  {
    name: 'settled',
    event: { type: 'settled', status: 'MANUAL_VALIDATION_REQUIRED' },
    to: { submitted: 'settled', settled: 'settled' },
  },
  {
    name: 'retrieved',
    event: { type: 'retrieved', status: 'SUCCEEDED', result: { bytes: 10 } },
    to: { submitted: 'retrieved', settled: 'retrieved' },
  },
  {
    name: 'expired',
    event: { type: 'expired', error: '404' },
    to: { submitted: 'expired', settled: 'expired' },
  },
  {
    name: 'wait-failed',
    event: { type: 'wait-failed', error: 'away' },
    to: { submitted: 'submitted', settled: 'settled' },
  },
];

describe('the state machine: every (state, event) pair', () => {
  it('the cases name every event, and the table uses only known states and events', () => {
    expect(new Set(CASES.map((c) => c.event.type))).toEqual(new Set(DOCUMENT_EVENTS));
    for (const row of TRANSITIONS) {
      expect(DOCUMENT_STATES).toContain(row.from);
      expect(DOCUMENT_STATES).toContain(row.to);
      expect(DOCUMENT_EVENTS).toContain(row.on);
    }
  });

  for (const c of CASES) {
    for (const state of DOCUMENT_STATES) {
      const to = c.to[state];
      it(`${state} + ${c.name} → ${to ?? 'refused'}`, () => {
        const before = record(state, c.more);
        const copy = structuredClone(before);
        if (to === undefined) {
          expect(allows(before, c.event)).toBe(false);
          expect(() => transition(before, c.event, AT)).toThrow(TransitionRefusedError);
          try {
            transition(before, c.event, AT);
          } catch (error) {
            expect(error).toMatchObject({ name: 'TransitionRefusedError', from: state, event: c.event.type });
            expect((error as Error).message).toContain(state);
          }
        } else {
          expect(allows(before, c.event)).toBe(true);
          const next = transition(before, c.event, AT);
          expect(next.state).toBe(to);
          expect(next.updatedAt).toBe(AT);
          expect(next.key).toBe(before.key);
          // Why it went wrong travels with the document (the rate limit's last word is its own).
          if ('error' in c.event && c.name !== 'rate-limited, at the limit')
            expect(next.error).toBe(c.event.error);
        }
        expect(before).toEqual(copy); // pure: the record given is not touched
      });
    }
  }

  it('every row of the table is reached by a case above (none is dead or untested)', () => {
    const reached = new Set<string>();
    for (const c of CASES) {
      for (const [from, to] of Object.entries(c.to)) reached.add(`${from} ${c.event.type} ${to}`);
    }
    for (const row of TRANSITIONS) expect(reached).toContain(`${row.from} ${row.on} ${row.to}`);
  });

  it('fromStates lists exactly the states each event may be taken from', () => {
    expect(fromStates('intend')).toEqual(['queued']);
    expect(fromStates('accepted')).toEqual(['submitting', 'uncertain']);
    expect(fromStates('reopen').sort()).toEqual(['error', 'uncertain']);
    for (const event of DOCUMENT_EVENTS) {
      const expected = DOCUMENT_STATES.filter((s) => TRANSITIONS.some((r) => r.from === s && r.on === event));
      expect(fromStates(event as DocumentEventType).sort()).toEqual(expected.sort());
    }
  });
});

describe('the money rules', () => {
  it('a POST only from a durable submitting: submitting is entered from queued alone, and counts the upload', () => {
    const into = TRANSITIONS.filter((r) => r.to === 'submitting');
    expect(into).toEqual([{ from: 'queued', on: 'intend', to: 'submitting' }]);
    const once = transition(
      record('queued', { error: 'old', duplicateOf: { batch: 'b' } }),
      { type: 'intend' },
      AT,
    );
    expect(once).toMatchObject({ state: 'submitting', submits: 1 });
    expect(once.error).toBeUndefined();
    expect(once.duplicateOf).toBeUndefined();
    expect(transition({ ...once, state: 'queued' }, { type: 'intend' }, AT).submits).toBe(2);
  });

  it("uncertain is left for an upload only on the user's word (resubmit), never by a rerun of its own", () => {
    const uncertain = record('uncertain', { error: '502' });
    expect(allows(uncertain, { type: 'reopen' })).toBe(false);
    expect(allows(uncertain, { type: 'intend' })).toBe(false);
    expect(transition(uncertain, { type: 'resubmit' }, AT).state).toBe('queued');
    const out = TRANSITIONS.filter((r) => r.from === 'uncertain').map((r) => `${r.on}→${r.to}`);
    expect(out.sort()).toEqual(['accepted→submitted', 'reopen→queued', 'resubmit→queued']);
  });

  it('a duplicate of a document retrieved in another batch keeps where its result is: its values are read, not lost', () => {
    const there = record('retrieved', {
      executionId: 'e9',
      status: 'SUCCEEDED',
      result: { bytes: 812 },
      submittedAt: '2026-12-02T00:00:00.000Z',
    });
    const reused = transition(record('queued'), { type: 'duplicate', batch: 'earlier', theirs: there }, AT);
    expect(reused).toMatchObject({
      state: 'retrieved',
      executionId: 'e9',
      status: 'SUCCEEDED',
      result: { bytes: 812 },
      duplicateOf: { batch: 'earlier', executionId: 'e9' },
    });
  });

  it('a crash during the upload leaves it uncertain, saying why', () => {
    const next = transition(record('submitting', { submits: 1 }), { type: 'orphaned' }, AT);
    expect(next).toMatchObject({ state: 'uncertain', error: UNCERTAIN_AFTER_CRASH, submits: 1 });
  });

  it('accepted keeps the execution id and when it was accepted, and clears an old error', () => {
    const next = transition(
      record('submitting', { error: 'was 429' }),
      { type: 'accepted', executionId: 'e1' },
      AT,
    );
    expect(next).toMatchObject({ state: 'submitted', executionId: 'e1', submittedAt: AT });
    expect('error' in next).toBe(false);
  });

  it('429s count up to maxRateLimitedSubmits: queued again below it, then error with what to do', () => {
    const below = transition(
      record('submitting'),
      { type: 'rate-limited', error: 'slow down', inARow: 1, max: 2 },
      AT,
    );
    expect(below).toMatchObject({ state: 'queued', error: 'slow down' });
    const at = transition(
      record('submitting'),
      { type: 'rate-limited', error: 'slow down', inARow: 2, max: 2 },
      AT,
    );
    expect(at.state).toBe('error');
    expect(at.error).toMatch(
      /429 Too Many Requests to 2 uploads .* nothing was created\. Rerun .* lower --concurrency/,
    );
    const over = transition(
      record('submitting'),
      { type: 'rate-limited', error: 'x', inARow: 3, max: 2 },
      AT,
    );
    expect(over.state).toBe('error');
  });

  it('the wait results: review, result, expiry, and a failed wait that keeps the state and its anchor', () => {
    const settled = transition(
      record('submitted', { error: 'e' }),
      { type: 'settled', status: 'MANUAL_VALIDATION_REQUIRED' },
      AT,
    );
    expect(settled).toMatchObject({ state: 'settled', status: 'MANUAL_VALIDATION_REQUIRED' });
    expect('error' in settled).toBe(false);
    const got = transition(
      record('settled', { error: 'e', execution: { old: true } }),
      { type: 'retrieved', status: 'SUCCEEDED', result: { file: 'results/e1.json.gz', bytes: 3 } },
      AT,
    );
    expect(got).toMatchObject({
      state: 'retrieved',
      status: 'SUCCEEDED',
      result: { file: 'results/e1.json.gz', bytes: 3 },
    });
    expect('execution' in got || 'error' in got).toBe(false);
    expect(transition(record('submitted'), { type: 'expired', error: 'gone' }, AT)).toMatchObject({
      error: 'gone',
    });
    const kept = transition(
      record('submitted', { submittedAt: 'then' }),
      { type: 'wait-failed', error: '404', submittedAt: 'anchor' },
      AT,
    );
    expect(kept).toMatchObject({ state: 'submitted', error: '404', submittedAt: 'anchor' });
    expect(
      transition(record('submitted', { submittedAt: 'then' }), { type: 'wait-failed', error: 'x' }, AT)
        .submittedAt,
    ).toBe('then');
  });

  it('a duplicate reuses the execution that paid, naming the batch that paid it; of unknown fate, nothing is sent', () => {
    const reused = transition(
      record('queued'),
      {
        type: 'duplicate',
        batch: 'b2',
        theirs: {
          ...theirs('retrieved', 'e9'),
          status: 'SUCCEEDED',
          duplicateOf: { batch: 'b1', executionId: 'e9' },
        },
      },
      AT,
    );
    expect(reused).toMatchObject({
      state: 'retrieved',
      executionId: 'e9',
      status: 'SUCCEEDED',
      submittedAt: '2026-12-02T00:00:00.000Z',
      duplicateOf: { batch: 'b1', executionId: 'e9' },
    });
    const awaited = transition(
      record('queued', { error: 'x' }),
      { type: 'duplicate', batch: 'b2', theirs: { ...theirs('submitted', 'e9'), status: 'IN_PROGRESS' } },
      AT,
    );
    expect(awaited).toMatchObject({
      state: 'submitted',
      executionId: 'e9',
      duplicateOf: { batch: 'b2', executionId: 'e9' },
    });
    expect('error' in awaited || 'status' in awaited).toBe(false);
    const unknown = transition(
      record('queued'),
      { type: 'duplicate', batch: 'b2', theirs: theirs('uncertain') },
      AT,
    );
    expect(unknown).toMatchObject({ state: 'uncertain', duplicateOf: { batch: 'b2' } });
    expect(unknown.executionId).toBeUndefined();
    expect(unknown.error).toMatch(/not sent: batch b2 .* could pay twice.*--resubmit-duplicates/);
  });
});

describe('uploadFailure: what a failed upload means for the money', () => {
  const limit = { inARow: 1, max: 10 };
  const details = (status: number) => ({
    status,
    operation: 'submitExecution',
    url: 'http://127.0.0.1/x',
    headers: new Headers(),
  });
  const api = (status: number) => new IdpApiError(`HTTP ${status}`, details(status));
  const cases: [string, string, () => unknown][] = [
    ['a 2xx the client could not read (no id, HTML, 202)', 'unanswered', () => api(202)],
    ['a 3xx', 'unanswered', () => api(302)],
    ['a 5xx', 'unanswered', () => new IdpServerError('HTTP 502', details(502))],
    ['a 4xx', 'refused', () => api(400)],
    ['a 404', 'refused', () => new IdpNotFoundError('HTTP 404', details(404))],
    ['a 499', 'refused', () => api(499)],
    ['a 500 as a plain API error', 'unanswered', () => api(500)],
    ['no token', 'refused', () => new IdpAuthError('no token')],
    ['invalid input', 'invalid', () => new IdpValidationError('bad id')],
    ['a refused connection', 'refused', () => new IdpConnectionError('refused', { refused: true })],
    ['a cut connection', 'unanswered', () => new IdpConnectionError('reset')],
    ['anything else', 'unanswered', () => new Error('boom')],
    ['a 399', 'unanswered', () => api(399)],
    ['not even an Error', 'unanswered', () => 'boom'],
  ];
  it.each(cases)('%s: %s', (_, type, make) => {
    const event = uploadFailure(make(), limit);
    expect(event.type).toBe(type);
    const thrown = make();
    // The words travel with the event: what the user reads on the document.
    expect(event.error).toBe(thrown instanceof Error ? thrown.message : thrown);
  });
  it('a 429 is rate-limited, carrying the count', () => {
    const event = uploadFailure(new IdpRateLimitError('HTTP 429', details(429)), limit);
    expect(event).toMatchObject({ type: 'rate-limited', inARow: 1, max: 10, error: 'HTTP 429' });
  });
});

describe('the README diagram', () => {
  it('lists exactly the transitions of the table (stateDiagram-v2 in packages/batch/README.md)', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const block = /```mermaid\nstateDiagram-v2\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'the README has a stateDiagram-v2 block').toBeDefined();
    const drawn = (block ?? '')
      .split('\n')
      .map((line) => /^\s*(\w+) --> (\w+): ([\w-]+)(?: \(([\w-]+)\))?$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} ${m[3]} ${m[2]} ${m[4] ?? ''}`);
    const table = TRANSITIONS.map((r) => `${r.from} ${r.on} ${r.to} ${r.when ?? ''}`);
    expect(drawn.sort()).toEqual([...table].sort());
  });
});
