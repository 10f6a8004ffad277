import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cwd = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm demo', () => {
  it('starts the mock, retrieves the brief execution, prints its fields and exits 0', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
      cwd,
      timeout: 60_000,
    });
    expect(stdout).toContain('Execution 022c61de-9bfc-4a94-8a9c-43c5f8ac153e (invoice-2291.pdf): SUCCEEDED');
    expect(stdout).toMatch(/invoiceNumber\s+INV-2291/);
    expect(stdout).toMatch(/lineItems\[1\]\.amount\s+942\.50/);
    expect(stdout).toMatch(/dueDateNote\s+\(no answer\)/);
    expect(stdout).toContain('Mock stopped.');
  }, 60_000);
});
