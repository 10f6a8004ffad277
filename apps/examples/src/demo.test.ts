import { fileURLToPath } from 'node:url';
import { runNode } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm demo', () => {
  it('starts the mock, retrieves the brief execution, prints its fields and exits 0', async () => {
    const { code, stdout } = await runNode(['--import', 'tsx', 'src/demo.ts'], { cwd });
    expect(code).toBe(0);
    expect(stdout).toContain('Execution 022c61de-9bfc-4a94-8a9c-43c5f8ac153e (invoice-2291.pdf): SUCCEEDED');
    expect(stdout).toMatch(/invoiceNumber\s+INV-2291/);
    expect(stdout).toMatch(/lineItems\[1\]\.amount\s+942\.50/);
    expect(stdout).toMatch(/dueDateNote\s+\(no answer\)/);
    expect(stdout).toContain('Mock stopped.');
  });
});
