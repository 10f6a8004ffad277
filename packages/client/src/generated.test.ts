import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateSchemas, generateTypes, OUTPUT_PATH, SCHEMAS_PATH } from '../scripts/generate.js';

describe('generated types', () => {
  it('are up to date with spec/idp.openapi.yaml (run `pnpm generate` and commit if this fails)', async () => {
    const committed = await readFile(OUTPUT_PATH, 'utf8');
    expect(committed).toBe(await generateTypes());
  });

  it('the schemas for the drift check are up to date too', async () => {
    expect(await readFile(SCHEMAS_PATH, 'utf8')).toBe(await generateSchemas());
  });
});
