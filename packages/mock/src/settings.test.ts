import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exportLines, mockSettings } from './settings.js';

describe('mockSettings / exportLines', () => {
  it('every setting idp needs, the client id and secret included', () => {
    const settings = mockSettings({ baseUrl: 'http://127.0.0.1:4010', tokenUrl: 'http://127.0.0.1:4010/t' });
    expect(Object.keys(settings)).toEqual([
      'IDP_BASE_URL',
      'IDP_TOKEN_URL',
      'IDP_ORG_ID',
      'IDP_CLIENT_ID',
      'IDP_CLIENT_SECRET',
    ]);
    expect(settings.IDP_CLIENT_SECRET).toMatch(/\S{8,}/); // long enough that it is a secret to redact
  });

  it('export lines that a POSIX shell reads back as the same values', () => {
    const settings = { A: 'http://127.0.0.1:4010', B: "it's got spaces & $HOME", C: 'plain' };
    const lines = exportLines(settings);
    expect(lines[0]).toBe('export A=http://127.0.0.1:4010');
    const script = `${lines.join('\n')}\nprintf '%s\\n' "$A" "$B" "$C"`;
    expect(execFileSync('sh', ['-c', script], { encoding: 'utf8' })).toBe(
      `${Object.values(settings).join('\n')}\n`,
    );
  });
});
