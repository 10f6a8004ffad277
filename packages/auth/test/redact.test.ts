import { describe, expect, it } from 'vitest';
import { redactSecret } from '../src/index.js';

describe('redactSecret', () => {
  it('replaces every occurrence of a real secret', () => {
    expect(redactSecret('a=s3cret-value b=s3cret-value', 's3cret-value')).toBe('a=[redacted] b=[redacted]');
  });

  it('an 8-character secret is real enough: redacted', () => {
    expect(redactSecret('secret=8chars!! end', '8chars!!')).toBe('secret=[redacted] end');
  });

  it('leaves text alone for no secret, or one too short to be real', () => {
    expect(redactSecret('abba', 'b')).toBe('abba');
    expect(redactSecret('abba', undefined)).toBe('abba');
  });
});
