import { describe, expect, it } from 'vitest';
import { publicExports } from '../src/public-api.js';

describe('every public export has a TSDoc comment with an example', () => {
  const exports = publicExports().filter((e) => !e.foreign);

  it('finds the public API', () => {
    expect(exports.length).toBeGreaterThan(60);
    for (const name of [
      'createIdpClient',
      'clientCredentials',
      'startMock',
      'createCallbackHandler',
      'extractFields',
    ]) {
      expect(exports.map((e) => e.name)).toContain(name);
    }
  });

  it('documents each one, with an @example', () => {
    const missing = exports
      .filter((e) => !e.documented || !e.hasExample)
      .map((e) => `${e.pkg} ${e.name}: ${e.documented ? 'no @example' : 'no TSDoc'}`);
    expect(missing).toEqual([]);
  });
});
