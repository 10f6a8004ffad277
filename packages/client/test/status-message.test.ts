import { describe, expect, it } from 'vitest';
import { explainStatusMessage } from '../src/status-message.js';

describe("a FAILED execution's statusMessage, explained", () => {
  it.each([
    ['length', /split it into smaller documents/],
    ['MAX_TOKENS', /split the document, or select an OpenAI model/],
    ['SPII', /sensitive personal data/],
    ['LLM Generation was not a valid JSON', /custom schema/],
  ])('%s says what to do, and keeps the value as it came', (value, advice) => {
    const text = explainStatusMessage(value);
    expect(text).toMatch(advice);
    expect(text?.startsWith(`${value}: `)).toBe(true);
  });

  it('an unknown value is shown as it is, not dropped', () => {
    expect(explainStatusMessage('QUOTA_EXCEEDED for model x')).toBe('QUOTA_EXCEEDED for model x');
  });

  it.each([undefined, null, '', '  ', 42])('%s: no message, nothing to say', (value) => {
    expect(explainStatusMessage(value)).toBeUndefined();
  });
});
