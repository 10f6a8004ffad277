import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateTypes, OUTPUT_PATH } from '../scripts/generate.js';

describe('generated types', () => {
  it('are up to date with spec/idp.openapi.yaml (run `pnpm generate` and commit if this fails)', async () => {
    const committed = await readFile(OUTPUT_PATH, 'utf8');
    expect(committed).toBe(await generateTypes());
  });
});
