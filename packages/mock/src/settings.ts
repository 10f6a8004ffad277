import { EXAMPLE_EXECUTION } from './example.js';

/** The client id and secret printed for the mock. It accepts any: these are there to be pasted. */
const MOCK_CLIENT = { id: 'mock-client', secret: 'mock-secret' } as const;

/**
 * The IDP_* settings that point idp-kit (the `idp` CLI, the examples, the MCP server) at a running mock,
 * with a client id and secret it accepts. `pnpm mock` and `idp mock` print the same lines, made by
 * {@link exportLines}, so either can be pasted into another terminal.
 *
 * @example
 * ```ts
 * const mock = await startMock();
 * const env = { ...process.env, ...mockSettings(mock) }; // for a child process that runs `idp`
 * ```
 */
export function mockSettings(mock: { baseUrl: string; tokenUrl: string }): Record<string, string> {
  return {
    IDP_BASE_URL: mock.baseUrl,
    IDP_TOKEN_URL: mock.tokenUrl,
    IDP_ORG_ID: EXAMPLE_EXECUTION.organizationId,
    IDP_CLIENT_ID: MOCK_CLIENT.id,
    IDP_CLIENT_SECRET: MOCK_CLIENT.secret,
  };
}

/**
 * Settings as POSIX shell `export` lines, one a line, that paste as they are (values are quoted when
 * they need to be).
 *
 * @example
 * ```ts
 * console.log(exportLines(mockSettings(mock)).join('\n')); // export IDP_BASE_URL=http://127.0.0.1:4010 …
 * ```
 */
export function exportLines(settings: Record<string, string>): string[] {
  return Object.entries(settings).map(([name, value]) => `export ${name}=${shellWord(value)}`);
}

function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
